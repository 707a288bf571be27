// quire-texttops: typesets UTF-8 text with paps (Debian's, Pango-based): monospace,
// a header with the date, the job's title and the page number on every page, long
// lines wrapped. paps's PostScript passes through this process so that each page it writes
// (a DSC %%Page: line) becomes a PAGE: line. The page size follows the job's media
// (paps knows a4, letter and legal).
#include "pipeline/filter_programs.hpp"

#include "pipeline/child_process.hpp"
#include "pipeline/job_options.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace quire {
namespace {

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Copies paps's output to standard output, counting "%%Page:" lines. Returns pages.
int relay_counting_pages(int from, bool& ok) {
  char buf[65536];
  int pages = 0;
  std::string tail;  // the unfinished last line, for matches across reads
  ok = true;
  for (;;) {
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (!write_all(1, buf, static_cast<std::size_t>(n))) ok = false;
    std::string chunk = tail + std::string(buf, static_cast<std::size_t>(n));
    std::size_t at = 0;
    for (std::size_t nl; (nl = chunk.find('\n', at)) != std::string::npos; at = nl + 1)
      if (chunk.compare(at, 7, "%%Page:") == 0) {
        ++pages;
        std::fprintf(stderr, "PAGE: %d 1\n", pages);
      }
    tail = chunk.substr(at, 16);
  }
  return pages;
}

// The job's title as a file name: no slashes, no control characters, not hidden.
std::string header_file_name(std::string_view title) {
  std::string name = sanitize_for_child(title.substr(0, 120));
  for (char& c : name)
    if (c == '/') c = '_';
  while (!name.empty() && (name.front() == '.' || name.front() == '-' || name.front() == ' ')) name.erase(0, 1);
  return name.empty() ? "Untitled" : name;
}

// Copies `from` (or standard input) to `to`.
bool copy_input(const char* from, const std::string& to) {
  int in = from ? ::open(from, O_RDONLY | O_CLOEXEC) : 0;
  if (in < 0) return false;
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) return false;
  char buf[65536];
  ssize_t n;
  bool ok = true;
  while ((n = ::read(in, buf, sizeof buf)) > 0)
    if (!write_all(out, buf, static_cast<std::size_t>(n))) ok = false;
  ::close(out);
  if (from) ::close(in);
  return ok && n == 0;
}

}  // namespace

int run_text_filter(int argc, char** argv) {
  if (argc < 6 || argc > 7) {
    std::fprintf(stderr, "Usage: %s job-id user title copies options [file]\n", argv[0]);
    return 1;
  }
  JobOptions options = parse_job_options(argv[5], 1);
  std::string paper = "a4";
  if (options.media.find("letter") != std::string::npos) paper = "letter";
  else if (options.media.find("legal") != std::string::npos) paper = "legal";
  const char* paps = std::getenv("QUIRE_PAPS");
  SpawnSpec spec;
  spec.path = paps && *paps ? paps : "/usr/bin/paps";
  spec.argv = {spec.path, "--header", "--paper=" + paper, "--font=Monospace 10", "--encoding=UTF-8"};
  if (options.orientation == 4 || options.orientation == 5) spec.argv.emplace_back("--landscape");
  // paps heads each page with the file's name: the document is copied under the
  // job's title (made a safe file name) so that the header reads date, title, page.
  std::string tmpdir = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string name = header_file_name(argv[3]);
  std::string copy = tmpdir + "/" + name;
  if (!copy_input(argc == 7 ? argv[6] : nullptr, copy)) {
    std::fprintf(stderr, "ERROR: Unable to read the document: %s\n", std::strerror(errno));
    return 1;
  }
  spec.argv.push_back(name);
  spec.working_dir = tmpdir;
  for (char** e = environ; *e; ++e) spec.env.emplace_back(*e);
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return 1;
  spec.stdout_fd = out[1];
  spec.process_group = ::getpgrp();
  auto child = spawn_process(spec);
  ::close(out[1]);
  if (!child) {
    std::fprintf(stderr, "ERROR: Unable to run paps: %s\n", child.error().c_str());
    return 1;
  }
  bool ok = true;
  int pages = relay_counting_pages(out[0], ok);
  ::close(out[0]);
  // paps's own messages are few; pass them on for the log.
  char buf[4096];
  ssize_t n;
  ::fcntl(child->stderr_fd, F_SETFL, 0);
  while ((n = ::read(child->stderr_fd, buf, sizeof buf)) > 0) std::fprintf(stderr, "DEBUG: paps: %.*s\n", static_cast<int>(n), buf);
  ::close(child->stderr_fd);
  ::close(child->pidfd);
  int status = reap_process(child->pid);
  ::unlink(copy.c_str());
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || pages == 0) {
    std::fprintf(stderr, "ERROR: paps failed (%s)\n", describe_wait_status(status).c_str());
    return 1;
  }
  return 0;
}

}  // namespace quire
