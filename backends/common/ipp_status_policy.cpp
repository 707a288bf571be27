// Remote IPP status → backend exit code, following CUPS's ipp backend except where
// docs/backends.md says otherwise.
#include "ipp_status_policy.hpp"

#include <string>

namespace quire::backend {

bool is_temporary_ipp_status(ipp_status_t status) {
  switch (status) {
    case IPP_STATUS_ERROR_BUSY:
    case IPP_STATUS_ERROR_SERVICE_UNAVAILABLE:
    case IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS:
    case IPP_STATUS_ERROR_NOT_POSSIBLE:
    case IPP_STATUS_ERROR_TEMPORARY:
    case IPP_STATUS_ERROR_TOO_MANY_JOBS:
      return true;
    default:
      return false;
  }
}

namespace {

ExitCode classify(ipp_status_t status) {
  if (is_temporary_ipp_status(status)) return ExitCode::kRetry;
  switch (status) {
    case IPP_STATUS_ERROR_NOT_AUTHENTICATED:
    case IPP_STATUS_ERROR_NOT_AUTHORIZED:
    case IPP_STATUS_ERROR_FORBIDDEN:
    case IPP_STATUS_ERROR_CUPS_AUTHENTICATION_CANCELED:
      return ExitCode::kAuthRequired;
    case IPP_STATUS_ERROR_ACCOUNT_INFO_NEEDED:
    case IPP_STATUS_ERROR_ACCOUNT_CLOSED:
    case IPP_STATUS_ERROR_ACCOUNT_LIMIT_REACHED:
    case IPP_STATUS_ERROR_ACCOUNT_AUTHORIZATION_FAILED:
    case IPP_STATUS_ERROR_CUPS_ACCOUNT_INFO_NEEDED:
    case IPP_STATUS_ERROR_CUPS_ACCOUNT_CLOSED:
    case IPP_STATUS_ERROR_CUPS_ACCOUNT_LIMIT_REACHED:
    case IPP_STATUS_ERROR_CUPS_ACCOUNT_AUTHORIZATION_FAILED:
      return ExitCode::kHold;
    case IPP_STATUS_ERROR_NOT_FOUND:
    case IPP_STATUS_ERROR_INTERNAL:
      return ExitCode::kStop;
    case IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED:
    case IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES:
    case IPP_STATUS_ERROR_JOB_CANCELED:
      return ExitCode::kCancel;
    case IPP_STATUS_ERROR_BAD_REQUEST:
    case IPP_STATUS_ERROR_REQUEST_ENTITY:
    case IPP_STATUS_ERROR_REQUEST_VALUE:
    case IPP_STATUS_ERROR_CONFLICTING:
      return ExitCode::kFailed;
    default:
      return ExitCode::kRetryCurrent;
  }
}

std::string explain(ExitCode code) {
  switch (code) {
    case ExitCode::kAuthRequired:
      return "the printer wants credentials";
    case ExitCode::kHold:
      return "holding the job for accounting information";
    case ExitCode::kStop:
      return "the printer configuration is incorrect or the printer no longer exists";
    case ExitCode::kCancel:
      return "the printer cannot print this job";
    case ExitCode::kRetry:
      return "will retry the job later";
    case ExitCode::kRetryCurrent:
      return "will retry the job";
    default:
      return "the job failed";
  }
}

}  // namespace

ExitCode exit_code_for_ipp_status(ipp_status_t status, std::string_view operation,
                                  std::string_view message) {
  ExitCode code = classify(status);
  std::string line = std::string(operation) + " failed: " + ippErrorString(status);
  if (!message.empty() && message != ippErrorString(status))
    line += " (" + std::string(message) + ")";
  report_error(line + "; " + explain(code) + ".");
  if (code == ExitCode::kAuthRequired) report_attr("auth-info-required=username,password");
  return code;
}

}  // namespace quire::backend
