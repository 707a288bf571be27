// HttpServer: owns the listeners and the state its sessions share; starts and stops them.
#include "quire/http_server.hpp"

#include "http/http_context.hpp"
#include "http/http_listener.hpp"
#include "http/http_session.hpp"
#include "quire/log.hpp"

#include <mutex>

namespace quire {

struct HttpServer::Impl {
  Impl(boost::asio::io_context& io_context, IppService& ipp, HttpLimits limits)
      : io(io_context), context(std::make_shared<http::ServerContext>(ipp, limits)) {}

  boost::asio::io_context& io;
  std::shared_ptr<http::ServerContext> context;
  mutable std::mutex mutex;
  std::vector<std::shared_ptr<http::Listener>> listeners;
};

HttpServer::HttpServer(boost::asio::io_context& io, IppService& ipp, HttpLimits limits)
    : impl_(std::make_shared<Impl>(io, ipp, limits)) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::set_web_handler(WebHandler handler) { impl_->context->set_web_handler(std::move(handler)); }

void HttpServer::set_access_control(std::shared_ptr<const AccessControl> access) {
  impl_->context->set_access_control(std::move(access));
}

void HttpServer::set_authenticator(std::shared_ptr<const Authenticator> authenticator) {
  impl_->context->set_authenticator(std::move(authenticator));
}

std::expected<void, std::string> HttpServer::listen(const Endpoint& endpoint) {
  if (impl_->context->is_stopping()) return std::unexpected(endpoint.address + ": server is stopping");
  auto opened = http::open_listeners(impl_->io, endpoint);
  if (!opened) return std::unexpected(opened.error());
  std::lock_guard lock(impl_->mutex);
  for (auto& listener : *opened) {
    listener->start(impl_->context);
    log::error().info("Listening on {}", listener->name());
    impl_->listeners.push_back(std::move(listener));
  }
  return {};
}

std::vector<std::string> HttpServer::bound_endpoints() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::string> names;
  for (const auto& listener : impl_->listeners) names.push_back(listener->name());
  return names;
}

// Stops accepting, closes idle connections and lets busy ones finish their request
// within http::kShutdownGrace. Returns at once; the io_context runs out when all are done.
void HttpServer::stop() {
  std::vector<std::shared_ptr<http::Session>> sessions = impl_->context->begin_stop();
  std::vector<std::shared_ptr<http::Listener>> listeners;
  {
    std::lock_guard lock(impl_->mutex);
    listeners.swap(impl_->listeners);
  }
  for (auto& listener : listeners) listener->stop();
  for (auto& session : sessions) session->shut_down();
}

}  // namespace quire
