// ATTR: status lines → printer attributes, through a whitelist (see the header).
#include "quire/device_attributes.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

namespace quire {
namespace {

constexpr std::size_t kMaxValues = 64;

enum class Kind { kLevel, kBound, kName, kKeyword, kText, kOctets };

struct Allowed {
  std::string_view name;
  Kind kind;
  bool single = false;  // one value only
};

// The names CUPS's scheduler takes from ATTR: lines for the printer, with its types.
constexpr Allowed kAllowed[] = {
    {"marker-colors", Kind::kName},       {"marker-high-levels", Kind::kBound},
    {"marker-levels", Kind::kLevel},      {"marker-low-levels", Kind::kBound},
    {"marker-message", Kind::kText, true}, {"marker-names", Kind::kName},
    {"marker-types", Kind::kKeyword},     {"printer-alert", Kind::kOctets},
    {"printer-alert-description", Kind::kText}, {"printer-supply", Kind::kOctets},
    {"printer-supply-description", Kind::kText},
};

const Allowed* find_allowed(std::string_view name) {
  for (const auto& a : kAllowed)
    if (a.name == name) return &a;
  return nullptr;
}

ipp_tag_t value_tag(Kind kind) {
  switch (kind) {
    case Kind::kKeyword: return IPP_TAG_KEYWORD;
    case Kind::kName: return IPP_TAG_NAME;
    case Kind::kText: return IPP_TAG_TEXT;
    case Kind::kOctets: return IPP_TAG_STRING;
    default: return IPP_TAG_INTEGER;
  }
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// One `name=value` of CUPS's option syntax: a value quoted with ' or " as a whole
// loses its quotes, a backslash keeps the next character.
struct Option {
  std::string name, value;
  bool has_value = false;
};

std::vector<Option> parse_options(std::string_view text) {
  std::vector<Option> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    if (i >= text.size()) break;
    Option o;
    while (i < text.size() && !is_space(text[i]) && text[i] != '=') o.name += text[i++];
    if (i < text.size() && text[i] == '=') {
      o.has_value = true;
      ++i;
      char quote = (i < text.size() && (text[i] == '\'' || text[i] == '"')) ? text[i++] : 0;
      while (i < text.size() && (quote ? text[i] != quote : !is_space(text[i]))) {
        // Inner double quotes and their escapes are kept for the value splitter.
        if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == quote) ++i;
        o.value += text[i++];
      }
      if (quote && i < text.size()) ++i;
    }
    out.push_back(std::move(o));
  }
  return out;
}

// Splits at commas outside double quotes; quotes go, a backslash keeps the next character.
std::vector<std::string> split_values(std::string_view value) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\' && i + 1 < value.size()) out.back() += value[++i];
    else if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) out.emplace_back();
    else out.back() += c;
  }
  return out;
}

std::optional<int> parse_int(std::string_view s, int low, int high) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < low || v > high) return std::nullopt;
  return v;
}

bool is_keyword(std::string_view s) {
  return !s.empty() && s.size() <= 255 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

// Sets one attribute; returns why not, or nothing.
std::optional<std::string> set_attribute(const Allowed& allowed, const std::vector<std::string>& values,
                                         IppMessage& attributes) {
  if (values.size() > kMaxValues) return "more than " + std::to_string(kMaxValues) + " values";
  if (allowed.single && values.size() != 1) return std::string("one value expected");
  std::vector<int> numbers;
  std::vector<std::string> strings;
  for (const auto& v : values) {
    for (unsigned char c : v)
      if (c < 0x20 || c == 0x7f) return std::string("control character in a value");
    switch (allowed.kind) {
      case Kind::kLevel:
      case Kind::kBound: {
        auto n = parse_int(v, allowed.kind == Kind::kLevel ? -3 : 0, 100);
        if (!n) return "\"" + v + "\" is not a level";
        numbers.push_back(*n);
        break;
      }
      case Kind::kKeyword:
        if (!is_keyword(v)) return "\"" + v + "\" is not a keyword";
        strings.push_back(v);
        break;
      case Kind::kName:
        strings.push_back(v.substr(0, 255));
        break;
      case Kind::kText:
      case Kind::kOctets:
        strings.push_back(v.substr(0, 1023));
        break;
    }
  }
  ipp_t* ipp = attributes.get();
  if (ipp_attribute_t* old = attributes.find(allowed.name)) ippDeleteAttribute(ipp, old);
  std::string name(allowed.name);
  if (!numbers.empty()) {
    attributes.add_integers(IPP_TAG_PRINTER, IPP_TAG_INTEGER, name, numbers);
  } else if (allowed.kind != Kind::kOctets) {
    attributes.add_strings(IPP_TAG_PRINTER, value_tag(allowed.kind), name, strings);
  } else {
    ipp_attribute_t* a = nullptr;
    for (const auto& s : strings) {
      if (!a) a = ippAddOctetString(ipp, IPP_TAG_PRINTER, name.c_str(), s.data(), static_cast<int>(s.size()));
      else ippSetOctetString(ipp, &a, ippGetCount(a), s.data(), static_cast<int>(s.size()));
    }
  }
  return std::nullopt;
}

}  // namespace

DeviceAttributeUpdate apply_attr_line(std::string_view text, IppMessage& attributes) {
  DeviceAttributeUpdate update;
  for (const auto& option : parse_options(text)) {
    const Allowed* allowed = find_allowed(option.name);
    if (!allowed) {
      update.rejected.push_back(option.name.substr(0, 64) + ": not an attribute filters and backends may set");
      continue;
    }
    if (!option.has_value || option.value.empty()) {
      update.rejected.push_back(option.name + ": no value");
      continue;
    }
    if (auto why = set_attribute(*allowed, split_values(option.value), attributes)) {
      update.rejected.push_back(option.name + ": " + *why);
      continue;
    }
    update.applied.push_back(option.name);
    if (option.name.starts_with("marker-")) update.markers_changed = true;
  }
  return update;
}

}  // namespace quire
