// LpdServer: binding TCP listeners, accepting connections into Sessions, stopping.
#include "quire/lpd_server.hpp"

#include "lpd/lpd_session.hpp"
#include "quire/log.hpp"

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace quire {
namespace {

namespace asio = boost::asio;
using lpd::error_code;
using Acceptor = asio::basic_socket_acceptor<asio::ip::tcp, lpd::Strand>;

constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

std::string describe(const asio::ip::tcp::endpoint& endpoint) {
  const std::string port = std::to_string(endpoint.port());
  return endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]:" + port
                                    : endpoint.address().to_string() + ":" + port;
}

// One bound socket and its accept loop, on its own strand. Owned by the server and by
// its running accept loop, which ends when stop() closes the socket.
struct Listener : std::enable_shared_from_this<Listener> {
  explicit Listener(asio::io_context& io_context) : io(io_context), acceptor(asio::make_strand(io_context)) {}

  asio::io_context& io;
  Acceptor acceptor;
  std::string name;

  static std::expected<std::shared_ptr<Listener>, std::string> open(asio::io_context& io,
                                                                    const asio::ip::tcp::endpoint& endpoint) {
    auto listener = std::make_shared<Listener>(io);
    error_code ec;
    Acceptor& a = listener->acceptor;
    a.open(endpoint.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && endpoint.address().is_v6()) a.set_option(asio::ip::v6_only(!endpoint.address().is_unspecified()), ec);
    if (!ec) a.bind(endpoint, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return std::unexpected(describe(endpoint) + ": " + ec.message());
    listener->name = describe(a.local_endpoint(ec));
    return listener;
  }

  void start(std::shared_ptr<lpd::SessionContext> context) {
    asio::co_spawn(acceptor.get_executor(), accept_loop(shared_from_this(), std::move(context)),
                   [name = name](std::exception_ptr failure) {
                     if (!failure) return;
                     try {
                       std::rethrow_exception(failure);
                     } catch (const std::exception& e) {
                       log::error().error("[LPD listener {}] Stopped accepting: {}", name, e.what());
                     }
                   });
  }

  void stop() {
    asio::post(acceptor.get_executor(), [self = shared_from_this()] {
      error_code ignored;
      self->acceptor.close(ignored);
    });
  }

  static asio::awaitable<void> accept_loop(std::shared_ptr<Listener> self, std::shared_ptr<lpd::SessionContext> context) {
    for (;;) {
      error_code ec;
      lpd::Socket socket = co_await self->acceptor.async_accept(asio::make_strand(self->io),
                                                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) co_return;
      if (ec) {
        // Out of descriptors, most likely: pause instead of spinning on the error.
        log::error().error("[LPD listener {}] Unable to accept: {}", self->name, ec.message());
        asio::steady_timer pause(self->acceptor.get_executor(), kAcceptRetryDelay);
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      socket.set_option(asio::ip::tcp::no_delay(true), ec);
      const int id = context->next_connection_id();
      auto session = std::make_shared<lpd::Session>(std::move(socket), id, context);
      if (!context->add_session(id, session)) session->refuse_busy();
      else lpd::Session::start(std::move(session));
    }
  }
};

using Opened = std::expected<std::vector<std::shared_ptr<Listener>>, std::string>;

// "localhost" is 127.0.0.1 and also ::1 where the host has it, on the same port.
Opened open_endpoint(asio::io_context& io, const LpdServer::Endpoint& endpoint) {
  std::vector<std::shared_ptr<Listener>> opened;
  auto add = [&](const asio::ip::address& address, std::uint16_t port) -> std::expected<void, std::string> {
    auto listener = Listener::open(io, {address, port});
    if (!listener) return std::unexpected(listener.error());
    opened.push_back(std::move(*listener));
    return {};
  };
  const std::string& address = endpoint.address;
  if (address == "localhost") {
    if (auto v4 = add(asio::ip::address_v4::loopback(), endpoint.port); !v4) return std::unexpected(v4.error());
    const std::uint16_t port = opened.front()->acceptor.local_endpoint().port();
    if (auto v6 = add(asio::ip::address_v6::loopback(), port); !v6)
      log::error().debug("LPD localhost: IPv6 loopback not used: {}", v6.error());
    return opened;
  }
  if (address == "*") {
    if (add(asio::ip::address_v6::any(), endpoint.port)) return opened;
    if (auto v4 = add(asio::ip::address_v4::any(), endpoint.port); !v4) return std::unexpected(v4.error());
    return opened;
  }
  std::string_view literal = address;
  if (literal.starts_with('[') && literal.ends_with(']')) literal = literal.substr(1, literal.size() - 2);
  error_code ec;
  const asio::ip::address ip = asio::ip::make_address(literal, ec);
  if (ec) return std::unexpected(address + ": not an IP address, \"localhost\" or \"*\"");
  if (auto one = add(ip, endpoint.port); !one) return std::unexpected(one.error());
  return opened;
}

}  // namespace

struct LpdServer::Impl {
  Impl(asio::io_context& io_context, IppService& ipp, LpdLimits limits)
      : io(io_context), context(std::make_shared<lpd::SessionContext>(ipp, std::move(limits))) {}

  asio::io_context& io;
  std::shared_ptr<lpd::SessionContext> context;
  mutable std::mutex mutex;
  std::vector<std::shared_ptr<Listener>> listeners;
};

LpdServer::LpdServer(asio::io_context& io, IppService& ipp, LpdLimits limits)
    : impl_(std::make_shared<Impl>(io, ipp, std::move(limits))) {}

LpdServer::~LpdServer() { stop(); }

std::expected<void, std::string> LpdServer::listen(const Endpoint& endpoint) {
  auto opened = open_endpoint(impl_->io, endpoint);
  if (!opened) return std::unexpected(opened.error());
  std::lock_guard lock(impl_->mutex);
  for (auto& listener : *opened) {
    listener->start(impl_->context);
    log::error().info("LPD listening on {}", listener->name);
    impl_->listeners.push_back(std::move(listener));
  }
  return {};
}

std::vector<std::string> LpdServer::bound_endpoints() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::string> names;
  for (const auto& listener : impl_->listeners) names.push_back(listener->name);
  return names;
}

void LpdServer::stop() {
  std::vector<std::shared_ptr<lpd::Session>> sessions = impl_->context->begin_stop();
  std::vector<std::shared_ptr<Listener>> listeners;
  {
    std::lock_guard lock(impl_->mutex);
    listeners.swap(impl_->listeners);
  }
  for (auto& listener : listeners) listener->stop();
  for (auto& session : sessions) session->shut_down();
}

}  // namespace quire
