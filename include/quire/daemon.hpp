// Daemon: builds Quire's objects from a state directory and runs them until SIGTERM
// or SIGINT. quired's main() parses flags into DaemonOptions and calls run_daemon().
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace quire {

struct DaemonOptions {
  std::filesystem::path state_dir;
  std::vector<std::string> listen;              // overrides cupsd.conf's Listen lines when not empty
  std::vector<std::string> lpd_listen;          // overrides LPDListen lines when not empty; "off": none
  std::optional<std::filesystem::path> config;  // default: STATE/cupsd.conf
  std::optional<std::string> log_level;         // overrides LogLevel
  std::filesystem::path server_bin;             // where backends/ and filters/ live
  int threads = 0;                              // 0: one per core
  // Where PAM finds the "cups" service file instead of /etc/pam.d (tests).
  std::optional<std::filesystem::path> pam_config_dir;
};

// Creates a fresh state directory's layout and default configuration (cupsd.conf and
// a printers.conf with the `demo` queue writing to STATE/output/). Existing files
// are left alone.
void initialize_state_dir(const std::filesystem::path& state_dir);

// Runs the daemon in the foreground; returns the process exit code.
int run_daemon(const DaemonOptions& options);

}  // namespace quire
