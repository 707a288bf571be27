// Printer query handlers: Get-Printer-Attributes, CUPS-Get-Printers, CUPS-Get-Default;
// and the printer's dynamic (state) attributes added to its cached static ones.
#include "ipp/operation.hpp"

#include <cups/cups.h>

namespace quire {
namespace {

// The attributes that change with state, not configuration.
void add_status_attributes(const Operation& op, const Printer& printer, IppMessage& all) {
  const Scheduler& s = op.scheduler;
  all.add_integer(IPP_TAG_PRINTER, IPP_TAG_ENUM, "printer-state", printer.state);
  std::vector<std::string> reasons = printer.reasons;
  if (reasons.empty()) reasons.push_back("none");
  all.add_strings(IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "printer-state-reasons", reasons);
  all.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "printer-state-message", printer.message);
  all.add_boolean(IPP_TAG_PRINTER, "printer-is-accepting-jobs", printer.is_accepting());
  all.add_boolean(IPP_TAG_PRINTER, "printer-is-shared", printer.config.shared);
  all.add_integer(IPP_TAG_PRINTER, IPP_TAG_INTEGER, "queued-job-count", s.queued_job_count(printer.name()));
  all.add_integer(IPP_TAG_PRINTER, IPP_TAG_INTEGER, "printer-up-time", static_cast<int>(s.up_time()));
  ippAddDate(all.get(), IPP_TAG_PRINTER, "printer-current-time", ippTimeToDate(static_cast<time_t>(s.now())));
  all.add_integer(IPP_TAG_PRINTER, IPP_TAG_INTEGER, "printer-state-change-time", static_cast<int>(printer.state_change_time));
  ippAddDate(all.get(), IPP_TAG_PRINTER, "printer-state-change-date-time",
             ippTimeToDate(static_cast<time_t>(printer.state_change_time)));
  all.add_integer(IPP_TAG_PRINTER, IPP_TAG_INTEGER, "marker-change-time", static_cast<int>(printer.marker_change_time));
  for (ipp_attribute_t* a = ippFirstAttribute(printer.device_attributes.get()); a;
       a = ippNextAttribute(printer.device_attributes.get()))
    all.copy_attribute(a, IPP_TAG_PRINTER);
  if (printer.config.description.is_class) {
    std::vector<std::string> uris;
    for (const auto& member : printer.config.members) uris.push_back("ipp://" + op.host() + "/printers/" + member);
    if (!printer.config.members.empty()) {
      all.add_strings(IPP_TAG_PRINTER, IPP_TAG_NAME, "member-names", printer.config.members);
      all.add_strings(IPP_TAG_PRINTER, IPP_TAG_URI, "member-uris", uris);
    }
    all.add_string(IPP_TAG_PRINTER, IPP_TAG_URI, "device-uri", "file:///dev/null");  // what cupsd reports for a class
  } else {
    all.add_string(IPP_TAG_PRINTER, IPP_TAG_URI, "device-uri", printer.config.description.device_uri);
    all.add_string(IPP_TAG_PRINTER, IPP_TAG_NAME, "printer-error-policy", printer.config.error_policy);
    all.add_strings(IPP_TAG_PRINTER, IPP_TAG_NAME, "printer-error-policy-supported",
                    {"abort-job", "retry-current-job", "retry-job", "stop-printer"});
  }
  all.add_string(IPP_TAG_PRINTER, IPP_TAG_NAME, "printer-op-policy", s.options().server.default_policy);
  std::vector<std::string> policies;
  for (const auto& policy : s.options().server.access.policies) policies.push_back(policy.name);
  if (policies.empty()) policies.push_back(s.options().server.default_policy);
  all.add_strings(IPP_TAG_PRINTER, IPP_TAG_NAME, "printer-op-policy-supported", policies);
  if (!printer.config.users_allowed.empty())
    all.add_strings(IPP_TAG_PRINTER, IPP_TAG_NAME, "requesting-user-name-allowed", printer.config.users_allowed);
  else if (!printer.config.users_denied.empty())
    all.add_strings(IPP_TAG_PRINTER, IPP_TAG_NAME, "requesting-user-name-denied", printer.config.users_denied);
}

const IppMessage& static_attributes(const Operation& op, Printer& printer) {
  std::string host = op.host();
  auto it = printer.attribute_cache.find(host);
  if (it == printer.attribute_cache.end()) {
    if (printer.attribute_cache.size() > 16) printer.attribute_cache.clear();  // many Host names: don't grow
    it = printer.attribute_cache.emplace(host, build_printer_attributes(printer.config.description, host)).first;
  }
  return it->second;
}

// CUPS's printer-type bits that depend on state: rejecting, default, not shared.
void add_state_type_bits(const Operation& op, const Printer& printer, IppMessage& out) {
  ipp_attribute_t* type = nullptr;
  for (ipp_attribute_t* a = ippFirstAttribute(out.get()); a; a = ippNextAttribute(out.get()))
    if (attribute_name(a) == "printer-type") type = a;  // the last one is this printer's
  if (!type) return;
  int bits = ippGetInteger(type, 0) & ~(CUPS_PRINTER_REJECTING | CUPS_PRINTER_DEFAULT | CUPS_PRINTER_NOT_SHARED);
  if (!printer.is_accepting()) bits |= CUPS_PRINTER_REJECTING;
  if (!printer.config.shared) bits |= CUPS_PRINTER_NOT_SHARED;
  if (printer.name() == op.scheduler.default_printer_name()) bits |= CUPS_PRINTER_DEFAULT;
  ippSetInteger(out.get(), &type, 0, bits);
}

}  // namespace

void add_printer_attributes(const Operation& op, Printer& printer, const RequestedAttributes& wanted, IppMessage& out) {
  copy_requested(static_attributes(op, printer), out, wanted, IPP_TAG_PRINTER);
  add_state_type_bits(op, printer, out);
  IppMessage status;
  add_status_attributes(op, printer, status);
  copy_requested(status, out, wanted, IPP_TAG_PRINTER);
}

void handle_get_printer_attributes(const OperationPtr& op) {
  add_printer_attributes(*op, *op->printer, RequestedAttributes::from_request(op->request, "all"), op->response);
  op->reply();
}

void handle_cups_get_printers(const OperationPtr& op) {
  auto wanted = RequestedAttributes::from_request(op->request, "all");
  auto limit = op->request.find_integer("limit", IPP_TAG_OPERATION);
  std::string first = op->request.find_string("first-printer-name", IPP_TAG_OPERATION).value_or("");
  int count = 0;
  for (auto& [name, printer] : op->scheduler.printers()) {
    if (!first.empty() && name < first) continue;
    if (limit && count >= *limit) break;
    if (count++ > 0) op->response.add_separator();
    add_printer_attributes(*op, printer, wanted, op->response);
  }
  op->reply();
}

void handle_cups_get_default(const OperationPtr& op) {
  Printer* printer = op->scheduler.find_printer(op->scheduler.default_printer_name());
  if (!printer) return op->fail(IPP_STATUS_ERROR_NOT_FOUND, "No default printer");
  add_printer_attributes(*op, *printer, RequestedAttributes::from_request(op->request, "all"), op->response);
  op->reply();
}

}  // namespace quire
