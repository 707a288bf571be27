// Device URI parsing on top of libcups's httpSeparateURI.
#include "device_uri.hpp"

#include <cups/http.h>
#include <strings.h>

#include <cctype>
#include <charconv>

namespace quire::backend {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> options;
  while (!query.empty()) {
    std::size_t end = query.find_first_of("&+");
    std::string_view item = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    std::string name = percent_decode(item.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percent_decode(item.substr(eq + 1));
    options.emplace_back(std::move(name), std::move(value));
  }
  return options;
}

// "socket://host:9100?waiteof=false" has no path, which httpSeparateURI refuses; CUPS's
// documentation writes "socket://host:9100/?waiteof=false". Accept both.
std::string with_root_path(const std::string& uri) {
  std::size_t authority = uri.find("://");
  if (authority == std::string::npos) return uri;
  std::size_t end = uri.find_first_of("/?", authority + 3);
  if (end == std::string::npos || uri[end] == '/') return uri;
  return uri.substr(0, end) + "/" + uri.substr(end);
}

}  // namespace

std::expected<DeviceUri, std::string> DeviceUri::parse(const std::string& uri) {
  char scheme[64], userpass[256], host[1024], resource[4096];
  int port = 0;
  // Paths decoded, query left encoded so that "%26" in a value survives the split.
  http_uri_status_t status = httpSeparateURI(HTTP_URI_CODING_MOST, with_root_path(uri).c_str(),
                                             scheme, sizeof scheme, userpass, sizeof userpass, host,
                                             sizeof host, &port, resource, sizeof resource);
  if (status < HTTP_URI_STATUS_OK) {
    return std::unexpected("Bad device URI \"" + uri + "\": " + httpURIStatusString(status));
  }
  DeviceUri out;
  out.text_ = uri;
  out.scheme_ = scheme;
  out.username_ = userpass;
  out.host_ = host;
  out.port_ = port;
  std::string path = resource;
  if (std::size_t q = path.find('?'); q != std::string::npos) {
    out.options_ = parse_query(std::string_view(path).substr(q + 1));
    path.erase(q);
  }
  out.path_ = path;
  return out;
}

const std::string* DeviceUri::find(const std::string& name) const {
  for (const auto& [key, value] : options_) {
    if (strcasecmp(key.c_str(), name.c_str()) == 0) return &value;
  }
  return nullptr;
}

std::optional<std::string> DeviceUri::option(const std::string& name) const {
  if (const std::string* v = find(name)) return *v;
  return std::nullopt;
}

bool DeviceUri::bool_option(const std::string& name, bool fallback) const {
  const std::string* v = find(name);
  if (!v) return fallback;
  return v->empty() || strcasecmp(v->c_str(), "on") == 0 || strcasecmp(v->c_str(), "yes") == 0 ||
         strcasecmp(v->c_str(), "true") == 0;
}

std::expected<long, std::string> DeviceUri::seconds_option(const std::string& name,
                                                           long fallback) const {
  const std::string* v = find(name);
  if (!v) return fallback;
  long value = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), value);
  if (ec != std::errc() || end != v->data() + v->size() || value <= 0) {
    return std::unexpected("Bad value \"" + *v + "\" for URI option " + name +
                           " (expected a positive number of seconds)");
  }
  return value;
}

std::string DeviceUri::redacted() const {
  std::string out = scheme_ + ":";
  if (!host_.empty()) {
    out += "//";
    out += host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
    if (port_ > 0) out += ":" + std::to_string(port_);
  }
  return out + path_;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace quire::backend
