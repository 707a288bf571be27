// IEEE 1284 device IDs ("MFG:HP;MDL:LaserJet 4;CMD:PCL;SN:X1;"), as USB printers and
// parallel ports report them: decoding the length-prefixed buffer, reading the fields,
// and deriving make-and-model and a usb:// style make/model pair the way CUPS does.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace quire::backend {

class DeviceId {
 public:
  static DeviceId parse(std::string_view text);

  const std::string& text() const { return text_; }
  bool empty() const { return text_.empty(); }
  // Each accepts the short and the long key (MFG/MANUFACTURER, MDL/MODEL, SN/SERN/
  // SERIALNUMBER, CMD/COMMAND SET, DES/DESCRIPTION).
  std::string manufacturer() const;
  std::string model() const;
  std::string serial() const;
  std::string description() const;

  // "HP LaserJet 4" from MFG and MDL (MDL alone when it already starts with MFG), else
  // a description that looks like one, else "Unknown".
  std::string make_and_model() const;
  // The make for a device URI: MFG with "Hewlett-Packard" shortened to "HP", as CUPS does.
  std::string uri_make() const;
  // The model for a device URI: MDL without a leading make.
  std::string uri_model() const;

 private:
  std::string field(std::initializer_list<const char*> keys) const;

  std::string text_;
  std::map<std::string, std::string> fields_;  // keys upper-cased
};

// Decodes the reply to GET_DEVICE_ID / LPIOC_GET_DEVICE_ID: a two-byte big-endian length
// (counting itself; some devices send it little-endian) and the text. Returns nothing
// for IDs shorter than 14 bytes or with control characters, as CUPS does.
std::optional<std::string> decode_device_id(const unsigned char* data, std::size_t size);

}  // namespace quire::backend
