// quire-pagecount: counts a document that reaches the printer unchanged and reports
// one PAGE: line per impression (CUPS's page_log then has a line per page).
#include "pipeline/filter_programs.hpp"

#include "pipeline/job_options.hpp"
#include "pipeline/page_count.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace quire {
namespace {

// The document as a path this process may open: argv's file, standard input through
// /proc when readable, or else a private copy (the spool file may not be ours to open).
std::string readable_input(int argc, char** argv, std::string& temp) {
  if (argc == 7) return argv[6];
  if (::access("/proc/self/fd/0", R_OK) == 0) {
    int fd = ::open("/proc/self/fd/0", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::close(fd);
      return "/proc/self/fd/0";
    }
  }
  const char* tmp = std::getenv("TMPDIR");
  temp = std::string(tmp && *tmp ? tmp : "/tmp") + "/quire-count-XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return "";
  char buf[65536];
  ssize_t n;
  while ((n = ::read(0, buf, sizeof buf)) > 0)
    if (::write(fd, buf, static_cast<std::size_t>(n)) != n) break;
  ::close(fd);
  return temp;
}

}  // namespace

int run_page_count_filter(int argc, char** argv) {
  if (argc < 6 || argc > 7) {
    std::fprintf(stderr, "Usage: %s job-id user title copies options [file]\n", argv[0]);
    return 1;
  }
  JobOptions options = parse_job_options(argv[5], std::atoi(argv[4]));
  const char* type = std::getenv("CONTENT_TYPE");
  std::string temp;
  std::string input = readable_input(argc, argv, temp);
  auto count = input.empty() ? std::unexpected(std::string("cannot read the document"))
                             : count_pages(input, type ? type : "application/octet-stream");
  if (!temp.empty()) ::unlink(temp.c_str());
  if (!count) {
    std::fprintf(stderr, "WARNING: Pages not counted: %s\n", count.error().c_str());
    return 0;
  }
  int impressions = impressions_per_copy(options, count->pages);
  for (int i = 1; i <= impressions; ++i) std::fprintf(stderr, "PAGE: %d %d\n", i, options.copies);
  std::fprintf(stderr, "DEBUG: quire-pagecount: %d pages (%s)\n", count->pages, count->method.c_str());
  return 0;
}

}  // namespace quire
