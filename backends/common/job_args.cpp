// Parses a backend's argv/environment and opens its print data.
#include "job_args.hpp"

#include <cups/backend.h>
#include <cups/cups.h>
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace quire::backend {
namespace {

std::optional<std::string> device_uri_of(char** argv, bool resolve_dnssd) {
  std::string uri;
  if (const char* env = std::getenv("DEVICE_URI"); env && *env) {
    uri = env;
  } else if (argv[0] && std::strchr(argv[0], ':')) {
    uri = argv[0];
  } else {
    return std::nullopt;
  }
  // Only DNS-SD service names ("ipp://Office._ipp._tcp.local/") need libcups's resolver;
  // it also rejects URIs like "socket://host:9100?waiteof=false" that CUPS users write.
  if (resolve_dnssd && uri.find("._tcp") != std::string::npos) {
    ::setenv("DEVICE_URI", uri.c_str(), 1);
    if (const char* resolved = cupsBackendDeviceURI(argv)) return std::string(resolved);
    return std::nullopt;
  }
  return uri;
}

}  // namespace

std::expected<JobArgs, std::string> parse_job_args(int argc, char** argv, bool resolve_dnssd) {
  if (argc != 6 && argc != 7) {
    return std::unexpected(std::string("Usage: ") + (argv[0] ? argv[0] : "backend") +
                           " job-id user title copies options [file]");
  }
  auto uri = device_uri_of(argv, resolve_dnssd);
  if (!uri) return std::unexpected(std::string("No device URI (DEVICE_URI is not set)"));
  JobArgs args;
  args.device_uri = *uri;
  args.job_id = argv[1];
  args.user = argv[2];
  args.title = argv[3];
  args.copies = std::max(1, std::atoi(argv[4]));
  args.options = argv[5];
  if (argc == 7) {
    args.file = argv[6];
  } else {
    args.copies = 1;  // the filter chain made the copies already
  }
  return args;
}

std::expected<UniqueFd, std::string> open_print_data(const JobArgs& args) {
  if (!args.file) return UniqueFd::borrowed(STDIN_FILENO);
  int fd = ::open(args.file->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::unexpected("Unable to open print file " + *args.file + ": " + std::strerror(errno));
  }
  return UniqueFd(fd);
}

std::optional<std::string> find_job_option(const JobArgs& args, const char* name) {
  cups_option_t* options = nullptr;
  int count = cupsParseOptions(args.options.c_str(), 0, &options);
  std::optional<std::string> value;
  if (const char* v = cupsGetOption(name, count, options)) value = v;
  cupsFreeOptions(count, options);
  return value;
}

}  // namespace quire::backend
