// Exit codes and stderr status lines of a CUPS-convention backend: what the scheduler
// reads from us. Every backend reports through these functions, nothing else.
#pragma once

#include <string>
#include <string_view>

namespace quire::backend {

// CUPS's cups_backend_t values (cups/backend.h); the scheduler maps them to job and
// printer states through the printer's error policy.
enum class ExitCode : int {
  kOk = 0,            // job delivered (or canceled on request: see docs/backends.md)
  kFailed = 1,        // delivery failed; the printer-error-policy decides what happens
  kAuthRequired = 2,  // the device wants credentials (AUTH_INFO_REQUIRED)
  kHold = 3,          // hold the job
  kStop = 4,          // stop the queue, keep the job
  kCancel = 5,        // cancel the job
  kRetry = 6,         // retry the job later
  kRetryCurrent = 7,  // retry the job now
};

constexpr int to_int(ExitCode code) { return static_cast<int>(code); }

// Status lines on stderr, one write(2) each so that lines never interleave.
void report_state(std::string_view reasons);  // "+connecting-to-device", "-offline-report"
void report_info(std::string_view message);
void report_warning(std::string_view message);
void report_error(std::string_view message);
void report_debug(std::string_view message);
void report_attr(std::string_view name_equals_value);  // "auth-info-required=username,password"
void report_page(int page, int copies);
// A whole status line made elsewhere ("INFO: ..."), kept on one line.
void report_line(std::string_view line);

// "ERROR: <what>: <strerror(err)>"
void report_errno(std::string_view what, int err);

// One discovery line on stdout, quoted like libcups's cupsBackendReport():
//   class uri "make-and-model" "info" "device-id" "location"
void report_device(std::string_view device_class, std::string_view uri,
                   std::string_view make_and_model, std::string_view info,
                   std::string_view device_id, std::string_view location);

}  // namespace quire::backend
