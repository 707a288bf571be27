// The shared state of one HttpServer: web handler, access control, connection ids and
// the session table.
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

int ServerContext::next_connection_id() {
  std::lock_guard lock(mutex_);
  return ++last_connection_id_;
}

bool ServerContext::add_session(int id, std::weak_ptr<Session> session) {
  std::lock_guard lock(mutex_);
  if (stopping_ || sessions_.size() >= limits_.max_connections) return false;
  sessions_.emplace(id, std::move(session));
  return true;
}

void ServerContext::remove_session(int id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

std::vector<std::shared_ptr<Session>> ServerContext::begin_stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  std::vector<std::shared_ptr<Session>> open;
  for (auto& [id, weak] : sessions_)
    if (auto session = weak.lock()) open.push_back(std::move(session));
  return open;
}

bool ServerContext::is_stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

}  // namespace quire::http
