// quire-gs: runs Ghostscript on the job's input and turns its page events into PAGE:
// lines. gs shares this process's standard input and output (no copying through us)
// and its process group (a cancel stops both).
#include "pipeline/filter_programs.hpp"

#include "pipeline/child_process.hpp"
#include "pipeline/ghostscript_command.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

extern char** environ;

namespace quire {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Copies standard input to a private temporary file (for inputs run more than once).
std::string spool_stdin_to_temp() {
  std::string path = env_or("TMPDIR", "/tmp") + "/quire-gs-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) return "";
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(fd, buf + off, static_cast<std::size_t>(n - off));
      if (w < 0) {
        ::close(fd);
        ::unlink(path.c_str());
        return "";
      }
      off += w;
    }
  }
  ::close(fd);
  return path;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  return env;
}

// Reads gs's stderr until it closes: page events become PAGE: lines, anything else is
// passed on as DEBUG: (the last such line explains a failure).
void relay_stderr(int fd, GhostscriptPageCounter& counter, std::string& last_message) {
  int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  std::string line;
  char buf[4096];
  auto emit = [&] {
    if (auto page = counter.feed(line)) {
      if (!page->empty()) std::fprintf(stderr, "%s\n", page->c_str());
    } else if (!line.empty()) {
      std::fprintf(stderr, "DEBUG: gs: %s\n", line.c_str());
      last_message = line;
    }
    std::fflush(stderr);
    line.clear();
  };
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') emit();
      else if (line.size() < 1024) line.push_back(buf[i]);
    }
  }
  if (!line.empty()) emit();
}

}  // namespace

int run_ghostscript_filter(int argc, char** argv) {
  if (argc < 6 || argc > 7) {
    std::fprintf(stderr, "Usage: %s job-id user title copies options [file]\n", argv[0]);
    return 1;
  }
  GhostscriptJob job;
  job.options = parse_job_options(argv[5], std::atoi(argv[4]));
  job.input_type = env_or("CONTENT_TYPE", "application/postscript");
  std::string final_type = env_or("FINAL_CONTENT_TYPE", "application/vnd.hp-pclxl");
  job.device = ghostscript_device(final_type, env_or("QUIRE_GS_DEVICE", ""), job.options);
  job.gs = env_or("QUIRE_GS", "/usr/bin/gs");
  if (job.device.empty()) {
    std::fprintf(stderr, "ERROR: Ghostscript cannot write %s\n", final_type.c_str());
    return 1;
  }
  bool repeat = job.options.copies > 1 && (job.options.collate || !device_makes_copies(job.device));
  std::string temp;
  if (argc == 7) job.input = argv[6];
  else if (repeat) {
    temp = spool_stdin_to_temp();
    if (temp.empty()) {
      std::fprintf(stderr, "ERROR: Unable to copy the document for %d copies: %s\n", job.options.copies, std::strerror(errno));
      return 1;
    }
    job.input = temp;
  }
  job.copies_in_stream = repeat ? job.options.copies : 1;
  int device_copies = repeat ? 1 : job.options.copies;

  SpawnSpec spec;
  spec.path = job.gs;
  spec.argv = ghostscript_argv(job);
  spec.env = current_environment();
  spec.stdin_fd = 0;
  spec.stdout_fd = 1;
  spec.process_group = ::getpgrp();
  std::fprintf(stderr, "DEBUG: quire-gs: %s to %s with -sDEVICE=%s\n", job.input_type.c_str(), final_type.c_str(),
               job.device.c_str());
  auto gs = spawn_process(spec);
  if (!gs) {
    std::fprintf(stderr, "ERROR: Unable to start Ghostscript: %s\n", gs.error().c_str());
    if (!temp.empty()) ::unlink(temp.c_str());
    return 1;
  }
  ::close(0);  // gs owns the input now; we only relay its messages
  GhostscriptPageCounter counter(job.options, job.input_type == "application/pdf", device_copies);
  std::string last_message;
  relay_stderr(gs->stderr_fd, counter, last_message);
  ::close(gs->stderr_fd);
  ::close(gs->pidfd);
  int status = reap_process(gs->pid);
  if (!temp.empty()) ::unlink(temp.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    std::fprintf(stderr, "INFO: Ghostscript wrote %d page%s\n", counter.impressions(), counter.impressions() == 1 ? "" : "s");
    return 0;
  }
  std::fprintf(stderr, "ERROR: Ghostscript failed (%s)%s%s\n", describe_wait_status(status).c_str(),
               last_message.empty() ? "" : ": ", last_message.c_str());
  return 1;
}

}  // namespace quire
