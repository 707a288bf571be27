// Listeners: binding TCP and Unix domain sockets, and the accept loop.
#include "http/http_listener.hpp"

#include "http/http_session.hpp"
#include "quire/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

namespace quire::http {
namespace {

constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

std::string describe(const asio::ip::tcp::endpoint& endpoint) {
  const asio::ip::address& address = endpoint.address();
  const std::string port = std::to_string(endpoint.port());
  return address.is_v6() ? "[" + address.to_string() + "]:" + port : address.to_string() + ":" + port;
}

asio::ip::tcp::endpoint to_tcp(const Protocol::endpoint& endpoint) {
  asio::ip::tcp::endpoint tcp;
  if (endpoint.size() > tcp.capacity()) return tcp;
  std::memcpy(tcp.data(), endpoint.data(), endpoint.size());
  tcp.resize(endpoint.size());
  return tcp;
}

Peer peer_of(Socket& socket) {
  error_code ec;
  Protocol::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return {"unknown", false, false, std::nullopt};
  if (remote.protocol().family() == AF_UNIX)
    return {"localhost", true, true, auth::read_peer_credentials(socket.native_handle())};
  asio::ip::address address = to_tcp(remote).address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return {address.to_string(), address.is_loopback(), false, std::nullopt};
}

// A socket file left by a server that is gone is replaced; one a live server still
// answers on is not: binding over it would steal that server's clients.
std::expected<void, std::string> remove_stale_socket(asio::io_context& io, const std::filesystem::path& path) {
  std::error_code fs_ec;
  const auto status = std::filesystem::symlink_status(path, fs_ec);
  if (fs_ec || !std::filesystem::exists(status)) return {};
  if (!std::filesystem::is_socket(status)) return std::unexpected(path.string() + ": exists and is not a socket");
  asio::local::stream_protocol::socket probe(io);
  error_code ec;
  probe.connect(asio::local::stream_protocol::endpoint(path.string()), ec);
  if (!ec) return std::unexpected(path.string() + ": " + error_code(asio::error::address_in_use).message());
  std::filesystem::remove(path, fs_ec);
  if (fs_ec) return std::unexpected(path.string() + ": " + fs_ec.message());
  return {};
}

error_code bind_and_listen(Acceptor& acceptor, const Protocol::endpoint& endpoint, bool reuse, int v6_only) {
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec && reuse) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && v6_only >= 0) acceptor.set_option(asio::ip::v6_only(v6_only != 0), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

using Opened = std::expected<std::vector<std::shared_ptr<Listener>>, std::string>;

Opened just(std::expected<std::shared_ptr<Listener>, std::string> listener) {
  if (!listener) return std::unexpected(listener.error());
  return std::vector{std::move(*listener)};
}

Opened open_localhost(asio::io_context& io, std::uint16_t port) {
  auto v4 = Listener::open_tcp(io, {asio::ip::address_v4::loopback(), port}, false);
  if (!v4) return std::unexpected(v4.error());
  std::vector<std::shared_ptr<Listener>> opened{*v4};
  auto v6 = Listener::open_tcp(io, {asio::ip::address_v6::loopback(), opened.front()->port()}, true);
  if (v6) opened.push_back(std::move(*v6));
  else log::error().debug("localhost: IPv6 loopback not used: {}", v6.error());
  return opened;
}

Opened open_any(asio::io_context& io, std::uint16_t port) {
  auto dual_stack = Listener::open_tcp(io, {asio::ip::address_v6::any(), port}, false);
  if (dual_stack) return std::vector{std::move(*dual_stack)};
  log::error().debug("*: IPv6 not used: {}", dual_stack.error());
  return just(Listener::open_tcp(io, {asio::ip::address_v4::any(), port}, false));
}

}  // namespace

Listener::Listener(asio::io_context& io) : io_(io), acceptor_(asio::make_strand(io)) {}

std::expected<std::shared_ptr<Listener>, std::string> Listener::open_tcp(asio::io_context& io,
                                                                         const asio::ip::tcp::endpoint& endpoint,
                                                                         bool v6_only) {
  auto listener = std::make_shared<Listener>(io);
  const int v6_option = endpoint.address().is_v6() ? int{v6_only} : -1;
  if (error_code ec = bind_and_listen(listener->acceptor_, Protocol::endpoint(endpoint), true, v6_option))
    return std::unexpected(describe(endpoint) + ": " + ec.message());
  const asio::ip::tcp::endpoint bound = to_tcp(listener->acceptor_.local_endpoint());
  listener->name_ = describe(bound);
  listener->port_ = bound.port();
  return listener;
}

std::expected<std::shared_ptr<Listener>, std::string> Listener::open_unix(asio::io_context& io,
                                                                          const std::filesystem::path& path) {
  if (path.native().size() >= sizeof(sockaddr_un::sun_path))
    return std::unexpected(path.string() + ": " + error_code(asio::error::name_too_long).message());
  if (auto ready = remove_stale_socket(io, path); !ready) return std::unexpected(ready.error());
  auto listener = std::make_shared<Listener>(io);
  const Protocol::endpoint endpoint(asio::local::stream_protocol::endpoint(path.string()));
  if (error_code ec = bind_and_listen(listener->acceptor_, endpoint, false, -1))
    return std::unexpected(path.string() + ": " + ec.message());
  std::error_code fs_ec;
  std::filesystem::permissions(path, std::filesystem::perms(0666), fs_ec);
  if (fs_ec) return std::unexpected(path.string() + ": " + fs_ec.message());
  listener->name_ = path.string();
  listener->unix_path_ = path;
  return listener;
}

void Listener::start(std::shared_ptr<ServerContext> context) {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(shared_from_this(), std::move(context)),
                 [name = name_](std::exception_ptr failure) {
                   if (!failure) return;
                   try {
                     std::rethrow_exception(failure);
                   } catch (const std::exception& e) {
                     log::error().error("[Listener {}] Stopped accepting: {}", name, e.what());
                   }
                 });
}

void Listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    error_code ignored;
    self->acceptor_.close(ignored);
    std::error_code fs_ignored;
    if (!self->unix_path_.empty()) std::filesystem::remove(self->unix_path_, fs_ignored);
  });
}

asio::awaitable<void> Listener::accept_loop(std::shared_ptr<Listener> self, std::shared_ptr<ServerContext> context) {
  for (;;) {
    error_code ec;
    Socket socket = co_await self->acceptor_.async_accept(asio::make_strand(self->io_),
                                                          asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) co_return;
    if (ec) {
      // Out of descriptors, most likely: pause instead of spinning on the error.
      log::error().error("[Listener {}] Unable to accept: {}", self->name_, ec.message());
      asio::steady_timer pause(self->acceptor_.get_executor(), kAcceptRetryDelay);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    self->admit(std::move(socket), context);
  }
}

void Listener::admit(Socket socket, const std::shared_ptr<ServerContext>& context) {
  Peer peer = peer_of(socket);
  error_code ignored;
  if (socket.local_endpoint(ignored).protocol().family() != AF_UNIX)
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  const int id = context->next_connection_id();
  auto session = std::make_shared<Session>(std::move(socket), std::move(peer), id, context);
  if (!context->add_session(id, session)) {
    session->refuse_busy();
    return;
  }
  Session::start(std::move(session));
}

std::expected<std::vector<std::shared_ptr<Listener>>, std::string> open_listeners(
    asio::io_context& io, const HttpServer::Endpoint& endpoint) {
  const std::string& address = endpoint.address;
  if (address.starts_with('/')) return just(Listener::open_unix(io, address));
  if (address == "localhost") return open_localhost(io, endpoint.port);
  if (address == "*") return open_any(io, endpoint.port);
  std::string_view literal = address;
  if (literal.starts_with('[') && literal.ends_with(']')) literal = literal.substr(1, literal.size() - 2);
  error_code ec;
  const asio::ip::address ip = asio::ip::make_address(literal, ec);
  if (ec) return std::unexpected(address + ": not an IP address, \"localhost\", \"*\" or a socket path");
  return just(Listener::open_tcp(io, {ip, endpoint.port}, true));
}

}  // namespace quire::http
