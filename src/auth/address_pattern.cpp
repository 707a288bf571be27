// Allow/Deny values of cupsd.conf: parsing "all", "@LOCAL", networks and host names.
#include "quire/access_rules.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <tuple>

namespace quire {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::array<std::uint8_t, 16> prefix_mask(int bits) {
  std::array<std::uint8_t, 16> mask{};
  for (int i = 0; i < 16; ++i) {
    int left = std::clamp(bits - 8 * i, 0, 8);
    mask[i] = static_cast<std::uint8_t>(0xFF00 >> left);
  }
  return mask;
}

std::optional<int> parse_number(std::string_view text, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > max) return std::nullopt;
  return value;
}

// "192.0.2.7", "192.0.2" (a /24), "10.*" (a /8): the address and how many leading bits
// of its IPv6 form it fixes.
std::optional<std::pair<std::array<std::uint8_t, 16>, int>> parse_ipv4(std::string_view text) {
  std::array<std::uint8_t, 16> bytes{};
  bytes[10] = bytes[11] = 0xFF;  // ::ffff:a.b.c.d
  int parts = 0;
  for (;;) {
    const auto dot = text.find('.');
    const std::string_view part = text.substr(0, dot);
    const bool last = dot == std::string_view::npos;
    if (part == "*" && last && parts > 0) break;
    auto value = parse_number(part, 255);
    if (!value || parts == 4) return std::nullopt;
    bytes[12 + parts++] = static_cast<std::uint8_t>(*value);
    if (last) break;
    text.remove_prefix(dot + 1);
  }
  return std::pair{bytes, 96 + 8 * parts};
}

std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address_v6(std::string(text), ec);
  if (ec) return std::nullopt;
  auto raw = address.to_bytes();
  std::array<std::uint8_t, 16> bytes{};
  std::copy(raw.begin(), raw.end(), bytes.begin());
  return bytes;
}

std::expected<AddressPattern, std::string> parse_network(std::string_view word) {
  AddressPattern pattern;
  pattern.kind = AddressPattern::Kind::kNetwork;
  auto slash = word.find('/');
  std::string_view address = word.substr(0, slash);
  std::optional<std::string_view> mask;
  if (slash != std::string_view::npos) mask = word.substr(slash + 1);
  const bool v6 = address.starts_with('[');
  int bits = 128;
  if (v6) {
    if (!address.ends_with(']')) return std::unexpected("\"" + std::string(word) + "\" is missing its closing ']'");
    auto bytes = parse_ipv6(address.substr(1, address.size() - 2));
    if (!bytes) return std::unexpected("\"" + std::string(word) + "\" is not an IPv6 address");
    pattern.address = *bytes;
  } else {
    auto parsed = parse_ipv4(address);
    if (!parsed) return std::unexpected("\"" + std::string(word) + "\" is not an IPv4 address or network");
    std::tie(pattern.address, bits) = *parsed;
  }
  if (mask) {
    if (auto prefix = parse_number(*mask, v6 ? 128 : 32)) {
      bits = v6 ? *prefix : 96 + *prefix;
    } else if (auto dotted = v6 ? std::nullopt : parse_ipv4(*mask); dotted && dotted->second == 128) {
      pattern.mask = prefix_mask(96);
      for (int i = 12; i < 16; ++i) pattern.mask[i] = dotted->first[i];
      bits = -1;
    } else {
      return std::unexpected("bad netmask in \"" + std::string(word) + "\"");
    }
  }
  if (bits >= 0) pattern.mask = prefix_mask(bits);
  for (int i = 0; i < 16; ++i) pattern.address[i] &= pattern.mask[i];
  return pattern;
}

}  // namespace

std::expected<AddressPattern, std::string> AddressPattern::parse(std::string_view word) {
  AddressPattern pattern;
  if (word.empty()) return std::unexpected("empty address");
  if (iequals(word, "all")) {
    pattern.kind = Kind::kAll;
    return pattern;
  }
  if (iequals(word, "none")) return pattern;
  if (iequals(word, "@LOCAL")) {
    pattern.kind = Kind::kLocalNetworks;
    return pattern;
  }
  if (word.size() > 5 && iequals(word.substr(0, 4), "@IF(") && word.back() == ')') {
    pattern.kind = Kind::kInterface;
    pattern.name = std::string(word.substr(4, word.size() - 5));
    return pattern;
  }
  if (word[0] == '@') return std::unexpected("unknown \"" + std::string(word) + "\"; expected @LOCAL or @IF(name)");
  // As CUPS: anything that does not start with a digit or '[' is a host name.
  if (word[0] == '*' || word[0] == '.' || (!std::isdigit(static_cast<unsigned char>(word[0])) && word[0] != '[')) {
    pattern.kind = Kind::kHostName;
    pattern.name = std::string(word[0] == '*' ? word.substr(1) : word);
    return pattern;
  }
  return parse_network(word);
}

unsigned http_method_bit(std::string_view method) {
  if (method == "GET") return kMethodGet;
  if (method == "HEAD") return kMethodHead;
  if (method == "OPTIONS") return kMethodOptions;
  if (method == "POST") return kMethodPost;
  if (method == "PUT") return kMethodPut;
  if (method == "TRACE") return kMethodTrace;
  return 0;
}

}  // namespace quire
