// The Asio types the HTTP front end runs on, and the one way a callback from another
// thread (IPP service, document sink, web handler) gets back onto a session's strand.
// Private to src/http: only its .cpp files include Asio and Beast.
#pragma once

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "auth/peer_credentials.hpp"

#include <functional>
#include <optional>
#include <string>

namespace quire::http {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

using Strand = asio::strand<asio::io_context::executor_type>;
// TCP and Unix domain connections share one socket type, so one Session serves both.
using Protocol = asio::generic::stream_protocol;
using Socket = asio::basic_stream_socket<Protocol, Strand>;
using Acceptor = asio::basic_socket_acceptor<Protocol, Strand>;

// Where a connection comes from, as the access_log and ClientInfo name it.
struct Peer {
  std::string address;    // "192.0.2.7", "::1", or "localhost" for a Unix socket
  bool is_local = false;  // loopback or Unix socket
  bool is_unix_socket = false;
  // Unix socket only: who connected, as the kernel says. Their user is the connection's
  // authenticated user; PeerCred headers are checked against the uid.
  std::optional<auth::PeerCredentials> credentials;
};

// Calls start(callback) and suspends until the callback runs, on any thread; the
// coroutine resumes on `strand` with the callback's argument. `start` runs before this
// returns control, so it may use the caller's locals. If the callback is destroyed
// without being called, the waiting coroutine is destroyed with it.
template <class Result, class Start>
asio::awaitable<Result> await_on_strand(Strand strand, Start start) {
  auto initiate = [strand, &start](auto handler) {
    start(std::move_only_function<void(Result)>(
        [strand, handler = std::move(handler)](Result result) mutable {
          asio::post(strand, [handler = std::move(handler), result = std::move(result)]() mutable {
            std::move(handler)(std::move(result));
          });
        }));
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Result)>(std::move(initiate),
                                                                                        asio::use_awaitable);
}

}  // namespace quire::http
