// Routing and header rules of Quire's HTTP front end.
#include "http/http_protocol.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace quire::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// `path` is `root` itself or lies below it.
bool is_under(std::string_view path, std::string_view root) {
  return path.starts_with(root) && (path.size() == root.size() || path[root.size()] == '/');
}

// Resources that serve nothing but IPP, where a form POST cannot be meant.
bool is_ipp_only_resource(std::string_view target) {
  std::string_view path = path_of(target);
  return path == "/" || is_under(path, "/ipp");
}

}  // namespace

Route route_request(std::string_view method, std::string_view target, std::string_view content_type,
                    bool has_web_handler) {
  if (method == "OPTIONS") return Route::kOptions;
  if (method == "GET" || method == "HEAD" || method == "PUT")
    return has_web_handler ? Route::kWeb : Route::kNotFound;
  if (method != "POST") return Route::kMethodNotAllowed;
  if (!is_ipp_resource(target)) return has_web_handler ? Route::kWeb : Route::kNotFound;
  if (has_media_type(content_type, kIppMediaType)) return Route::kIpp;
  if (has_web_handler && !is_ipp_only_resource(target)) return Route::kWeb;
  return Route::kUnsupportedMediaType;
}

bool is_ipp_resource(std::string_view target) {
  std::string_view path = path_of(target);
  for (std::string_view root : {"/printers", "/classes", "/jobs", "/admin", "/ipp"})
    if (is_under(path, root)) return true;
  return path == "/";
}

bool has_media_type(std::string_view content_type, std::string_view media_type) {
  return iequals(trim(content_type.substr(0, content_type.find(';'))), media_type);
}

bool expects_100_continue(std::string_view expect) { return iequals(trim(expect), "100-continue"); }

std::string www_authenticate(bool try_root_certificate, bool is_local, bool is_unix_socket) {
  std::string value = "Basic realm=\"CUPS\"";
  if (!is_local) return value;
  if (is_unix_socket) value += ", PeerCred";
  value += try_root_certificate ? ", Local trc=\"y\"" : ", Local";
  return value;
}

std::string format_http_date(std::chrono::system_clock::time_point when) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace quire::http
