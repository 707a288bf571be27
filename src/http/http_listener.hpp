// Listening sockets: binds what an HttpServer::Endpoint names (TCP addresses or a Unix
// domain socket) and accepts connections into Sessions.
#pragma once

#include "http/http_context.hpp"
#include "http/http_transport.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace quire::http {

// One bound socket and its accept loop, on its own strand. Owned by shared_ptr: by the
// HttpServer and by its running accept loop, which ends when stop() closes the socket.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  explicit Listener(asio::io_context& io);

  static std::expected<std::shared_ptr<Listener>, std::string> open_tcp(asio::io_context& io,
                                                                        const asio::ip::tcp::endpoint& endpoint,
                                                                        bool v6_only);
  static std::expected<std::shared_ptr<Listener>, std::string> open_unix(asio::io_context& io,
                                                                         const std::filesystem::path& path);

  // As bound: "127.0.0.1:41234", "[::1]:631" or the socket path.
  const std::string& name() const { return name_; }
  std::uint16_t port() const { return port_; }

  // Accepts until stop(); each connection becomes a Session sharing `context`, or is
  // refused with 503 when the context is full or stopping.
  void start(std::shared_ptr<ServerContext> context);
  // From any thread: closes the socket and removes a Unix socket's file.
  void stop();

 private:
  static asio::awaitable<void> accept_loop(std::shared_ptr<Listener> self, std::shared_ptr<ServerContext> context);
  void admit(Socket socket, const std::shared_ptr<ServerContext>& context);

  asio::io_context& io_;
  Acceptor acceptor_;
  std::string name_;
  std::uint16_t port_ = 0;
  std::filesystem::path unix_path_;
};

// Binds everything `endpoint` names: "localhost" is 127.0.0.1 and also ::1 where the
// host has it; "*" is every address (IPv6 and IPv4, or IPv4 alone); an address starting
// with '/' is a Unix socket path, whose stale socket file is replaced and which anyone
// may connect to (0666). Errors name the endpoint: "127.0.0.1:631: Address already in use".
std::expected<std::vector<std::shared_ptr<Listener>>, std::string> open_listeners(
    asio::io_context& io, const HttpServer::Endpoint& endpoint);

}  // namespace quire::http
