// A device URI split into its parts, with the "?name=value&..." options that CUPS's
// backends accept (separated by '&' or '+'; a bare name means "on").
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace quire::backend {

class DeviceUri {
 public:
  // Parses with libcups's httpSeparateURI. Fails with a message naming the URI.
  static std::expected<DeviceUri, std::string> parse(const std::string& uri);

  const std::string& text() const { return text_; }
  const std::string& scheme() const { return scheme_; }
  const std::string& username() const { return username_; }
  const std::string& host() const { return host_; }
  int port() const { return port_; }                 // 0 when the URI names none
  const std::string& path() const { return path_; }  // decoded, without the query

  bool has_option(const std::string& name) const { return find(name) != nullptr; }
  std::optional<std::string> option(const std::string& name) const;
  // "on", "yes", "true" or a bare name are true; anything else false.
  bool bool_option(const std::string& name, bool fallback) const;
  // Whole positive numbers only; fails naming the option on anything else.
  std::expected<long, std::string> seconds_option(const std::string& name, long fallback) const;

  // The URI without user:password and without options, for messages.
  std::string redacted() const;

 private:
  const std::string* find(const std::string& name) const;

  std::string text_, scheme_, username_, host_, path_;
  int port_ = 0;
  std::vector<std::pair<std::string, std::string>> options_;
};

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string percent_encode(std::string_view text);
std::string percent_decode(std::string_view text);

}  // namespace quire::backend
