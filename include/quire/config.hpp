// Configuration files an admin already knows: cupsd.conf (server settings) and
// printers.conf (queues). Parsing reports file, line and problem; writing is atomic.
#pragma once

#include "quire/access_rules.hpp"
#include "quire/printer_attributes.hpp"

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

// A problem in a configuration file. Fatal ones stop the daemon from starting.
struct ConfigDiagnostic {
  std::filesystem::path file;
  int line = 0;
  std::string message;
  bool fatal = true;
  std::string to_string() const;  // "cupsd.conf:12: unknown directive \"Lisen\""
};

// cupsd.conf directives Quire understands (others are warned about and ignored).
struct ServerConfig {
  std::vector<std::string> listen;        // Listen / Port lines, "addr:port" or "/path"
  std::string log_level = "warn";          // LogLevel
  int max_jobs = 500;                     // MaxJobs: jobs kept in memory (0 = no limit)
  bool preserve_job_history = true;       // PreserveJobHistory Yes/No
  // PreserveJobFiles: seconds a finished job keeps its documents (Restart-Job needs them);
  // Yes is kForever, No is 0. CUPS's default: one day.
  static constexpr int kForever = -1;
  int preserve_job_files = 86400;
  std::uint64_t max_request_size = 0;     // MaxRequestSize in bytes, 0 = unlimited
  std::string server_name;                // ServerName
  std::vector<std::string> server_bin_extra;  // ServerBinPath: extra dirs searched first for backends
  int max_jobs_per_printer = 0;
  bool file_device = false;               // FileDevice: may queues print to files other than /dev/null
  std::vector<std::string> lpd_listen;    // LPDListen lines: the LPD front end's "addr:port"
  int lpd_timeout = 60;                   // LPDTimeout: seconds an LPD client may stall
  // Who may do what (src/auth applies these; cupsctl changes them without a restart).
  std::vector<std::string> system_groups = {"root", "lpadmin"};  // SystemGroup: administrators
  std::string default_policy = "default";  // DefaultPolicy: the <Policy> IPP operations use
  AuthType default_auth_type = AuthType::kBasic;  // DefaultAuthType (AuthType Default means this)
  AccessConfig access;                    // <Location> and <Policy> sections; CUPS's default policy when none
  std::vector<std::string> server_alias;  // ServerAlias: other host names remote clients may use
  bool web_interface = true;              // WebInterface: serve the web pages (not /admin/conf)
  std::uint64_t max_log_size = 1024 * 1024;  // MaxLogSize: error_log rolls to error_log.O past this (0: never)
  std::string access_log_level = "actions";  // AccessLogLevel: none, config, actions (CUPS's default) or all
  bool browsing = true;                   // Browsing: accepted, no DNS-SD yet
  std::string browse_local_protocols = "dnssd";  // BrowseLocalProtocols: accepted, inert
  int filter_timeout = 300;               // FilterTimeout: seconds without output before a filter is killed
  int job_retry_interval = 30;            // JobRetryInterval: seconds (ErrorPolicy retry-job)
  int job_retry_limit = 5;                // JobRetryLimit: attempts (ErrorPolicy retry-*)
  std::vector<ConfigDiagnostic> warnings;
};

// One queue in printers.conf.
struct PrinterConfig {
  PrinterDescription description;
  bool is_default = false;                // <DefaultPrinter name>
  bool accepting = true;                  // Accepting Yes/No
  bool enabled = true;                    // State Idle / Stopped
  std::string state_message;              // StateMessage
  bool shared = true;                     // Shared Yes/No
  std::vector<std::string> members;       // a class's printers ("Printer NAME" in classes.conf)
  // Who may print here (lpadmin -u allow:/deny:): user names, "@group"s. Empty allow = all.
  std::vector<std::string> users_allowed;  // AllowUser
  std::vector<std::string> users_denied;   // DenyUser
  std::string driver;                     // Driver id (quire/drivers.hpp) or PPD path; "" = raw
  std::string error_policy = "abort-job"; // ErrorPolicy: abort-job, retry-current-job, retry-job, stop-printer
};

std::expected<ServerConfig, ConfigDiagnostic> load_server_config(const std::filesystem::path& file);
// Parses cupsd.conf text; diagnostics name `file` (the file the text is for).
std::expected<ServerConfig, ConfigDiagnostic> parse_server_config(std::string_view text,
                                                                  const std::filesystem::path& file);
// Reads printers.conf or classes.conf: <Printer>/<DefaultPrinter> and
// <Class>/<DefaultClass> sections (description.is_class set for classes).
std::expected<std::vector<PrinterConfig>, ConfigDiagnostic> load_printers_conf(const std::filesystem::path& file);

// Writes printers.conf (or classes.conf) via a temporary file, fsync and rename.
std::expected<void, std::string> save_printers_conf(const std::filesystem::path& file,
                                                    const std::vector<PrinterConfig>& printers);
// The same text piece by piece, for a writer that holds its queues elsewhere: the
// comment that opens the file, then one <Printer>/<Class> section per queue (the
// default-destination mark and state message given, not taken from `p`).
std::string printers_conf_header();
void append_printer_entry(std::string& out, const PrinterConfig& p, bool is_default, std::string_view state_message);

// Writes text to `file` atomically (temp, fsync, rename, fsync dir).
std::expected<void, std::string> write_file_atomically(const std::filesystem::path& file, std::string_view text);

// The default configuration of a fresh state directory: cupsd.conf text, with CUPS's
// default <Location> and <Policy> sections. STATE/cupsd.conf.default keeps a copy.
std::string default_cupsd_conf();

}  // namespace quire
