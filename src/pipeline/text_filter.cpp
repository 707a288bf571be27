// quire-texttops: typesets UTF-8 text with paps (Debian's, Pango-based): monospace,
// a header with the title, date and page number on every page, long lines wrapped.
// The page size follows the job's media (paps knows a4, letter and legal).
#include "pipeline/filter_programs.hpp"

#include "pipeline/job_options.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace quire {

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
  std::vector<std::string> args = {paps && *paps ? paps : "/usr/bin/paps", "--header", "--paper=" + paper,
                                   "--font=Monospace 10", "--encoding=UTF-8"};
  if (options.orientation == 4 || options.orientation == 5) args.emplace_back("--landscape");
  if (argc == 7) args.emplace_back(argv[6]);
  std::vector<char*> c_args;
  for (auto& a : args) c_args.push_back(a.data());
  c_args.push_back(nullptr);
  std::fprintf(stderr, "DEBUG: quire-texttops: paps --paper=%s\n", paper.c_str());
  std::fflush(stderr);
  ::execv(c_args[0], c_args.data());
  std::perror("ERROR: Unable to run paps");
  return 1;
}

}  // namespace quire
