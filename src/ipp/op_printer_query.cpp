// Printer query handlers: Get-Printer-Attributes, CUPS-Get-Printers, CUPS-Get-Default;
// and the printer's dynamic (state) attributes added to its cached static ones.
//
// Get-Printer-Attributes over HTTP answers from bytes: the printer's static attributes,
// filtered by requested-attributes and with printer-type's state bits applied, are
// encoded once (by libcups) and kept; each request encodes only the dozen attributes
// that change with state and time and splices the pieces. Copying ~100 attributes into
// an ipp_t per request went through libcups's global string pool (a mutex and a strcmp
// per string) and was most of the CPU a request cost.
#include "ipp/operation.hpp"

#include "ipp/attribute_copy.hpp"
#include "ipp/attribute_writer.hpp"

#include <cups/cups.h>

#include <mutex>
#include <unordered_map>

namespace quire {
namespace {

// The attributes that change with state, not configuration: those `w` wants. `w` is an
// AttributeWriter (into an ipp_t) or an EncodingAttributeWriter (into wire bytes).
template <typename Writer>
void add_status_attributes(const Operation& op, const Printer& printer, int queued, Writer& w) {
  const Scheduler& s = op.scheduler;
  w.integer(IPP_TAG_ENUM, "printer-state", printer.state);
  if (w.take("printer-state-reasons")) {
    std::vector<std::string> reasons = printer.reasons;
    if (reasons.empty()) reasons.push_back("none");
    w.add_strings(IPP_TAG_KEYWORD, "printer-state-reasons", reasons);
  }
  w.string(IPP_TAG_TEXT, "printer-state-message", printer.message);
  w.boolean("printer-is-accepting-jobs", printer.is_accepting());
  w.boolean("printer-is-shared", printer.config.shared);
  w.integer(IPP_TAG_INTEGER, "queued-job-count", queued);
  w.integer(IPP_TAG_INTEGER, "printer-up-time", static_cast<int>(s.up_time()));
  w.date("printer-current-time", s.now());
  w.integer(IPP_TAG_INTEGER, "printer-state-change-time", static_cast<int>(printer.state_change_time));
  w.date("printer-state-change-date-time", printer.state_change_time);
  w.integer(IPP_TAG_INTEGER, "marker-change-time", static_cast<int>(printer.marker_change_time));
  for (ipp_attribute_t* a = ippFirstAttribute(printer.device_attributes.get()); a;
       a = ippNextAttribute(printer.device_attributes.get()))
    if (w.take(attribute_name(a))) w.copy(a);  // ATTR: lines the backend reported
  if (printer.config.description.is_class) {
    if (!printer.config.members.empty()) {
      w.strings(IPP_TAG_NAME, "member-names", printer.config.members);
      if (w.take("member-uris")) {
        std::vector<std::string> uris;
        for (const auto& member : printer.config.members) uris.push_back("ipp://" + op.host() + "/printers/" + member);
        w.add_strings(IPP_TAG_URI, "member-uris", uris);
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
    w.add_strings(IPP_TAG_NAME, "printer-op-policy-supported", policies);
  }
  if (!printer.config.users_allowed.empty())
    w.strings(IPP_TAG_NAME, "requesting-user-name-allowed", printer.config.users_allowed);
  else if (!printer.config.users_denied.empty())
    w.strings(IPP_TAG_NAME, "requesting-user-name-denied", printer.config.users_denied);
}

// Encoded variants of each cached static attribute message (Printer::attribute_cache),
// keyed by the message's ipp_t: a message rebuilt after a configuration change is a new
// ipp_t, and static_attributes() drops whatever was kept under its address. Shared by
// every scheduler of the process (tests run several), hence the mutex.
class EncodedStaticAttributes {
 public:
  void forget(const ipp_t* source) {
    std::lock_guard lock(mutex_);
    by_source_.erase(source);
  }
  // The bytes kept for (source, key), or those `build` makes (then kept).
  template <typename Build>
  std::vector<std::byte> find_or_build(const ipp_t* source, const std::string& key, Build build) {
    {
      std::lock_guard lock(mutex_);
      auto& variants = by_source_[source];
      if (auto it = variants.find(key); it != variants.end()) return it->second;
    }
    std::vector<std::byte> bytes = build();
    std::lock_guard lock(mutex_);
    if (by_source_.size() > kMaxSources) by_source_.clear();
    auto& variants = by_source_[source];
    if (variants.size() > kMaxVariants) variants.clear();  // clients asking for ever new lists: don't grow
    variants.emplace(key, bytes);
    return bytes;
  }

 private:
  static constexpr std::size_t kMaxSources = 256;
  static constexpr std::size_t kMaxVariants = 32;
  std::mutex mutex_;
  std::unordered_map<const ipp_t*, std::unordered_map<std::string, std::vector<std::byte>>> by_source_;
};

EncodedStaticAttributes& encoded_static_attributes() {
  static EncodedStaticAttributes cache;
  return cache;
}

const IppMessage& static_attributes(const Operation& op, Printer& printer) {
  std::string host = op.host();
  auto it = printer.attribute_cache.find(host);
  if (it == printer.attribute_cache.end()) {
    if (printer.attribute_cache.size() > 16) printer.attribute_cache.clear();  // many Host names: don't grow
    it = printer.attribute_cache.emplace(host, build_printer_attributes(printer.config.description, host)).first;
    encoded_static_attributes().forget(it->second.get());
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

void add_state_type_bits(const Operation& op, const Printer& printer, IppMessage& out) {
  ipp_attribute_t* type = nullptr;
  for (ipp_attribute_t* a = ippFirstAttribute(out.get()); a; a = ippNextAttribute(out.get()))
    if (attribute_name(a) == "printer-type") type = a;  // the last one is this printer's
  if (!type) return;
  ippSetInteger(out.get(), &type, 0, state_type_bits(op, printer, ippGetInteger(type, 0)));
}

// ---- Get-Printer-Attributes from bytes ----

constexpr std::size_t kHeaderBytes = 8;  // version, status, request-id
constexpr auto kPrinterGroupTag = static_cast<std::byte>(IPP_TAG_PRINTER);

// The attributes of `message` as libcups encodes them, without header and end tag.
std::vector<std::byte> encode_attributes(const IppMessage& message) {
  std::vector<std::byte> bytes = message.encode();
  if (bytes.size() <= kHeaderBytes) return {};
  return std::vector<std::byte>(bytes.begin() + kHeaderBytes, bytes.end() - 1);
}

// The operation group every response starts with (charset utf-8, language en).
const std::vector<std::byte>& operation_group_bytes() {
  static const std::vector<std::byte> bytes = [] {
    IppMessage m;
    m.add_standard_operation_attributes();
    return encode_attributes(m);
  }();
  return bytes;
}

// What identifies a static variant: requested-attributes as sent, and the state bits.
std::string variant_key(const IppMessage& request, int type_bits) {
  std::string key = std::to_string(type_bits);
  ipp_attribute_t* requested = request.find("requested-attributes", IPP_TAG_OPERATION);
  if (!requested || ippGetValueTag(requested) != IPP_TAG_KEYWORD) return key;
  key += '=';
  for (int i = 0, n = ippGetCount(requested); i < n; ++i) {
    const char* value = ippGetString(requested, i, nullptr);
    key += value ? value : "";
    key += ',';
  }
  return key;
}

void append_header(const IppMessage& request, std::vector<std::byte>& out) {
  int major = request.version_major();
  int minor = request.version_minor();
  if (major < 1 || major > 2) major = 1, minor = 1;  // as IppMessage::make_response
  auto id = static_cast<std::uint32_t>(request.request_id());
  for (int b : {major, minor, 0, 0}) out.push_back(static_cast<std::byte>(b));  // successful-ok
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<std::byte>((id >> shift) & 0xFF));
}

std::vector<std::byte> encode_printer_response(const Operation& op, Printer& printer) {
  const auto wanted = RequestedAttributes::from_request(op.request, kDefaultRequestedAll);
  const IppMessage& source = static_attributes(op, printer);
  const int type_bits = state_type_bits(op, printer, 0);
  std::vector<std::byte> fixed =
      encoded_static_attributes().find_or_build(source.get(), variant_key(op.request, type_bits), [&] {
        IppMessage chosen;
        copy_requested(source, chosen, wanted, IPP_TAG_PRINTER);
        add_state_type_bits(op, printer, chosen);
        return encode_attributes(chosen);
      });
  EncodingAttributeWriter writer(wanted);
  add_status_attributes(op, printer, op.scheduler.queued_job_count(printer.name()), writer);
  const std::vector<std::byte>& changing = writer.bytes();  // attributes only, no group tag
  const auto& operation_group = operation_group_bytes();
  std::vector<std::byte> out;
  out.reserve(kHeaderBytes + operation_group.size() + fixed.size() + 1 + changing.size() + 1);
  append_header(op.request, out);
  out.insert(out.end(), operation_group.begin(), operation_group.end());
  out.insert(out.end(), fixed.begin(), fixed.end());  // opens the printer group when not empty
  if (fixed.empty() && !changing.empty()) out.push_back(kPrinterGroupTag);
  out.insert(out.end(), changing.begin(), changing.end());
  out.push_back(static_cast<std::byte>(IPP_TAG_END));
  return out;
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
  if (op->client.takes_encoded_response) return op->reply_encoded(encode_printer_response(*op, *op->printer));
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
