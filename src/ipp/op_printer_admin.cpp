// Queue administration handlers: CUPS-Add-Modify-Printer, CUPS-Delete-Printer,
// CUPS-Set-Default, CUPS-Accept-Jobs, CUPS-Reject-Jobs, Pause-Printer,
// Resume-Printer, Cancel-Jobs, Cancel-My-Jobs and Purge-Jobs.
#include "ipp/operation.hpp"

#include <cups/cups.h>

#include <unistd.h>

namespace quire {
namespace {

// What a raw queue (and a new printer with no driver) accepts: anything, passed on as is.
const std::vector<std::string> kRawFormats = {"application/octet-stream", "application/pdf", "application/postscript",
                                              "application/vnd.cups-raw", "image/jpeg", "image/png",
                                              "image/pwg-raster", "image/urf", "text/plain"};

// A device URI an admin may set: a scheme we have a backend for, or a device path.
// Files other than /dev/null only where the configuration allows it (FileDevice).
std::optional<std::string> check_device_uri(const Operation& op, const std::string& uri) {
  bool is_path = !uri.empty() && uri[0] == '/';
  bool is_file = is_path || uri.rfind("file:", 0) == 0;
  if (is_file) {
    std::string path = is_path ? uri : uri.substr(uri.rfind("file://", 0) == 0 ? 7 : 5);
    if (path != "/dev/null" && !op.scheduler.options().server.file_device)
      return "File device URIs have been disabled (FileDevice No)";
    return std::nullopt;
  }
  auto colon = uri.find(':');
  if (colon == std::string::npos || colon == 0) return "Bad device-uri \"" + uri + "\"";
  if (op.scheduler.find_backend_path(uri.substr(0, colon)).empty())
    return "No backend for device-uri scheme \"" + uri.substr(0, colon) + "\"";
  return std::nullopt;
}

// Applies the printer-group attributes of a CUPS-Add-Modify-Printer request to `config`.
std::optional<std::string> apply_printer_attributes(const Operation& op, PrinterConfig& config) {
  const IppMessage& rq = op.request;
  auto& d = config.description;
  if (auto uri = rq.find_string("device-uri", IPP_TAG_PRINTER)) {
    if (auto problem = check_device_uri(op, *uri)) return problem;
    d.device_uri = *uri;
  }
  if (auto v = rq.find_string("printer-info", IPP_TAG_PRINTER)) d.info = *v;
  if (auto v = rq.find_string("printer-location", IPP_TAG_PRINTER)) d.location = *v;
  if (auto v = rq.find_string("printer-make-and-model", IPP_TAG_PRINTER)) d.make_and_model = *v;
  if (auto v = rq.find_string("media-default", IPP_TAG_PRINTER)) d.media_default = *v;
  if (ipp_attribute_t* a = rq.find("job-priority-default", IPP_TAG_PRINTER)) {
    int value = ippGetValueTag(a) == IPP_TAG_INTEGER ? ippGetInteger(a, 0) : std::atoi(ippGetString(a, 0, nullptr));
    if (value < 1 || value > 100) return "job-priority-default must be 1 to 100";
    d.job_priority_default = value;
  }
  // lpadmin -u allow:alice,@staff / deny:bob; "all" and "none" as CUPS spells them.
  if (ipp_attribute_t* a = rq.find("requesting-user-name-allowed", IPP_TAG_PRINTER)) {
    config.users_allowed = attribute_strings(a);
    config.users_denied.clear();
    if (config.users_allowed == std::vector<std::string>{"all"}) config.users_allowed.clear();
  }
  if (ipp_attribute_t* a = rq.find("requesting-user-name-denied", IPP_TAG_PRINTER)) {
    config.users_denied = attribute_strings(a);
    config.users_allowed.clear();
    if (config.users_denied == std::vector<std::string>{"none"}) config.users_denied.clear();
  }
  if (auto v = rq.find_boolean("printer-is-accepting-jobs", IPP_TAG_PRINTER)) config.accepting = *v;
  if (auto v = rq.find_boolean("printer-is-shared", IPP_TAG_PRINTER)) config.shared = *v;
  if (auto v = rq.find_integer("printer-state", IPP_TAG_PRINTER)) config.enabled = *v != IPP_PSTATE_STOPPED;
  if (auto v = rq.find_string("printer-state-message", IPP_TAG_PRINTER)) config.state_message = *v;
  if (auto ppd = rq.find_string("ppd-name", IPP_TAG_PRINTER).value_or(rq.find_string("ppd-name", IPP_TAG_OPERATION).value_or(""));
      !ppd.empty()) {
    if (ppd != "raw") return "Unknown model \"" + ppd + "\" (lpinfo -m lists the models)";
    d.make_and_model = "Local Raw Printer";
    d.document_formats = kRawFormats;
  }
  return std::nullopt;
}

std::string queue_name(const Operation& op) {
  std::string uri = op.request.find_string("printer-uri", IPP_TAG_OPERATION).value_or("");
  auto slash = uri.rfind('/');
  return slash == std::string::npos ? std::string() : uri.substr(slash + 1);
}

bool is_valid_queue_name(const std::string& name) {
  if (name.empty() || name.size() > 127) return false;
  for (unsigned char c : name)
    if (c <= ' ' || c == '/' || c == '#' || c == '\\' || c == '\'' || c == '"' || c == 127) return false;
  return true;
}

}  // namespace

Completion reply_when_done(const OperationPtr& op) {
  return [op](std::expected<void, std::string> result) {
    if (!result) return op->fail(IPP_STATUS_ERROR_INTERNAL, "{}", result.error());
    op->reply();
  };
}

void handle_cups_add_modify_printer(const OperationPtr& op) {
  std::string name = op->printer ? op->printer->name() : queue_name(*op);
  if (!is_valid_queue_name(name)) return op->fail(IPP_STATUS_ERROR_BAD_REQUEST, "Bad printer name \"{}\"", name);
  PrinterConfig config;
  if (op->printer) {
    config = op->printer->config;
  } else {
    config.description.name = name;
    config.description.document_formats = kRawFormats;
    config.enabled = false;  // a new queue starts stopped and rejecting, as CUPS does (lpadmin -E enables it)
    config.accepting = false;
    char uuid[64];
    httpAssembleUUID(op->host().c_str(), 0, name.c_str(), 0, uuid, sizeof uuid);
    config.description.uuid = uuid;
  }
  if (auto problem = apply_printer_attributes(*op, config)) return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "{}", *problem);
  if (config.description.device_uri.empty()) config.description.device_uri = "file:///dev/null";
  op->scheduler.add_or_modify_printer(std::move(config), reply_when_done(op));
}

void handle_cups_delete_printer(const OperationPtr& op) {
  op->scheduler.delete_printer(op->printer->name(), reply_when_done(op));
}

void handle_cups_set_default(const OperationPtr& op) {
  op->scheduler.set_default_printer(op->printer->name(), reply_when_done(op));
}

void handle_cups_accept_jobs(const OperationPtr& op) {
  op->scheduler.set_accepting(*op->printer, true, "", reply_when_done(op));
}

void handle_cups_reject_jobs(const OperationPtr& op) {
  std::string reason = op->request.find_string("printer-state-message", IPP_TAG_OPERATION).value_or("Rejecting Jobs");
  op->scheduler.set_accepting(*op->printer, false, reason, reply_when_done(op));
}

void handle_pause_printer(const OperationPtr& op) {
  op->printer->message = op->request.find_string("printer-state-message", IPP_TAG_OPERATION).value_or("Paused");
  op->scheduler.set_printer_enabled(*op->printer, false, reply_when_done(op));
}

void handle_resume_printer(const OperationPtr& op) {
  op->printer->message.clear();
  op->scheduler.set_printer_enabled(*op->printer, true, reply_when_done(op));
}

void handle_hold_new_jobs(const OperationPtr& op) {
  op->scheduler.set_holding_new_jobs(*op->printer, op->request.operation() == IPP_OP_HOLD_NEW_JOBS);
  op->reply();
}

// Cancel-Jobs and Purge-Jobs (administrators) and Cancel-My-Jobs (anyone, own jobs).
void handle_cancel_jobs(const OperationPtr& op) {
  ipp_op_t which = op->request.operation();
  std::string printer = op->printer ? op->printer->name() : std::string();
  std::string user = which == IPP_OP_CANCEL_MY_JOBS ? op->user : std::string();
  if (auto only = op->request.find_string("requesting-user-name", IPP_TAG_OPERATION);
      which == IPP_OP_CANCEL_JOBS && only && op->request.find_boolean("my-jobs", IPP_TAG_OPERATION).value_or(false))
    user = *only;
  op->scheduler.cancel_jobs(printer, user, which == IPP_OP_PURGE_JOBS, reply_when_done(op));
}

}  // namespace quire
