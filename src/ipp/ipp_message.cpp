// IppMessage: RAII over libcups's ipp_t, and memory I/O callbacks for its codec.
#include "quire/ipp_message.hpp"

#include <cups/cups.h>

#include <algorithm>
#include <cstring>

namespace quire {
namespace {

struct MemoryReader {
  std::span<const std::byte> bytes;
  std::size_t offset = 0;
};

ssize_t read_memory(void* context, ipp_uchar_t* buffer, size_t bytes) {
  auto* reader = static_cast<MemoryReader*>(context);
  std::size_t n = std::min(bytes, reader->bytes.size() - reader->offset);
  std::memcpy(buffer, reader->bytes.data() + reader->offset, n);
  reader->offset += n;
  return static_cast<ssize_t>(n);
}

ssize_t write_memory(void* context, ipp_uchar_t* buffer, size_t bytes) {
  auto* out = static_cast<std::vector<std::byte>*>(context);
  const auto* first = reinterpret_cast<const std::byte*>(buffer);
  out->insert(out->end(), first, first + bytes);
  return static_cast<ssize_t>(bytes);
}

std::string owned(std::string_view s) { return std::string(s); }

}  // namespace

IppMessage::IppMessage() : ipp_(ippNew()) {}
IppMessage::IppMessage(ipp_t* adopt) : ipp_(adopt) {}

IppMessage IppMessage::make_request(ipp_op_t op, int request_id) {
  IppMessage m;  // not ippNewRequest: that adds the charset and language attributes itself
  m.set_version(2, 0);
  ippSetOperation(m.get(), op);
  m.set_request_id(request_id);
  return m;
}

IppMessage IppMessage::make_response(const IppMessage& request, ipp_status_t status) {
  IppMessage m;
  int major = request ? request.version_major() : 2;
  int minor = request ? request.version_minor() : 0;
  if (major < 1 || major > 2) {
    major = 1;
    minor = 1;
  }
  m.set_version(major, minor);
  m.set_status(status);
  m.set_request_id(request ? request.request_id() : 0);
  m.add_standard_operation_attributes();
  return m;
}

std::expected<IppMessage, std::string> IppMessage::decode(std::span<const std::byte> bytes,
                                                          std::size_t* consumed) {
  MemoryReader reader{bytes};
  IppMessage m;
  ipp_state_t state;
  do {
    state = ippReadIO(&reader, read_memory, 1, nullptr, m.get());
  } while (state != IPP_STATE_DATA && state != IPP_STATE_ERROR && reader.offset < bytes.size());
  if (consumed) *consumed = reader.offset;
  if (state != IPP_STATE_DATA) {
    const char* why = cupsLastErrorString();
    return std::unexpected(std::string("malformed IPP message") + (why && *why ? std::string(": ") + why : ""));
  }
  return m;
}

std::vector<std::byte> IppMessage::encode() const {
  std::vector<std::byte> out;
  encode_to(out);
  return out;
}

void IppMessage::encode_to(std::vector<std::byte>& out) const {
  ippSetState(ipp_.get(), IPP_STATE_IDLE);
  ipp_state_t state;
  do {
    state = ippWriteIO(&out, write_memory, 1, nullptr, ipp_.get());
  } while (state != IPP_STATE_DATA && state != IPP_STATE_ERROR);
}

IppMessage IppMessage::clone() const {
  IppMessage m(ippNew());
  ippCopyAttributes(m.get(), ipp_.get(), 0, nullptr, nullptr);
  int minor = 0;
  int major = ippGetVersion(ipp_.get(), &minor);
  m.set_version(major, minor);
  ippSetOperation(m.get(), ippGetOperation(ipp_.get()));
  m.set_request_id(request_id());
  return m;
}

int IppMessage::version_major() const { return ippGetVersion(ipp_.get(), nullptr); }
int IppMessage::version_minor() const {
  int minor = 0;
  ippGetVersion(ipp_.get(), &minor);
  return minor;
}
void IppMessage::set_version(int major, int minor) { ippSetVersion(ipp_.get(), major, minor); }
ipp_op_t IppMessage::operation() const { return ippGetOperation(ipp_.get()); }
ipp_status_t IppMessage::status() const { return ippGetStatusCode(ipp_.get()); }
void IppMessage::set_status(ipp_status_t status) { ippSetStatusCode(ipp_.get(), status); }

void IppMessage::add_status_message(std::string_view text) {
  std::vector<ipp_attribute_t*> later;  // attributes of other groups, to move behind it
  for (ipp_attribute_t* a = ippFirstAttribute(ipp_.get()); a; a = ippNextAttribute(ipp_.get()))
    if (ippGetGroupTag(a) != IPP_TAG_OPERATION) later.push_back(a);
  add_string(IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message", text);
  for (ipp_attribute_t* a : later) {
    if (ippGetName(a)) ippCopyAttribute(ipp_.get(), a, 0);
    else ippAddSeparator(ipp_.get());
    ippDeleteAttribute(ipp_.get(), a);
  }
}

int IppMessage::request_id() const { return ippGetRequestId(ipp_.get()); }
void IppMessage::set_request_id(int id) { ippSetRequestId(ipp_.get(), id); }

ipp_attribute_t* IppMessage::find(std::string_view name, ipp_tag_t group) const {
  std::string key = owned(name);
  for (ipp_attribute_t* a = ippFirstAttribute(ipp_.get()); a; a = ippNextAttribute(ipp_.get())) {
    const char* n = ippGetName(a);
    if (n && key == n && (group == IPP_TAG_ZERO || ippGetGroupTag(a) == group)) return a;
  }
  return nullptr;
}

std::optional<std::string> IppMessage::find_string(std::string_view name, ipp_tag_t group) const {
  ipp_attribute_t* a = find(name, group);
  if (!a || ippGetCount(a) < 1) return std::nullopt;
  const char* s = ippGetString(a, 0, nullptr);
  if (!s) return std::nullopt;
  return std::string(s);
}

std::optional<int> IppMessage::find_integer(std::string_view name, ipp_tag_t group) const {
  ipp_attribute_t* a = find(name, group);
  if (!a || ippGetCount(a) < 1) return std::nullopt;
  ipp_tag_t tag = ippGetValueTag(a);
  if (tag != IPP_TAG_INTEGER && tag != IPP_TAG_ENUM) return std::nullopt;
  return ippGetInteger(a, 0);
}

std::optional<bool> IppMessage::find_boolean(std::string_view name, ipp_tag_t group) const {
  ipp_attribute_t* a = find(name, group);
  if (!a || ippGetCount(a) < 1 || ippGetValueTag(a) != IPP_TAG_BOOLEAN) return std::nullopt;
  return ippGetBoolean(a, 0) != 0;
}

ipp_attribute_t* IppMessage::add_string(ipp_tag_t group, ipp_tag_t value_tag, std::string_view name,
                                        std::string_view value) {
  return ippAddString(ipp_.get(), group, value_tag, owned(name).c_str(), nullptr, owned(value).c_str());
}

ipp_attribute_t* IppMessage::add_strings(ipp_tag_t group, ipp_tag_t value_tag, std::string_view name,
                                         const std::vector<std::string>& values) {
  if (values.empty()) return nullptr;
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  return ippAddStrings(ipp_.get(), group, value_tag, owned(name).c_str(), static_cast<int>(ptrs.size()),
                       nullptr, ptrs.data());
}

ipp_attribute_t* IppMessage::add_integer(ipp_tag_t group, ipp_tag_t value_tag, std::string_view name,
                                         int value) {
  return ippAddInteger(ipp_.get(), group, value_tag, owned(name).c_str(), value);
}

ipp_attribute_t* IppMessage::add_integers(ipp_tag_t group, ipp_tag_t value_tag, std::string_view name,
                                          const std::vector<int>& values) {
  if (values.empty()) return nullptr;
  return ippAddIntegers(ipp_.get(), group, value_tag, owned(name).c_str(), static_cast<int>(values.size()),
                        values.data());
}

ipp_attribute_t* IppMessage::add_boolean(ipp_tag_t group, std::string_view name, bool value) {
  return ippAddBoolean(ipp_.get(), group, owned(name).c_str(), value ? 1 : 0);
}

void IppMessage::add_separator() { ippAddSeparator(ipp_.get()); }

void IppMessage::add_standard_operation_attributes(std::string_view language) {
  add_string(IPP_TAG_OPERATION, IPP_TAG_CHARSET, "attributes-charset", "utf-8");
  add_string(IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "attributes-natural-language", language);
}

ipp_attribute_t* IppMessage::copy_attribute(ipp_attribute_t* attr, ipp_tag_t group) {
  ipp_attribute_t* copy = ippCopyAttribute(ipp_.get(), attr, 0);
  if (copy && group != IPP_TAG_ZERO) ippSetGroupTag(ipp_.get(), &copy, group);
  return copy;
}

std::vector<std::string> attribute_strings(ipp_attribute_t* attr) {
  std::vector<std::string> out;
  if (!attr) return out;
  for (int i = 0, n = ippGetCount(attr); i < n; ++i) {
    const char* s = ippGetString(attr, i, nullptr);
    if (s) out.emplace_back(s);
  }
  return out;
}

std::string_view attribute_name(ipp_attribute_t* attr) {
  const char* n = attr ? ippGetName(attr) : nullptr;
  return n ? std::string_view(n) : std::string_view();
}

}  // namespace quire
