// CUPS-format log files over spdlog: error_log with level letters, access_log and
// page_log as plain lines with CUPS's bracketed dates.
#include "quire/log.hpp"

#include "core/rolling_file_sink.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <cups/ipp.h>

#include <atomic>
#include <ctime>
#include <iterator>
#include <memory>
#include <utility>

namespace quire::log {
namespace {

std::shared_ptr<spdlog::logger> g_access;
std::shared_ptr<spdlog::logger> g_page;
std::vector<std::shared_ptr<RollingFileSink>> g_files;  // error_log, access_log, page_log
constexpr std::uint64_t kDefaultMaxSize = 1024 * 1024;   // CUPS's MaxLogSize default

// CUPS writes one letter per level: E W N I D d.
class LevelLetter final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    char c = 'I';
    switch (msg.level) {
      case spdlog::level::critical: c = 'C'; break;
      case spdlog::level::err: c = 'E'; break;
      case spdlog::level::warn: c = 'W'; break;
      case spdlog::level::info: c = 'I'; break;
      case spdlog::level::debug: c = 'D'; break;
      case spdlog::level::trace: c = 'd'; break;
      default: break;
    }
    dest.push_back(c);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelLetter>(); }
};

// CUPS's date: [25/Nov/2026:08:17:46 +0000] (spdlog's %z would give +00:00).
class CupsDate final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::time_t t = std::chrono::system_clock::to_time_t(msg.time);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    std::size_t n = std::strftime(buf, sizeof buf, "[%d/%b/%Y:%H:%M:%S %z]", &tm);
    dest.append(buf, buf + n);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<CupsDate>(); }
};

std::unique_ptr<spdlog::formatter> cups_formatter() {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<LevelLetter>('*');
  f->add_flag<CupsDate>('&');
  f->set_pattern("%* %& %v");
  return f;
}

std::shared_ptr<RollingFileSink> log_file(const std::filesystem::path& path) {
  auto sink = std::make_shared<RollingFileSink>(path, kDefaultMaxSize);
  g_files.push_back(sink);
  return sink;
}

std::shared_ptr<spdlog::logger> plain_file_logger(const std::string& name, const std::filesystem::path& path) {
  auto sink = log_file(path);
  auto logger = std::make_shared<spdlog::logger>(name, sink);
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v"));
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return logger;
}

std::string cups_date() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "[%d/%b/%Y:%H:%M:%S %z]", &tm);
  return buf;
}

std::string_view or_dash(std::string_view s) { return s.empty() ? std::string_view("-") : s; }

}  // namespace

bool parse_level(std::string_view word, spdlog::level::level_enum& out) {
  if (word == "none") out = spdlog::level::off;
  else if (word == "emerg" || word == "alert" || word == "crit") out = spdlog::level::critical;
  else if (word == "error") out = spdlog::level::err;
  else if (word == "warn") out = spdlog::level::warn;
  else if (word == "notice" || word == "info") out = spdlog::level::info;
  else if (word == "debug") out = spdlog::level::debug;
  else if (word == "debug2") out = spdlog::level::trace;
  else return false;
  return true;
}

void open(const std::filesystem::path& log_dir, std::string_view level, bool also_stderr) {
  std::filesystem::create_directories(log_dir);
  std::vector<spdlog::sink_ptr> sinks;
  g_files.clear();
  sinks.push_back(log_file(log_dir / "error_log"));
  if (also_stderr) sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  auto error_logger = std::make_shared<spdlog::logger>("error_log", sinks.begin(), sinks.end());
  error_logger->set_formatter(cups_formatter());
  spdlog::set_default_logger(error_logger);
  set_level(level);
  error_logger->flush_on(spdlog::level::trace);  // every line, as CUPS writes them
  spdlog::flush_every(std::chrono::seconds(1));
  g_access = plain_file_logger("access_log", log_dir / "access_log");
  g_page = plain_file_logger("page_log", log_dir / "page_log");
}

void set_level(std::string_view level) {
  spdlog::level::level_enum lvl = spdlog::level::info;
  parse_level(level, lvl);
  spdlog::default_logger_raw()->set_level(lvl);
}

void set_max_size(std::uint64_t bytes) {
  for (const auto& file : g_files) file->set_max_size(bytes);
}

namespace {

// AccessLogLevel, least to most.
enum AccessLevel : int { kAccessNone, kAccessConfig, kAccessActions, kAccessAll };
std::atomic<int> g_access_level{kAccessActions};  // CUPS's default

// The least AccessLogLevel at which a successful request of operation `op` is logged
// (CUPS's own tables, scheduler/log.c); operations they do not name are always logged.
int operation_access_level(int op) {
  constexpr AccessLevel A = kAccessActions, C = kAccessConfig, L = kAccessAll;
  static constexpr AccessLevel kStandard[] = {
      L, L, A, A, A, A, A, A, A,  // reserved x2, Print-Job, Print-URI, Validate-Job, Create-Job, Send-Document, Send-URI, Cancel-Job
      L, L, L,                    // Get-Job-Attributes, Get-Jobs, Get-Printer-Attributes
      A, A, A, L,                 // Hold-Job, Release-Job, Restart-Job, reserved
      C, C, C, C, A, C,           // Pause-, Resume-Printer, Purge-Jobs, Set-Printer-, Set-Job-Attributes, Get-Printer-Supported-Values
      A, A, L, L, A, A, L, A,     // subscriptions: create x2, get x2, renew, cancel, Get-, Send-Notifications
      L, L, L, L,                 // reserved x3, Get-Print-Support-Files
      C, C, C, A, A,              // Enable-, Disable-Printer, Pause-Printer-After-Current-Job, Hold-, Release-Held-New-Jobs
      C, C, C, C, C,              // Deactivate-, Activate-, Restart-, Shutdown-, Startup-Printer
      A, A, A, A, A, A};          // Reprocess-, Cancel-Current-, Suspend-Current-, Resume-, Promote-Job, Schedule-Job-After
  static constexpr AccessLevel kCups[] = {
      L, L, C, C, L, C, C,  // Get-Default, Get-Printers, Add-Modify-, Delete-Printer, Get-Classes, Add-Modify-, Delete-Class
      C, C, C, C, C,        // Accept-, Reject-Jobs, Set-Default, Get-Devices, Get-PPDs
      A, A, L};             // Move-Job, Authenticate-Job, Get-PPD
  if (op >= 0 && op < static_cast<int>(std::size(kStandard))) return kStandard[op];
  if (op >= IPP_OP_CUPS_GET_DEFAULT && op < IPP_OP_CUPS_GET_DEFAULT + static_cast<int>(std::size(kCups)))
    return kCups[op - IPP_OP_CUPS_GET_DEFAULT];
  return kAccessNone;
}

}  // namespace

void set_access_level(std::string_view level) {
  static constexpr std::pair<std::string_view, AccessLevel> kWords[] = {
      {"none", kAccessNone}, {"config", kAccessConfig}, {"actions", kAccessActions}, {"all", kAccessAll}};
  for (const auto& [word, value] : kWords)
    if (word == level) g_access_level = value;
}

bool access_logged(std::string_view method, std::string_view resource, int ipp_operation, int ipp_status) {
  const int level = g_access_level;
  if (level == kAccessNone) return false;
  if (level == kAccessAll) return true;
  if (method == "GET") return resource.starts_with("/admin/conf") || resource.starts_with("/admin/log");
  if (method == "POST" && ipp_operation == 0) return resource.starts_with("/admin");
  if (method != "POST" && method != "PUT") return false;
  const bool succeeded = ipp_status >= 0 && (ipp_status < IPP_STATUS_REDIRECTION_OTHER_SITE ||
                                             ipp_status == IPP_STATUS_ERROR_NOT_FOUND);
  return !succeeded || ipp_operation == 0 || operation_access_level(ipp_operation) <= level;
}

void flush() {
  spdlog::default_logger_raw()->flush();
  if (g_access) g_access->flush();
  if (g_page) g_page->flush();
}

void access(std::string_view host, std::string_view user, std::string_view method,
            std::string_view resource, int http_status, std::size_t bytes,
            std::string_view operation, std::string_view ipp_status) {
  if (!g_access) return;
  g_access->info("{} {} - {} \"{} {} HTTP/1.1\" {} {} {} {}", or_dash(host), or_dash(user), cups_date(),
                 method, resource, http_status, bytes, or_dash(operation), or_dash(ipp_status));
}

void page(std::string_view printer, std::string_view user, int job_id, std::string_view page,
          int copies, std::string_view billing, std::string_view host, std::string_view job_name,
          std::string_view media, std::string_view sides) {
  if (!g_page) return;
  g_page->info("{} {} {} {} {} {} {} {} {} {} {}", printer, or_dash(user), job_id, cups_date(), page, copies,
               or_dash(billing), or_dash(host), or_dash(job_name), or_dash(media), or_dash(sides));
}

}  // namespace quire::log
