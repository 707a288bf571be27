// What the listeners and sessions of one HttpServer share: the IPP service, the limits,
// the web handler and the table of open connections.
#pragma once

#include "core/session_registry.hpp"
#include "quire/access_control.hpp"
#include "quire/authenticator.hpp"
#include "quire/http_server.hpp"

#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace quire::http {

class Session;

// Owned by shared_ptr: the HttpServer, its listeners and every session hold it, so a
// session still finishing during shutdown never sees it go. Thread-safe.
class ServerContext : public SessionRegistry<Session> {
 public:
  ServerContext(IppService& ipp, HttpLimits limits)
      : SessionRegistry<Session>(limits.max_connections), ipp_(ipp), limits_(limits) {}

  IppService& ipp() const { return ipp_; }
  const HttpLimits& limits() const { return limits_; }

  void set_web_handler(WebHandler handler);
  // Null when none is set.
  std::shared_ptr<const WebHandler> web_handler() const;

  // Without them every request is let through and only Unix socket peers are known.
  void set_access_control(std::shared_ptr<const AccessControl> access);
  void set_authenticator(std::shared_ptr<const Authenticator> authenticator);
  std::shared_ptr<const AccessControl> access_control() const;
  std::shared_ptr<const Authenticator> authenticator() const;

 private:
  IppService& ipp_;
  const HttpLimits limits_;
  mutable std::mutex mutex_;
  std::shared_ptr<const WebHandler> web_handler_;
  std::shared_ptr<const AccessControl> access_;
  std::shared_ptr<const Authenticator> authenticator_;
};

}  // namespace quire::http
