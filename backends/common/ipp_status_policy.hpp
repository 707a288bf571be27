// What an IPP status from the remote printer means for the job: the one place where
// remote errors become backend exit codes (see docs/backends.md for the table).
#pragma once

#include <cups/ipp.h>

#include <string_view>

#include "backend_status.hpp"

namespace quire::backend {

// Busy, not accepting, or "not possible right now": worth waiting for in-process while
// no document data has been consumed, and a RETRY exit otherwise.
bool is_temporary_ipp_status(ipp_status_t status);

// Reports an ERROR line naming `operation` and the status, plus ATTR: auth-info-required
// when credentials are missing, and returns the exit code:
//   not-authenticated, not-authorized, forbidden, authentication-canceled → AUTH_REQUIRED
//   busy, service-unavailable, not-accepting-jobs, not-possible, temporary-error,
//   too-many-jobs                                                         → RETRY
//   account-* (and CUPS's older cups-error-account-*)                     → HOLD
//   not-found (queue gone), internal-error                                → STOP
//   document-format-not-supported, attributes-or-values-not-supported,
//   job-canceled                                                          → CANCEL
//   bad-request, request-entity/value-too-long, conflicting               → FAILED
//   anything else                                                         → RETRY_CURRENT
ExitCode exit_code_for_ipp_status(ipp_status_t status, std::string_view operation,
                                  std::string_view message);

}  // namespace quire::backend
