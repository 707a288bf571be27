// HTTP rules that need no socket: where a request goes, which header values mean what,
// and the fixed strings of Quire's responses. Kept apart from the sessions so that
// they can be tested directly.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace quire::http {

inline constexpr std::string_view kServerName = "Quire/0.1";
inline constexpr std::string_view kAllowedMethods = "GET, HEAD, OPTIONS, POST, PUT";
inline constexpr std::string_view kIppMediaType = "application/ipp";

// What to do with a request, decided from its head alone.
enum class Route {
  kIpp,                   // POST of application/ipp to an IPP resource
  kWeb,                   // handed whole to the WebHandler
  kOptions,               // 200 with Allow
  kNotFound,              // 404: nothing serves it (no WebHandler)
  kMethodNotAllowed,      // 405 with Allow: a method Quire never serves
  kUnsupportedMediaType,  // 415: POST to an IPP resource that is not IPP
};

// POST of application/ipp to an IPP resource is IPP. Other POSTs to /printers, /classes,
// /jobs and /admin are the web interface's forms when a WebHandler is set (as in CUPS),
// and 415 without one; "/" and "/ipp/..." only ever take IPP. GET, HEAD and PUT go to
// the WebHandler or get 404. Methods are case-sensitive (RFC 9110 §9.1).
Route route_request(std::string_view method, std::string_view target, std::string_view content_type,
                    bool has_web_handler);

// "/", "/printers...", "/classes...", "/jobs...", "/admin...", "/ipp/...": whole path
// segments, ignoring any query.
bool is_ipp_resource(std::string_view target);

// Compares the media type of a Content-Type value, ignoring parameters and case.
bool has_media_type(std::string_view content_type, std::string_view media_type);

// Whether an Expect header asks for 100 Continue.
bool expects_100_continue(std::string_view expect);

// The WWW-Authenticate value of a 401, as cupsd sends it: Basic for everyone; for local
// clients also PeerCred (Unix socket) and Local, with trc="y" when an administrator is
// wanted (libcups then tries the root certificate in $CUPS_STATEDIR/certs/0).
std::string www_authenticate(bool try_root_certificate, bool is_local, bool is_unix_socket);

// An IMF-fixdate for the Date header: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(std::chrono::system_clock::time_point when);

}  // namespace quire::http
