// AttributeWriter: adds to a response only the attributes requested-attributes asks
// for, building nothing else. Get-Jobs and CUPS-Get-Printers answer for thousands of
// jobs or printers; every attribute built costs libcups string-pool work (a global
// sorted array) when added and again when freed, wanted or not.
#pragma once

#include "quire/ipp_message.hpp"
#include "quire/printer_attributes.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

// Writes into one group of `out`; lives for one job or printer. Not thread-safe.
class AttributeWriter {
 public:
  AttributeWriter(IppMessage& out, const RequestedAttributes& wanted, ipp_tag_t group)
      : out_(out), wanted_(wanted), group_(group) {}

  // False when `name` is not wanted; otherwise it counts as written by the caller.
  bool take(std::string_view name) {
    if (!wanted_.wants(name)) return false;
    written_.push_back(name);
    return true;
  }
  bool written(std::string_view name) const {
    return std::find(written_.begin(), written_.end(), name) != written_.end();
  }

  void string(ipp_tag_t tag, const char* name, std::string_view value) {
    if (take(name)) out_.add_string(group_, tag, name, value);
  }
  void strings(ipp_tag_t tag, const char* name, const std::vector<std::string>& values) {
    if (take(name)) out_.add_strings(group_, tag, name, values);
  }
  void integer(ipp_tag_t tag, const char* name, int value) {
    if (take(name)) out_.add_integer(group_, tag, name, value);
  }
  void boolean(const char* name, bool value) {
    if (take(name)) out_.add_boolean(group_, name, value);
  }
  void date(const char* name, std::int64_t t) {
    if (take(name)) ippAddDate(out_.get(), group_, name, ippTimeToDate(static_cast<time_t>(t)));
  }
  void no_value(const char* name) {
    if (take(name)) ippAddOutOfBand(out_.get(), group_, IPP_TAG_NOVALUE, name);
  }
  // Unconditional: for values worth building only once take() said yes.
  void add_strings(ipp_tag_t tag, const char* name, const std::vector<std::string>& values) {
    out_.add_strings(group_, tag, name, values);
  }
  void copy(ipp_attribute_t* attribute) { out_.copy_attribute(attribute, group_); }
  IppMessage& out() { return out_; }
  ipp_tag_t group() const { return group_; }

 private:
  IppMessage& out_;
  const RequestedAttributes& wanted_;
  ipp_tag_t group_;
  std::vector<std::string_view> written_;  // one job's or printer's names: a few dozen at most
};

// The same interface, writing IPP wire bytes (RFC 8010 §3.1.4) straight into a buffer:
// no ipp_t, so none of libcups's string pool (a process-wide mutex and a sorted array
// searched with strcmp for every string added and again when it is freed). For the
// attributes a hot path rebuilds on every request; `bytes()` holds attributes only, no
// group tag.
class EncodingAttributeWriter {
 public:
  explicit EncodingAttributeWriter(const RequestedAttributes& wanted) : wanted_(wanted) {}

  bool take(std::string_view name) { return wanted_.wants(name); }

  void string(ipp_tag_t tag, const char* name, std::string_view value) {
    if (take(name)) add_value(tag, name, as_bytes(value));
  }
  void strings(ipp_tag_t tag, const char* name, const std::vector<std::string>& values) {
    if (take(name)) add_strings(tag, name, values);
  }
  void integer(ipp_tag_t tag, const char* name, int value) {
    if (take(name)) add_integer(tag, name, value);
  }
  void boolean(const char* name, bool value) {
    if (take(name)) {
      const std::byte b{value ? std::byte{1} : std::byte{0}};
      add_value(IPP_TAG_BOOLEAN, name, std::span(&b, 1));
    }
  }
  void date(const char* name, std::int64_t t) {
    if (take(name)) add_value(IPP_TAG_DATE, name, std::as_bytes(std::span(ippTimeToDate(static_cast<time_t>(t)), 11)));
  }
  void add_strings(ipp_tag_t tag, const char* name, const std::vector<std::string>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) add_value(tag, i == 0 ? name : "", as_bytes(values[i]));
  }
  // Encoded by libcups: rare attributes (what a backend reported) of any syntax.
  void copy(ipp_attribute_t* attribute) {
    IppMessage one;
    one.copy_attribute(attribute, IPP_TAG_PRINTER);
    std::vector<std::byte> encoded = one.encode();
    constexpr std::size_t kHeaderAndGroupTag = 9;  // version, status, request-id, group tag
    if (encoded.size() > kHeaderAndGroupTag + 1)
      bytes_.insert(bytes_.end(), encoded.begin() + kHeaderAndGroupTag, encoded.end() - 1);  // no end tag
  }
  const std::vector<std::byte>& bytes() const { return bytes_; }

 private:
  static std::span<const std::byte> as_bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
  void add_integer(ipp_tag_t tag, std::string_view name, int value) {
    auto v = static_cast<std::uint32_t>(value);
    const std::byte b[4] = {std::byte(v >> 24), std::byte(v >> 16), std::byte(v >> 8), std::byte(v)};
    add_value(tag, name, b);
  }
  void add_value(ipp_tag_t tag, std::string_view name, std::span<const std::byte> value) {
    bytes_.push_back(static_cast<std::byte>(tag));
    put_length(name.size());
    const auto n = as_bytes(name);
    bytes_.insert(bytes_.end(), n.begin(), n.end());
    const std::size_t length = std::min<std::size_t>(value.size(), 0x7FFF);  // IPP's limit for a value
    put_length(length);
    bytes_.insert(bytes_.end(), value.begin(), value.begin() + static_cast<std::ptrdiff_t>(length));
  }
  void put_length(std::size_t n) {
    bytes_.push_back(static_cast<std::byte>((n >> 8) & 0xFF));
    bytes_.push_back(static_cast<std::byte>(n & 0xFF));
  }

  const RequestedAttributes& wanted_;
  std::vector<std::byte> bytes_;
};

}  // namespace quire
