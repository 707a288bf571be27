// The main() of a network backend that takes its settings from the device URI (socket,
// lpd): the discovery line, the job's arguments, the URI's settings, then print.
#pragma once

#include "common/backend_process.hpp"
#include "common/backend_status.hpp"
#include "common/job_args.hpp"

#include <expected>
#include <string>

namespace quire::backend {

template <typename Settings>
int network_backend_main(int argc, char** argv, const char* scheme, const char* info,
                         std::expected<Settings, std::string> (*read_settings)(const std::string& device_uri),
                         ExitCode (*print)(const JobArgs& args, const Settings& settings)) {
  start_backend();
  if (is_discovery(argc)) {
    report_device("network", scheme, "Unknown", info, "", "");
    return to_int(ExitCode::kOk);
  }
  auto args = parse_job_args(argc, argv, /*resolve_dnssd=*/true);
  if (!args) {
    report_error(args.error());
    return to_int(ExitCode::kFailed);
  }
  auto settings = read_settings(args->device_uri);
  if (!settings) {  // a misconfigured queue: retrying cannot help
    report_error(settings.error());
    return to_int(ExitCode::kStop);
  }
  return to_int(print(*args, *settings));
}

}  // namespace quire::backend
