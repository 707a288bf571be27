// IppMessage: an owning RAII handle on libcups's ipp_t, with encoding, decoding and
// the typed accessors Quire's handlers use. The wire codec is libcups's own.
#pragma once

#include <cups/ipp.h>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

// Owns one ipp_t. Movable, not copyable (use clone()). Not thread-safe: one owner at
// a time, like any value.
class IppMessage {
 public:
  IppMessage();                      // an empty message (ippNew)
  explicit IppMessage(ipp_t* adopt);  // takes ownership; nullptr allowed
  IppMessage(IppMessage&&) noexcept = default;
  IppMessage& operator=(IppMessage&&) noexcept = default;

  // A request or response header, version 2.0, with no attributes yet (callers add
  // the charset and language with add_standard_operation_attributes()).
  static IppMessage make_request(ipp_op_t op, int request_id = 1);
  static IppMessage make_response(const IppMessage& request, ipp_status_t status);

  // Decodes one whole IPP message (header and attributes, up to and including the
  // end-of-attributes tag). Bytes after that are not consumed: `consumed` reports
  // how many were. Fails with a description when libcups rejects the encoding.
  static std::expected<IppMessage, std::string> decode(std::span<const std::byte> bytes,
                                                       std::size_t* consumed = nullptr);
  std::vector<std::byte> encode() const;
  void encode_to(std::vector<std::byte>& out) const;  // appends

  IppMessage clone() const;
  ipp_t* get() const { return ipp_.get(); }
  ipp_t* release() { return ipp_.release(); }
  explicit operator bool() const { return ipp_ != nullptr; }

  // Header.
  int version_major() const;
  int version_minor() const;
  void set_version(int major, int minor);
  ipp_op_t operation() const;
  ipp_status_t status() const;
  void set_status(ipp_status_t status);
  int request_id() const;
  void set_request_id(int id);

  // Look-ups. `group` IPP_TAG_ZERO means any group.
  ipp_attribute_t* find(std::string_view name, ipp_tag_t group = IPP_TAG_ZERO) const;
  std::optional<std::string> find_string(std::string_view name, ipp_tag_t group = IPP_TAG_ZERO) const;
  std::optional<int> find_integer(std::string_view name, ipp_tag_t group = IPP_TAG_ZERO) const;
  std::optional<bool> find_boolean(std::string_view name, ipp_tag_t group = IPP_TAG_ZERO) const;

  // Builders (thin: the libcups calls are clear enough; these save the casts).
  ipp_attribute_t* add_string(ipp_tag_t group, ipp_tag_t value_tag, std::string_view name,
                              std::string_view value);
  ipp_attribute_t* add_strings(ipp_tag_t group, ipp_tag_t value_tag, std::string_view name,
                               const std::vector<std::string>& values);
  ipp_attribute_t* add_integer(ipp_tag_t group, ipp_tag_t value_tag, std::string_view name, int value);
  ipp_attribute_t* add_integers(ipp_tag_t group, ipp_tag_t value_tag, std::string_view name,
                                const std::vector<int>& values);
  ipp_attribute_t* add_boolean(ipp_tag_t group, std::string_view name, bool value);
  // status-message, in the operation group even when other groups (unsupported
  // attributes) already follow it: libcups refuses a response whose groups are out of
  // order ("Unable to read response").
  void add_status_message(std::string_view text);
  void add_separator();
  // Adds attributes-charset and attributes-natural-language, as every message starts.
  void add_standard_operation_attributes(std::string_view language = "en");

  // Copies one attribute (with all its values) into this message under `group`
  // (IPP_TAG_ZERO keeps the source's group).
  ipp_attribute_t* copy_attribute(ipp_attribute_t* attr, ipp_tag_t group = IPP_TAG_ZERO);

 private:
  struct Deleter {
    void operator()(ipp_t* ipp) const { ippDelete(ipp); }
  };
  std::unique_ptr<ipp_t, Deleter> ipp_;
};

// The values of one attribute as strings (keywords, names, URIs, ...), in order.
std::vector<std::string> attribute_strings(ipp_attribute_t* attr);

// The name of an attribute, never null.
std::string_view attribute_name(ipp_attribute_t* attr);

}  // namespace quire
