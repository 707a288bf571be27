// quired: the Quire print spooler daemon. Parses flags and runs the daemon.
#include "quire/daemon.hpp"
#include "quire/log.hpp"

#include <unistd.h>

#include <iostream>
#include <string_view>

namespace {

constexpr const char* kUsage =
    "Usage: quired --state-dir DIR [--listen ADDR:PORT]... [--lpd-listen ADDR:PORT|off]...\n"
    "              [--config FILE] [--log-level LEVEL] [--server-bin DIR] [--threads N]\n"
    "              [--pam-config-dir DIR]\n"
    "  Runs in the foreground; SIGTERM or SIGINT stops it. PORT 0 picks a free port;\n"
    "  the bound ports are printed and written to DIR/run/quired.ports.\n"
    "  --lpd-listen replaces cupsd.conf's LPDListen lines (LPD clients, RFC 1179).\n"
    "  --pam-config-dir reads the PAM service \"cups\" from DIR instead of /etc/pam.d.\n";

std::filesystem::path default_server_bin() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path("/usr/lib/quire") : exe.parent_path().parent_path() / "lib" / "quire";
}

}  // namespace

int main(int argc, char** argv) {
  quire::DaemonOptions options;
  options.server_bin = default_server_bin();
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::cerr << "quired: " << arg << " needs a value\n" << kUsage;
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--state-dir") options.state_dir = value();
    else if (arg == "--listen") options.listen.emplace_back(value());
    else if (arg == "--lpd-listen") options.lpd_listen.emplace_back(value());
    else if (arg == "--config") options.config = value();
    else if (arg == "--log-level") {
      options.log_level = value();
      spdlog::level::level_enum ignored;
      if (!quire::log::parse_level(*options.log_level, ignored)) {
        std::cerr << "quired: unknown log level \"" << *options.log_level << "\"\n";
        return 2;
      }
    } else if (arg == "--server-bin") options.server_bin = value();
    else if (arg == "--threads") options.threads = std::atoi(value());
    else if (arg == "--pam-config-dir") options.pam_config_dir = value();
    else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "quired: unknown option " << arg << "\n" << kUsage;
      return 2;
    }
  }
  if (options.state_dir.empty()) {
    std::cerr << "quired: --state-dir is required\n" << kUsage;
    return 2;
  }
  try {
    return quire::run_daemon(options);
  } catch (const std::exception& e) {
    std::cerr << "quired: " << e.what() << "\n";
    return 1;
  }
}
