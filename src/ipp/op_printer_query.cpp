// Printer query handlers: Get-Printer-Attributes, CUPS-Get-Printers, CUPS-Get-Default;
// and the printer's dynamic (state) attributes added to its cached static ones.
#include "ipp/operation.hpp"

#include "ipp/attribute_copy.hpp"
#include "ipp/attribute_writer.hpp"

#include <cups/cups.h>

namespace quire {
namespace {

// The attributes that change with state, not configuration: those `w` wants.
void add_status_attributes(const Operation& op, const Printer& printer, int queued, AttributeWriter& w) {
  const Scheduler& s = op.scheduler;
  w.integer(IPP_TAG_ENUM, "printer-state", printer.state);
  if (w.take("printer-state-reasons")) {
    std::vector<std::string> reasons = printer.reasons;
    if (reasons.empty()) reasons.push_back("none");
    w.out().add_strings(w.group(), IPP_TAG_KEYWORD, "printer-state-reasons", reasons);
  }
  w.string(IPP_TAG_TEXT, "printer-state-message", printer.message);
  w.boolean("printer-is-accepting-jobs", printer.is_accepting());
  w.boolean("printer-is-shared", printer.config.shared);
  w.integer(IPP_TAG_INTEGER, "queued-job-count", queued);
  w.integer(IPP_TAG_INTEGER, "printer-up-time", static_cast<int>(s.up_time()));
  w.date("printer-current-time", s.now());
  w.integer(IPP_TAG_INTEGER, "printer-state-change-time", static_cast<int>(printer.state_change_time));
  w.date("printer-state-change-date-time", printer.state_change_time);
  if (printer.config.description.is_class) {
    if (!printer.config.members.empty()) {
      w.strings(IPP_TAG_NAME, "member-names", printer.config.members);
      if (w.take("member-uris")) {
        std::vector<std::string> uris;
        for (const auto& member : printer.config.members) uris.push_back("ipp://" + op.host() + "/printers/" + member);
        w.out().add_strings(w.group(), IPP_TAG_URI, "member-uris", uris);
      }
    }
    w.string(IPP_TAG_URI, "device-uri", "file:///dev/null");  // what cupsd reports for a class
  } else {
    w.string(IPP_TAG_URI, "device-uri", printer.config.description.device_uri);
    w.string(IPP_TAG_NAME, "printer-error-policy", printer.config.error_policy);
    w.strings(IPP_TAG_NAME, "printer-error-policy-supported",
              {"abort-job", "retry-current-job", "retry-job", "stop-printer"});
  }
  w.string(IPP_TAG_NAME, "printer-op-policy", s.options().server.default_policy);
  if (w.take("printer-op-policy-supported")) {
    std::vector<std::string> policies;
    for (const auto& policy : s.options().server.access.policies) policies.push_back(policy.name);
    if (policies.empty()) policies.push_back(s.options().server.default_policy);
    w.out().add_strings(w.group(), IPP_TAG_NAME, "printer-op-policy-supported", policies);
  }
  if (!printer.config.users_allowed.empty())
    w.strings(IPP_TAG_NAME, "requesting-user-name-allowed", printer.config.users_allowed);
  else if (!printer.config.users_denied.empty())
    w.strings(IPP_TAG_NAME, "requesting-user-name-denied", printer.config.users_denied);
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

// CUPS's printer-type with the bits that depend on state: rejecting, default, not shared.
int state_type_bits(const Operation& op, const Printer& printer, int configured) {
  int bits = configured & ~(CUPS_PRINTER_REJECTING | CUPS_PRINTER_DEFAULT | CUPS_PRINTER_NOT_SHARED);
  if (!printer.is_accepting()) bits |= CUPS_PRINTER_REJECTING;
  if (!printer.config.shared) bits |= CUPS_PRINTER_NOT_SHARED;
  if (printer.name() == op.scheduler.default_printer_name()) bits |= CUPS_PRINTER_DEFAULT;
  return bits;
}

// What `wanted` asks for of the printer's cached static attributes, printer-type set
// for the state on the way: `out` may already hold thousands of printers
// (CUPS-Get-Printers), so nothing here looks at what it held before.
void copy_static_attributes(const Operation& op, Printer& printer, const RequestedAttributes& wanted, IppMessage& out) {
  const IppMessage& source = static_attributes(op, printer);
  for (ipp_attribute_t* a = ippFirstAttribute(source.get()); a; a = ippNextAttribute(source.get())) {
    std::string_view name = attribute_name(a);
    if (name.empty() || !wanted.wants(name)) continue;
    if (name == "printer-type")
      out.add_integer(IPP_TAG_PRINTER, ippGetValueTag(a), name, state_type_bits(op, printer, ippGetInteger(a, 0)));
    else
      copy_attribute_deeply(out.get(), a, IPP_TAG_PRINTER);
  }
}

}  // namespace

void add_printer_attributes(const Operation& op, Printer& printer, const RequestedAttributes& wanted, IppMessage& out,
                            std::optional<int> queued) {
  copy_static_attributes(op, printer, wanted, out);
  AttributeWriter status(out, wanted, IPP_TAG_PRINTER);
  add_status_attributes(op, printer, queued ? *queued : op.scheduler.queued_job_count(printer.name()), status);
}

void handle_get_printer_attributes(const OperationPtr& op) {
  add_printer_attributes(*op, *op->printer, RequestedAttributes::from_request(op->request, "all"), op->response);
  op->reply();
}

void handle_cups_get_printers(const OperationPtr& op) {
  auto wanted = RequestedAttributes::from_request(op->request, "all");
  auto limit = op->request.find_integer("limit", IPP_TAG_OPERATION);
  std::string first = op->request.find_string("first-printer-name", IPP_TAG_OPERATION).value_or("");
  // Every queue's queued-job-count in one pass over the unfinished jobs, not one per queue.
  const auto queued = op->scheduler.queued_job_counts();
  int count = 0;
  auto& printers = op->scheduler.printers();
  for (auto it = printers.lower_bound(first); it != printers.end(); ++it) {
    auto& [name, printer] = *it;
    if (limit && count >= *limit) break;
    if (count++ > 0) op->response.add_separator();
    auto n = queued.find(name);
    add_printer_attributes(*op, printer, wanted, op->response, n == queued.end() ? 0 : n->second);
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
