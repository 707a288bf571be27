// HttpServer: the HTTP/1.1 front end on Boost.Beast. It accepts connections on its
// listeners, routes POSTs of application/ipp to the IppService (streaming document
// bodies into the sink it gets back), serves web pages through WebHandler, and answers
// everything else with the right HTTP status.
#pragma once

#include "quire/ipp_service.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quire {

struct HttpLimits {
  std::size_t max_header_bytes = 32 * 1024;
  std::size_t max_ipp_attributes_bytes = 1024 * 1024;  // the IPP message before the document
  std::uint64_t max_body_bytes = 0;                       // 0: no limit (cupsd's MaxRequestSize 0)
  std::chrono::seconds header_timeout{30};                // whole header must arrive within this
  std::chrono::seconds idle_timeout{60};                  // keep-alive connection with no request
  std::chrono::seconds body_timeout{300};                 // no progress on a body for this long
  std::size_t max_connections = 500;
};

// A request for something that is not IPP (a web page, /admin/conf/...). Handlers get
// the whole (small, size-limited) body.
struct WebRequest {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
  ClientInfo client;
};
struct WebResponse {
  int status = 404;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // With status 401: what the client may authenticate with. The server turns it into
  // the WWW-Authenticate header that fits the connection (Local, PeerCred, Basic).
  std::optional<AuthChallenge> challenge;

  // A plain-text answer ("404 Not Found\n", a file's text).
  static WebResponse text(int status, std::string body) {
    WebResponse r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(body);
    return r;
  }
};
using WebHandler = std::function<void(WebRequest, std::move_only_function<void(WebResponse)>)>;

// Owned by main; runs on the io_context it is given (any number of threads). Each
// connection is a session on its own strand. stop() closes the listeners and gives
// open sessions a deadline.
class AccessControl;
class Authenticator;

class HttpServer {
 public:
  struct Endpoint {
    std::string address;  // "127.0.0.1", "::1", "localhost", "*" or a Unix socket path starting with '/'
    std::uint16_t port = 0;  // 0 picks a free port (ignored for Unix sockets)
  };

  HttpServer(boost::asio::io_context& io, IppService& ipp, HttpLimits limits);
  ~HttpServer();

  // Used for GET/HEAD and non-IPP POST/PUT. Without one, those get 404.
  void set_web_handler(WebHandler handler);

  // Checks every request against cupsd.conf's <Location> rules (401 or 403 before the
  // body is read). Without one, every request goes on.
  void set_access_control(std::shared_ptr<const AccessControl> access);
  // Verifies Authorization headers (PeerCred, Local, Basic). Without one, only peers on
  // the Unix socket are known (by SO_PEERCRED).
  void set_authenticator(std::shared_ptr<const Authenticator> authenticator);

  // Binds and starts accepting. On failure says which endpoint and why (e.g.
  // "127.0.0.1:631: Permission denied").
  std::expected<void, std::string> listen(const Endpoint& endpoint);

  // The ports actually bound, in listen() order, with their addresses ("127.0.0.1:41234").
  std::vector<std::string> bound_endpoints() const;

  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace quire
