// The IPP dispatcher: the operation table, the checks every request gets, target
// resolution and authorization — once, here, not in each handler.
#include "quire/ipp_dispatcher.hpp"

#include "ipp/operation.hpp"
#include "quire/access_control.hpp"
#include "quire/log.hpp"

#include <boost/asio/post.hpp>
#include <cups/cups.h>

#include <array>
#include <cstring>

namespace quire {
namespace {

// kNewPrinter: printer-uri names a queue that may not exist yet (CUPS-Add-Modify-Printer).
// kJobOrPrinter: a job when job-id/job-uri is given, else a printer (CUPS-Move-Job).
enum class Target { kSystem, kPrinter, kPrinterOrSystem, kNewPrinter, kJob, kJobOrPrinter };
enum class Permission { kAnyone, kJobOwner, kAdmin };

struct OperationEntry {
  ipp_op_t op;
  void (*handler)(const OperationPtr&);
  Target target;
  Permission permission;
};

constexpr std::array kOperations = {
    OperationEntry{IPP_OP_PRINT_JOB, handle_print_job, Target::kPrinter, Permission::kAnyone},
    OperationEntry{IPP_OP_VALIDATE_JOB, handle_validate_job, Target::kPrinter, Permission::kAnyone},
    OperationEntry{IPP_OP_CREATE_JOB, handle_create_job, Target::kPrinter, Permission::kAnyone},
    OperationEntry{IPP_OP_SEND_DOCUMENT, handle_send_document, Target::kJob, Permission::kJobOwner},
    OperationEntry{IPP_OP_CLOSE_JOB, handle_close_job, Target::kJob, Permission::kJobOwner},
    OperationEntry{IPP_OP_CANCEL_JOB, handle_cancel_job, Target::kJob, Permission::kJobOwner},
    OperationEntry{IPP_OP_HOLD_JOB, handle_hold_job, Target::kJob, Permission::kJobOwner},
    OperationEntry{IPP_OP_RELEASE_JOB, handle_release_job, Target::kJob, Permission::kJobOwner},
    OperationEntry{IPP_OP_SET_JOB_ATTRIBUTES, handle_set_job_attributes, Target::kJob, Permission::kJobOwner},
    OperationEntry{IPP_OP_RESTART_JOB, handle_restart_job, Target::kJob, Permission::kJobOwner},
    OperationEntry{IPP_OP_CUPS_MOVE_JOB, handle_cups_move_job, Target::kJobOrPrinter, Permission::kJobOwner},
    OperationEntry{IPP_OP_CUPS_ADD_MODIFY_PRINTER, handle_cups_add_modify_printer, Target::kNewPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_CUPS_DELETE_PRINTER, handle_cups_delete_printer, Target::kPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_CUPS_ADD_MODIFY_CLASS, handle_cups_add_modify_class, Target::kNewPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_CUPS_DELETE_CLASS, handle_cups_delete_class, Target::kPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_CUPS_GET_CLASSES, handle_cups_get_classes, Target::kSystem, Permission::kAnyone},
    OperationEntry{IPP_OP_CUPS_GET_DEVICES, handle_cups_get_devices, Target::kSystem, Permission::kAdmin},
    OperationEntry{IPP_OP_CUPS_GET_PPDS, handle_cups_get_ppds, Target::kSystem, Permission::kAnyone},
    OperationEntry{IPP_OP_CUPS_SET_DEFAULT, handle_cups_set_default, Target::kPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_CUPS_ACCEPT_JOBS, handle_cups_accept_jobs, Target::kPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_CUPS_REJECT_JOBS, handle_cups_reject_jobs, Target::kPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_PAUSE_PRINTER, handle_pause_printer, Target::kPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_RESUME_PRINTER, handle_resume_printer, Target::kPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_DISABLE_PRINTER, handle_pause_printer, Target::kPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_ENABLE_PRINTER, handle_resume_printer, Target::kPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_HOLD_NEW_JOBS, handle_hold_new_jobs, Target::kPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_RELEASE_HELD_NEW_JOBS, handle_hold_new_jobs, Target::kPrinter, Permission::kAdmin},
    OperationEntry{IPP_OP_CANCEL_JOBS, handle_cancel_jobs, Target::kPrinterOrSystem, Permission::kAdmin},
    OperationEntry{IPP_OP_PURGE_JOBS, handle_cancel_jobs, Target::kPrinterOrSystem, Permission::kAdmin},
    OperationEntry{IPP_OP_CANCEL_MY_JOBS, handle_cancel_jobs, Target::kPrinterOrSystem, Permission::kAnyone},
    OperationEntry{IPP_OP_GET_JOB_ATTRIBUTES, handle_get_job_attributes, Target::kJob, Permission::kAnyone},
    OperationEntry{IPP_OP_GET_JOBS, handle_get_jobs, Target::kPrinterOrSystem, Permission::kAnyone},
    OperationEntry{IPP_OP_GET_PRINTER_ATTRIBUTES, handle_get_printer_attributes, Target::kPrinter, Permission::kAnyone},
    OperationEntry{IPP_OP_CUPS_GET_PRINTERS, handle_cups_get_printers, Target::kSystem, Permission::kAnyone},
    OperationEntry{IPP_OP_CUPS_GET_DEFAULT, handle_cups_get_default, Target::kSystem, Permission::kAnyone},
};

const OperationEntry* find_entry(ipp_op_t op) {
  for (const auto& e : kOperations)
    if (e.op == op) return &e;
  return nullptr;
}

// The request header and the two attributes every request starts with (RFC 8011
// §4.1.4). Returns successful-ok or the status to answer.
ipp_status_t check_header(Operation& op) {
  const IppMessage& rq = op.request;
  int major = rq.version_major();
  if (major < 1 || major > 2) {
    op.response.add_string(IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message", "Unsupported IPP version");
    return IPP_STATUS_ERROR_VERSION_NOT_SUPPORTED;
  }
  if (rq.request_id() <= 0) return IPP_STATUS_ERROR_BAD_REQUEST;
  ipp_attribute_t* first = ippFirstAttribute(rq.get());
  ipp_attribute_t* second = first ? ippNextAttribute(rq.get()) : nullptr;
  auto is = [](ipp_attribute_t* a, const char* name, ipp_tag_t tag) {
    return a && attribute_name(a) == name && ippGetGroupTag(a) == IPP_TAG_OPERATION && ippGetValueTag(a) == tag &&
           ippGetCount(a) == 1;
  };
  if (!is(first, "attributes-charset", IPP_TAG_CHARSET) || !is(second, "attributes-natural-language", IPP_TAG_LANGUAGE))
    return IPP_STATUS_ERROR_BAD_REQUEST;
  const char* charset = ippGetString(first, 0, nullptr);
  if (!charset || (strcasecmp(charset, "utf-8") != 0 && strcasecmp(charset, "us-ascii") != 0)) {
    op.response.copy_attribute(first, IPP_TAG_UNSUPPORTED_GROUP);
    return IPP_STATUS_ERROR_CHARSET;
  }
  // Every operation attribute must come first, in one group, before any other group.
  bool left_operation_group = false;
  for (ipp_attribute_t* a = ippFirstAttribute(rq.get()); a; a = ippNextAttribute(rq.get())) {
    ipp_tag_t group = ippGetGroupTag(a);
    if (group != IPP_TAG_OPERATION && group != IPP_TAG_ZERO) left_operation_group = true;
    else if (group == IPP_TAG_OPERATION && left_operation_group) return IPP_STATUS_ERROR_BAD_REQUEST;
  }
  return IPP_STATUS_OK;
}

// The value tags the common operation attributes must have.
ipp_status_t check_operation_attribute_tags(Operation& op) {
  struct Rule { const char* name; ipp_tag_t tag; ipp_tag_t alt; };
  static constexpr Rule kRules[] = {
      {"printer-uri", IPP_TAG_URI, IPP_TAG_URI},
      {"job-uri", IPP_TAG_URI, IPP_TAG_URI},
      {"job-id", IPP_TAG_INTEGER, IPP_TAG_INTEGER},
      {"requesting-user-name", IPP_TAG_NAME, IPP_TAG_NAMELANG},
      {"job-name", IPP_TAG_NAME, IPP_TAG_NAMELANG},
      {"document-name", IPP_TAG_NAME, IPP_TAG_NAMELANG},
      {"document-format", IPP_TAG_MIMETYPE, IPP_TAG_MIMETYPE},
      {"requested-attributes", IPP_TAG_KEYWORD, IPP_TAG_KEYWORD},
      {"limit", IPP_TAG_INTEGER, IPP_TAG_INTEGER},
      {"which-jobs", IPP_TAG_KEYWORD, IPP_TAG_KEYWORD},
      {"my-jobs", IPP_TAG_BOOLEAN, IPP_TAG_BOOLEAN},
      {"last-document", IPP_TAG_BOOLEAN, IPP_TAG_BOOLEAN},
      {"ipp-attribute-fidelity", IPP_TAG_BOOLEAN, IPP_TAG_BOOLEAN},
  };
  for (const auto& rule : kRules) {
    ipp_attribute_t* a = op.request.find(rule.name, IPP_TAG_OPERATION);
    if (!a) continue;
    ipp_tag_t tag = ippGetValueTag(a);
    bool multi_ok = std::strcmp(rule.name, "requested-attributes") == 0;
    if ((tag != rule.tag && tag != rule.alt) || (!multi_ok && ippGetCount(a) != 1)) {
      op.response.copy_attribute(a, IPP_TAG_UNSUPPORTED_GROUP);
      op.response.add_string(IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message",
                             std::string("Bad ") + rule.name + " value");
      return IPP_STATUS_ERROR_BAD_REQUEST;
    }
  }
  return IPP_STATUS_OK;
}

// "/printers/NAME", "/classes/NAME", "/ipp/print/NAME" → NAME; "/" → "" (system).
std::optional<std::string> queue_name_from_uri(const char* uri) {
  char scheme[32], userpass[256], host[256], resource[1024];
  int port = 0;
  if (httpSeparateURI(HTTP_URI_CODING_ALL, uri, scheme, sizeof scheme, userpass, sizeof userpass, host, sizeof host,
                      &port, resource, sizeof resource) < HTTP_URI_STATUS_OK)
    return std::nullopt;
  std::string_view r(resource);
  for (std::string_view prefix : {"/printers/", "/classes/", "/ipp/print/"})
    if (r.starts_with(prefix)) return std::string(r.substr(prefix.size()));
  if (r == "/" || r == "/printers" || r == "/printers/" || r == "/ipp/print") return std::string();
  return std::nullopt;
}

ipp_status_t missing(Operation& op, const char* what) {
  op.response.add_string(IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message", std::string("Missing ") + what);
  return IPP_STATUS_ERROR_BAD_REQUEST;
}

// The job named by job-uri, or by printer-uri + job-id. nullopt: the request names none.
std::optional<int> requested_job_id(const Operation& op) {
  if (ipp_attribute_t* uri = op.request.find("job-uri", IPP_TAG_OPERATION)) {
    const char* s = ippGetString(uri, 0, nullptr);
    const char* slash = s ? std::strrchr(s, '/') : nullptr;
    return slash && std::strstr(s, "/jobs/") ? std::atoi(slash + 1) : 0;
  }
  return op.request.find_integer("job-id", IPP_TAG_OPERATION);
}

// client-error-not-found with the status-message CUPS gives (clients print it).
ipp_status_t not_found(Operation& op, const std::string& message) {
  op.response.add_string(IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message", message);
  return IPP_STATUS_ERROR_NOT_FOUND;
}

// Finds the operation's printer or job. Returns successful-ok or the status to answer.
ipp_status_t resolve_target(Operation& op, Target target) {
  if (target == Target::kSystem) return IPP_STATUS_OK;
  ipp_attribute_t* printer_uri = op.request.find("printer-uri", IPP_TAG_OPERATION);
  std::optional<std::string> queue;
  if (printer_uri) {
    queue = queue_name_from_uri(ippGetString(printer_uri, 0, nullptr));
    if (!queue) return IPP_STATUS_ERROR_NOT_FOUND;
    if (!queue->empty()) op.printer = op.scheduler.find_printer(*queue);
  }
  auto job_id = requested_job_id(op);
  if (target == Target::kJob || (target == Target::kJobOrPrinter && job_id)) {
    if (!job_id) return missing(op, printer_uri ? "job-id" : "printer-uri or job-uri");
    if (!printer_uri && !op.request.find("job-uri", IPP_TAG_OPERATION)) return missing(op, "printer-uri or job-uri");
    op.job = op.scheduler.find_job(*job_id);
    if (!op.job) return not_found(op, fmt::format("Job #{} does not exist.", *job_id));
    op.printer = op.scheduler.find_printer(op.job->record.printer);
    return IPP_STATUS_OK;
  }
  if (!printer_uri) return missing(op, "printer-uri");
  if (target == Target::kNewPrinter) return queue->empty() ? IPP_STATUS_ERROR_NOT_FOUND : IPP_STATUS_OK;
  if (queue->empty()) return target == Target::kPrinterOrSystem ? IPP_STATUS_OK : IPP_STATUS_ERROR_NOT_FOUND;
  return op.printer ? IPP_STATUS_OK : not_found(op, "The printer or class does not exist.");
}

// The policy engine decides (cupsd.conf's <Policy>, SystemGroup); the table's permission
// is what an operation needs when the policy names it in no <Limit>.
AccessVerdict authorize(const Operation& op, const OperationEntry& entry, const AccessControl& access) {
  AccessRequirement fallback = AccessRequirement::kAdmin;
  if (entry.permission == Permission::kAnyone) fallback = AccessRequirement::kAnyone;
  else if (entry.permission == Permission::kJobOwner) fallback = AccessRequirement::kJobOwner;
  std::string owner = op.job ? op.job->record.user : std::string();
  if (entry.op == IPP_OP_CANCEL_MY_JOBS) owner = op.user;  // "my jobs" are always the asker's
  return access.authorize_operation(entry.op, fallback, op.client, op.user, owner);
}

// A client that can still prove who it is gets HTTP 401 (front ends without HTTP see
// not-authorized); one that has proven it gets forbidden.
void refuse(const OperationPtr& op, const AccessVerdict& verdict, const OperationEntry& entry) {
  const bool forbidden = verdict.decision == AccessDecision::kForbid;  // 401s are routine: clients retry
  log::error().log(forbidden ? spdlog::level::info : spdlog::level::debug, "[Client {}] {} refused to {}: {}",
                   op->client.connection_id, ippOpString(entry.op), op->user, verdict.reason);
  if (forbidden) {
    const bool proven = !op->client.authenticated_user.empty();
    return op->fail(proven ? IPP_STATUS_ERROR_FORBIDDEN : IPP_STATUS_ERROR_NOT_AUTHORIZED, "{} may not do {}",
                    op->user, ippOpString(entry.op));
  }
  op->response.set_status(IPP_STATUS_ERROR_NOT_AUTHORIZED);
  op->response.add_string(IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message",
                          fmt::format("{} must authenticate to do {}", op->user, ippOpString(entry.op)));
  auto done = std::move(op->done);
  op->done = nullptr;
  if (done) done(IppOutcome{std::move(op->response), nullptr, verdict.challenge});
}

void dispatch(const OperationPtr& op, const AccessControl& access) {
  ipp_status_t status = check_header(*op);
  if (status != IPP_STATUS_OK) return op->reply(status);
  const OperationEntry* entry = find_entry(op->request.operation());
  if (!entry) return op->fail(IPP_STATUS_ERROR_OPERATION_NOT_SUPPORTED, "{} is not supported", ippOpString(op->request.operation()));
  if ((status = check_operation_attribute_tags(*op)) != IPP_STATUS_OK) return op->reply(status);
  if ((status = resolve_target(*op, entry->target)) != IPP_STATUS_OK) return op->reply(status);
  if (AccessVerdict verdict = authorize(*op, *entry, access); !verdict.allowed()) return refuse(op, verdict, *entry);
  entry->handler(op);
}

}  // namespace

Operation::Operation(Scheduler& s, IppMessage req, ClientInfo c, IppOutcomeHandler d)
    : scheduler(s), request(std::move(req)), client(std::move(c)), done(std::move(d)) {
  response = IppMessage::make_response(request, IPP_STATUS_OK);
  user = client.authenticated_user;
  if (user.empty()) user = request.find_string("requesting-user-name", IPP_TAG_OPERATION).value_or("");
  if (user.empty()) user = "anonymous";
}

void Operation::reply() {
  if (!done) return;
  auto handler = std::move(done);
  done = nullptr;
  handler(IppOutcome{std::move(response), nullptr});
}

void Operation::reply(ipp_status_t status, std::string message) {
  response.set_status(status);
  if (!message.empty() && !response.find("status-message", IPP_TAG_OPERATION))
    response.add_string(IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message", message);
  reply();
}

void Operation::reply_with_sink(std::unique_ptr<DocumentSink> sink) {
  if (!done) return;
  auto handler = std::move(done);
  done = nullptr;
  handler(IppOutcome{IppMessage(nullptr), std::move(sink)});
}

std::string Operation::host() const {
  if (!client.host_header.empty()) return client.host_header;
  if (!scheduler.options().server.server_name.empty()) return scheduler.options().server.server_name;
  return "localhost";
}

bool Operation::is_admin() const {
  return is_system_user(client.authenticated_user, scheduler.options().server.system_groups);
}

IppDispatcher::IppDispatcher(Scheduler& scheduler, std::shared_ptr<const AccessControl> access)
    : scheduler_(scheduler),
      access_(access ? std::move(access) : std::make_shared<const AccessControl>(scheduler.options().server)) {}

void IppDispatcher::handle(IppMessage request, ClientInfo client, IppOutcomeHandler done) {
  auto op = std::make_shared<Operation>(scheduler_, std::move(request), std::move(client), std::move(done));
  boost::asio::post(scheduler_.strand(), [op, access = access_] { dispatch(op, *access); });
}

}  // namespace quire
