// Logging: spdlog, writing CUPS-style error_log, access_log and page_log files.
// Everything logs through these functions; each line names its object ("[Job 12]").
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace quire::log {

// Opens STATE/log/{error_log,access_log,page_log}. `also_stderr` mirrors error_log
// lines to standard error (the daemon runs in the foreground). `level` is a CUPS
// LogLevel word: none, emerg, alert, crit, error, warn, notice, info, debug, debug2.
void open(const std::filesystem::path& log_dir, std::string_view level, bool also_stderr);
// Changes the error_log level at run time (cupsctl --debug-logging).
void set_level(std::string_view level);
// Rolls error_log, access_log and page_log over to NAME.O when one would grow past
// `bytes` (cupsd.conf's MaxLogSize); 0 lets them grow. Takes effect at once.
void set_max_size(std::uint64_t bytes);
// Maps a LogLevel word to spdlog's level; false if the word is unknown.
bool parse_level(std::string_view word, spdlog::level::level_enum& out);
void flush();

// The error_log (the default logger).
inline spdlog::logger& error() { return *spdlog::default_logger_raw(); }

// Which requests access_log records: cupsd.conf's AccessLogLevel word (none, config,
// actions, all; unknown words change nothing). Below "all", as in CUPS, plain page and
// file requests are left out, and IPP requests that succeeded are logged only when
// their operation is at or under the level (config: printer and server changes;
// actions: those and job submissions and changes; queries only at "all"). Failed
// IPP requests are always logged.
void set_access_level(std::string_view level);
// Whether a request is to be logged. `ipp_operation` is 0 and `ipp_status` -1 when the
// request was not IPP or got no IPP response.
bool access_logged(std::string_view method, std::string_view resource, int ipp_operation, int ipp_status);

// One access_log line per request, as CUPS writes it:
//   host user - [date] "METHOD resource HTTP/1.1" status bytes operation ipp-status
void access(std::string_view host, std::string_view user, std::string_view method,
            std::string_view resource, int http_status, std::size_t bytes,
            std::string_view operation, std::string_view ipp_status);

// One page_log line, in CUPS's default PageLogFormat:
//   printer user job-id [date] page copies billing host job-name media sides
void page(std::string_view printer, std::string_view user, int job_id, std::string_view page,
          int copies, std::string_view billing, std::string_view host, std::string_view job_name,
          std::string_view media, std::string_view sides);

}  // namespace quire::log
