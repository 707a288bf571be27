// One HTTP/1.1 connection: reads requests one at a time, routes them to IPP or the web
// handler, streams documents into their sink and writes the responses, in order.
//
// A connection's life, all on the session's strand:
//   waiting   for the next request (idle timeout; header timeout for the first)
//   header    being read (header timeout, header size limit), then its Authorization
//             checked and its resource checked against the <Location> rules
//   body      IPP attributes, then the document or its drained rest (body timeout per
//             piece, attribute and body size limits)
//   service   waiting for the IPP service, sink or web handler (no timeout: they own it)
//   response  being written (body timeout), then waiting again or closing
// Only "waiting" and "header" count as idle: stop() closes idle connections at once
// and gives busy ones kShutdownGrace to finish their request.
#pragma once

#include "http/http_context.hpp"
#include "http/http_transport.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quire::http {

namespace bhttp = boost::beast::http;
using Response = bhttp::response<bhttp::string_body>;

inline constexpr std::chrono::seconds kShutdownGrace{5};
inline constexpr std::size_t kPieceBytes = 64 * 1024;          // one read of a body
inline constexpr std::uint64_t kMaxWebBodyBytes = 1024 * 1024;  // a form or a config file
inline constexpr std::uint64_t kMaxDrainBytes = 8 * 1024 * 1024;

// Why a request cannot go on. Session::answer() turns each into an HTTP status.
enum class Failure {
  kClientGone,      // closed, reset or timed out: nobody to answer
  kBadRequest,      // 400: broken HTTP framing, IPP that does not parse
  kHeaderTooLarge,  // 431
  kTooLarge,        // 413: body or IPP attributes over the limit
};
// An aggregate: never build one in a co_await expression (answer(ex, Problem{...})).
// g++ 12 destroys such a braced temporary twice; name it first.
struct Problem {
  Failure failure;
  std::string detail;  // for the debug log
};

// A session is owned by shared_ptr and kept alive by its running coroutine; timers hold
// only weak references. Every member is used on the strand, except shut_down().
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, Peer peer, int id, std::shared_ptr<ServerContext> context);
  ~Session();

  int id() const { return id_; }
  // Runs the session on its strand until the connection closes.
  static void start(std::shared_ptr<Session> session);
  // Instead of start(), when the server is full or stopping: 503 and close.
  void refuse_busy();
  // From any thread: close now if idle, else after the current request or kShutdownGrace.
  void shut_down();

 private:
  struct Exchange;
  struct BodyPiece {
    std::size_t bytes = 0;
    std::optional<Problem> problem;
  };

  static asio::awaitable<void> run(std::shared_ptr<Session> self);
  asio::awaitable<bool> serve_request();
  asio::awaitable<bool> wait_for_request();
  asio::awaitable<std::optional<Problem>> read_header(Exchange& ex);
  asio::awaitable<void> dispatch(Exchange& ex);

  // Who is asking and may they (http_session_auth.cpp).
  asio::awaitable<void> authenticate(Exchange& ex);
  asio::awaitable<bool> is_allowed(Exchange& ex);
  asio::awaitable<void> answer_unauthorized(Exchange& ex, const AuthChallenge& challenge);
  asio::awaitable<bool> send_continue_if_expected(Exchange& ex);
  asio::awaitable<BodyPiece> read_body_piece(Exchange& ex, std::span<std::byte> into);
  asio::awaitable<bool> discard_body(Exchange& ex);
  bool is_over_body_limit(const Exchange& ex, std::uint64_t limit) const;

  // IPP (http_session_ipp.cpp).
  asio::awaitable<void> serve_ipp(Exchange& ex);
  asio::awaitable<std::optional<Problem>> read_ipp_message(Exchange& ex, std::vector<std::byte>& bytes,
                                                           std::size_t& end);
  asio::awaitable<void> stream_document(Exchange& ex, std::unique_ptr<DocumentSink> sink,
                                        std::span<const std::byte> buffered);
  asio::awaitable<void> send_ipp(Exchange& ex, IppMessage response);
  asio::awaitable<void> send_encoded_ipp(Exchange& ex, const std::vector<std::byte>& encoded,
                                         ipp_status_t status);
  ClientInfo client_info(const Exchange& ex) const;

  // Web and plain answers (http_session_web.cpp).
  asio::awaitable<void> serve_web(Exchange& ex, std::shared_ptr<const WebHandler> handler);
  asio::awaitable<std::optional<Problem>> read_small_body(Exchange& ex, std::string& body);
  asio::awaitable<void> answer(Exchange& ex, Problem problem);
  asio::awaitable<void> answer_status(Exchange& ex, bhttp::status status);

  // Writing and closing.
  asio::awaitable<void> send(Exchange& ex, Response response);
  asio::awaitable<void> close_gracefully();
  void begin_shutdown();
  void close_now();

  // One deadline for the socket operation in progress: on expiry the socket closes and
  // the operation fails.
  void arm(std::chrono::steady_clock::duration timeout);
  void disarm();

  Socket socket_;
  asio::steady_timer deadline_;
  asio::steady_timer shutdown_deadline_;
  boost::beast::flat_buffer buffer_;  // bytes read but not parsed yet (may hold pipelined requests)
  const Peer peer_;
  const int id_;
  std::shared_ptr<ServerContext> context_;
  // The last Authorization header this connection proved, and whose it is: clients send
  // the same header with every request, and PAM is slow.
  std::string proven_authorization_;
  std::string proven_user_;
  int requests_ = 0;
  bool idle_ = true;
  bool stopping_ = false;
  bool timed_out_ = false;
};

// One request and its response. Lives in the coroutine frame of serve_request().
struct Session::Exchange {
  explicit Exchange(const HttpLimits& limits);
  void take_header();

  bhttp::request_parser<bhttp::buffer_body> parser;
  std::string method = "-";
  std::string target = "-";
  std::string content_type;
  std::string host;
  std::string authorization;  // the Authorization header, never logged
  std::string user;           // proven by the header or the Unix socket peer; empty if nobody
  unsigned version = 11;
  std::optional<std::uint64_t> content_length;
  bool has_host = false;
  bool keep_alive = false;
  bool is_head = false;
  bool expects_continue = false;
  std::uint64_t body_bytes = 0;  // request body bytes read so far
  std::string operation;         // IPP operation name, for the access_log
  std::string ipp_status;
  int operation_code = 0;        // 0: not an IPP request
  int ipp_status_code = -1;      // -1: no IPP response
};

}  // namespace quire::http
