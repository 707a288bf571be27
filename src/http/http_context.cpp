// The shared state of one HttpServer: web handler and access control (connection ids
// and the session table are its SessionRegistry).
#include "http/http_context.hpp"

namespace quire::http {

void ServerContext::set_web_handler(WebHandler handler) {
  auto shared = handler ? std::make_shared<const WebHandler>(std::move(handler)) : nullptr;
  std::lock_guard lock(mutex_);
  web_handler_ = std::move(shared);
}

std::shared_ptr<const WebHandler> ServerContext::web_handler() const {
  std::lock_guard lock(mutex_);
  return web_handler_;
}

void ServerContext::set_access_control(std::shared_ptr<const AccessControl> access) {
  std::lock_guard lock(mutex_);
  access_ = std::move(access);
}

void ServerContext::set_authenticator(std::shared_ptr<const Authenticator> authenticator) {
  std::lock_guard lock(mutex_);
  authenticator_ = std::move(authenticator);
}

std::shared_ptr<const AccessControl> ServerContext::access_control() const {
  std::lock_guard lock(mutex_);
  return access_;
}

std::shared_ptr<const Authenticator> ServerContext::authenticator() const {
  std::lock_guard lock(mutex_);
  return authenticator_;
}

}  // namespace quire::http
