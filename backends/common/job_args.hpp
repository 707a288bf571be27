// The command line CUPS gives a backend: device-uri job-id user title copies options
// [file], with DEVICE_URI in the environment. Parsing it and opening the print data.
#pragma once

#include <expected>
#include <optional>
#include <string>

#include "unique_fd.hpp"

namespace quire::backend {

struct JobArgs {
  std::string device_uri;  // DEVICE_URI, else argv[0] (cupsBackendDeviceURI's rule)
  std::string job_id;
  std::string user;
  std::string title;
  int copies = 1;                   // copies the backend makes itself (file input only)
  std::string options;              // "name=value name2=value2", as cupsParseOptions reads it
  std::optional<std::string> file;  // absent: the data comes on stdin
};

// True when the backend was started with no arguments (discovery mode).
inline bool is_discovery(int argc) { return argc == 1; }

// Fails with a usage message for anything but 6 or 7 arguments, or when no device URI
// is known. `resolve_dnssd` lets network backends resolve dnssd:// names through libcups.
std::expected<JobArgs, std::string> parse_job_args(int argc, char** argv, bool resolve_dnssd);

// The print data: the file argument, or stdin. Fails with "Unable to open print file: ...".
std::expected<UniqueFd, std::string> open_print_data(const JobArgs& args);

// Value of one job option from argv[5] ("job-originating-host-name", ...), if present.
std::optional<std::string> find_job_option(const JobArgs& args, const char* name);

}  // namespace quire::backend
