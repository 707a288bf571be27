// IEEE 1284 device ID decoding and parsing.
#include "ieee1284.hpp"

#include <strings.h>

#include <algorithm>
#include <cctype>

namespace quire::backend {
namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return !prefix.empty() && text.size() >= prefix.size() &&
         strncasecmp(text.data(), prefix.data(), prefix.size()) == 0;
}

}  // namespace

DeviceId DeviceId::parse(std::string_view text) {
  DeviceId id;
  id.text_ = std::string(text);
  while (!text.empty()) {
    std::size_t end = text.find(';');
    std::string_view item = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    std::size_t colon = item.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = trimmed(item.substr(0, colon));
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    id.fields_.emplace(key, trimmed(item.substr(colon + 1)));
  }
  return id;
}

std::string DeviceId::field(std::initializer_list<const char*> keys) const {
  for (const char* key : keys) {
    if (auto it = fields_.find(key); it != fields_.end() && !it->second.empty()) return it->second;
  }
  return "";
}

std::string DeviceId::manufacturer() const { return field({"MANUFACTURER", "MFG"}); }
std::string DeviceId::model() const { return field({"MODEL", "MDL"}); }
std::string DeviceId::serial() const { return field({"SERIALNUMBER", "SERN", "SN"}); }
std::string DeviceId::description() const { return field({"DESCRIPTION", "DES"}); }

std::string DeviceId::make_and_model() const {
  std::string mfg = manufacturer(), mdl = model();
  if (!mdl.empty()) {
    if (mfg.empty() || starts_with_nocase(mdl, mfg)) return mdl;
    return mfg + " " + mdl;
  }
  std::string des = description();
  bool has_space = des.find(' ') != std::string::npos;
  bool has_letter =
      std::any_of(des.begin(), des.end(), [](unsigned char c) { return std::isalpha(c); });
  if (des.size() >= 8 && has_space && has_letter) return des;  // HP puts the model here
  return "Unknown";
}

std::string DeviceId::uri_make() const {
  std::string mfg = manufacturer();
  if (strcasecmp(mfg.c_str(), "Hewlett-Packard") == 0) return "HP";
  if (strcasecmp(mfg.c_str(), "Lexmark International") == 0) return "Lexmark";
  if (mfg.empty()) {
    std::string mm = make_and_model();
    return mm.substr(0, mm.find(' '));
  }
  return mfg;
}

std::string DeviceId::uri_model() const {
  std::string mdl = model(), make = uri_make();
  if (starts_with_nocase(mdl, make)) mdl = trimmed(std::string_view(mdl).substr(make.size()));
  return mdl;
}

std::optional<std::string> decode_device_id(const unsigned char* data, std::size_t size) {
  if (size < 2) return std::nullopt;
  std::size_t length = (static_cast<std::size_t>(data[0]) << 8) | data[1];
  if (length > size || length < 14) length = (static_cast<std::size_t>(data[1]) << 8) | data[0];
  length = std::min(length, size);
  if (length < 14) return std::nullopt;
  std::string text(reinterpret_cast<const char*>(data) + 2, length - 2);
  if (auto nul = text.find('\0'); nul != std::string::npos) text.erase(nul);
  for (char& c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isspace(u)) {
      c = ' ';
    } else if (u < ' ' || u == 0x7f) {
      return std::nullopt;
    }
  }
  return text;
}

}  // namespace quire::backend
