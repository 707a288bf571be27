// Session: the connection loop, reading request heads and bodies, writing responses,
// timeouts and closing. IPP and web requests are served in their own files.
#include "http/http_session.hpp"

#include "http/http_protocol.hpp"
#include "quire/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <limits>

namespace quire::http {
namespace {

constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kMaxLingerBytes = 1024 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nServer: Quire/0.1\r\nConnection: close\r\n"
    "Retry-After: 30\r\nContent-Length: 0\r\n\r\n";

auto with(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

bool is_http_error(const error_code& ec) {
  return ec.category() == make_error_code(bhttp::error::end_of_stream).category();
}

// A failed read of a request, as the client will hear it. A closed, reset or silent
// client (end_of_stream, partial_message, socket errors, our deadline) gets no answer.
Problem problem_from(const error_code& ec, bool timed_out) {
  if (timed_out) return {Failure::kClientGone, "timed out"};
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
    return {Failure::kHeaderTooLarge, ec.message()};
  if (ec == bhttp::error::body_limit) return {Failure::kTooLarge, ec.message()};
  if (is_http_error(ec) && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
    return {Failure::kBadRequest, ec.message()};
  return {Failure::kClientGone, ec.message()};
}

}  // namespace

Session::Exchange::Exchange(const HttpLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  // Each route applies its own limit. Not boost::none: Beast 1.74 compares the
  // Content-Length against the empty optional and reports body_limit.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
}

void Session::Exchange::take_header() {
  const auto& request = parser.get();
  method = std::string(request.method_string());
  target = std::string(request.target());
  content_type = std::string(request[bhttp::field::content_type]);
  has_host = request.find(bhttp::field::host) != request.end();
  host = std::string(request[bhttp::field::host]);
  authorization = std::string(request[bhttp::field::authorization]);
  version = request.version() == 10 ? 10 : 11;
  if (auto length = parser.content_length()) content_length = *length;
  keep_alive = request.keep_alive();
  is_head = request.method() == bhttp::verb::head;
  expects_continue = version == 11 && expects_100_continue(request[bhttp::field::expect]);
}

Session::Session(Socket socket, Peer peer, int id, std::shared_ptr<ServerContext> context)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      shutdown_deadline_(socket_.get_executor()),
      buffer_(context->limits().max_header_bytes + kPieceBytes),
      peer_(std::move(peer)),
      id_(id),
      context_(std::move(context)) {}

Session::~Session() { context_->remove_session(id_); }

void Session::start(std::shared_ptr<Session> session) {
  Strand strand = session->socket_.get_executor();
  const int id = session->id_;
  spawn_session(strand, run(std::move(session)), "Client", id);
}

void Session::refuse_busy() {
  log::error().warn("[Client {}] Refused from {}: {}", id_, peer_.address,
                    context_->is_stopping() ? "server stopping" : "too many connections");
  error_code ignored;
  socket_.non_blocking(true, ignored);
  socket_.write_some(asio::buffer(kBusy.data(), kBusy.size()), ignored);
  socket_.shutdown(asio::socket_base::shutdown_send, ignored);
  socket_.close(ignored);
}

void Session::shut_down() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->begin_shutdown(); });
}

asio::awaitable<void> Session::run(std::shared_ptr<Session> self) {
  log::error().debug("[Client {}] Accepted from {}", self->id_, self->peer_.address);
  for (;;) {
    const bool more = co_await self->serve_request();
    if (!more) break;
  }
  co_await self->close_gracefully();
  log::error().debug("[Client {}] Closed after {} request(s)", self->id_, self->requests_);
}

// Serves one request; true when the connection stays open for the next one.
asio::awaitable<bool> Session::serve_request() {
  Exchange ex(context_->limits());
  const bool ready = co_await wait_for_request();
  if (!ready) co_return false;
  std::optional<Problem> problem = co_await read_header(ex);
  if (problem) {
    co_await answer(ex, std::move(*problem));
    co_return false;
  }
  idle_ = false;
  ++requests_;
  ex.take_header();
  log::error().debug("[Client {}] {} {} HTTP/{}.{}", id_, ex.method, ex.target, ex.version / 10, ex.version % 10);
  co_await authenticate(ex);
  co_await dispatch(ex);
  idle_ = true;
  co_return ex.keep_alive && socket_.is_open() && !stopping_;
}

// Between requests: waits for the first byte of the next one under the idle timeout.
// The first request of a connection is covered by the header timeout alone.
asio::awaitable<bool> Session::wait_for_request() {
  idle_ = true;
  if (stopping_) co_return false;
  if (requests_ == 0 || buffer_.size() > 0) co_return true;
  arm(context_->limits().idle_timeout);
  error_code ec;
  const std::size_t n = co_await socket_.async_read_some(buffer_.prepare(kPieceBytes), with(ec));
  disarm();
  buffer_.commit(n);
  if (ec) log::error().debug("[Client {}] Closing idle connection: {}", id_, timed_out_ ? "idle timeout" : ec.message());
  co_return !ec;
}

asio::awaitable<std::optional<Problem>> Session::read_header(Exchange& ex) {
  arm(context_->limits().header_timeout);
  error_code ec;
  co_await bhttp::async_read_header(socket_, buffer_, ex.parser, with(ec));
  disarm();
  if (!ec) co_return std::nullopt;
  co_return problem_from(ec, timed_out_);
}

asio::awaitable<void> Session::dispatch(Exchange& ex) {
  if (ex.version == 11 && !ex.has_host) {  // RFC 9112 §3.2: a 1.1 request without Host is a 400
    Problem no_host{Failure::kBadRequest, "no Host header"};
    co_await answer(ex, std::move(no_host));
    co_return;
  }
  const bool allowed = co_await is_allowed(ex);
  if (!allowed) co_return;
  std::shared_ptr<const WebHandler> web = context_->web_handler();
  switch (route_request(ex.method, ex.target, ex.content_type, web != nullptr)) {
    case Route::kIpp:
      co_await serve_ipp(ex);
      break;
    case Route::kWeb:
      co_await serve_web(ex, std::move(web));
      break;
    case Route::kOptions:
      co_await answer_status(ex, bhttp::status::ok);
      break;
    case Route::kNotFound:
      co_await answer_status(ex, bhttp::status::not_found);
      break;
    case Route::kMethodNotAllowed:
      co_await answer_status(ex, bhttp::status::method_not_allowed);
      break;
    case Route::kUnsupportedMediaType:
      co_await answer_status(ex, bhttp::status::unsupported_media_type);
      break;
  }
}

// Called once the head has passed every check, so a refused client never sends its body.
asio::awaitable<bool> Session::send_continue_if_expected(Exchange& ex) {
  if (!ex.expects_continue || ex.parser.is_done()) co_return true;
  arm(context_->limits().body_timeout);
  error_code ec;
  co_await asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()), with(ec));
  disarm();
  if (ec) log::error().debug("[Client {}] Unable to send 100 Continue: {}", id_, ec.message());
  co_return !ec;
}

// Reads what arrives of the body into `into` (at most its size). The body timeout is
// per piece: a slow client that keeps sending is never cut off.
asio::awaitable<Session::BodyPiece> Session::read_body_piece(Exchange& ex, std::span<std::byte> into) {
  auto& body = ex.parser.get().body();
  body.data = into.data();
  body.size = into.size();
  body.more = true;
  arm(context_->limits().body_timeout);
  error_code ec;
  co_await bhttp::async_read_some(socket_, buffer_, ex.parser, with(ec));
  disarm();
  BodyPiece piece{into.size() - body.size, std::nullopt};
  body.data = nullptr;  // `into` may not outlive this call
  body.size = 0;
  ex.body_bytes += piece.bytes;
  if (ec && ec != bhttp::error::need_buffer) piece.problem = problem_from(ec, timed_out_);
  else if (is_over_body_limit(ex, context_->limits().max_body_bytes))
    piece.problem = Problem{Failure::kTooLarge, "body over the size limit"};
  co_return piece;
}

bool Session::is_over_body_limit(const Exchange& ex, std::uint64_t limit) const {
  return limit != 0 && (ex.body_bytes > limit || ex.content_length.value_or(0) > limit);
}

// Reads and drops the rest of a body so that the connection can carry the next request.
// False when the client is gone. Past kMaxDrainBytes, or on a broken body, it stops
// early; send() then closes the connection because the body is unfinished.
asio::awaitable<bool> Session::discard_body(Exchange& ex) {
  if (ex.content_length && *ex.content_length - ex.body_bytes > kMaxDrainBytes) co_return true;
  std::vector<std::byte> scratch(ex.parser.is_done() ? 0 : kPieceBytes);
  std::uint64_t drained = 0;
  while (!ex.parser.is_done() && drained <= kMaxDrainBytes) {
    BodyPiece piece = co_await read_body_piece(ex, scratch);
    if (piece.problem) co_return piece.problem->failure != Failure::kClientGone;
    drained += piece.bytes;
  }
  co_return true;
}

// Writes the response with Server, Date and Content-Length, and one access_log line.
// The connection stays open only when the client wants it, the request body was read
// to its end and the server is not stopping.
asio::awaitable<void> Session::send(Exchange& ex, Response response) {
  if (!ex.parser.is_done() || stopping_) ex.keep_alive = false;
  response.version(ex.version);
  response.set(bhttp::field::server, kServerName);
  response.set(bhttp::field::date, format_http_date(std::chrono::system_clock::now()));
  response.keep_alive(ex.keep_alive);
  if (!ex.keep_alive) response.set(bhttp::field::connection, "close");
  response.prepare_payload();
  const std::size_t body_size = response.body().size();
  if (ex.is_head) response.body().clear();  // Content-Length still says what GET would send
  arm(context_->limits().body_timeout);
  error_code ec;
  co_await bhttp::async_write(socket_, response, with(ec));
  disarm();
  if (ec) {
    ex.keep_alive = false;
    log::error().debug("[Client {}] Unable to write response: {}", id_, ec.message());
  }
  if (!log::access_logged(ex.method, ex.target, ex.operation_code, ex.ipp_status_code)) co_return;
  const bool sends_body = ex.method == "GET" || ex.method == "HEAD";
  log::access(peer_.address, ex.user, ex.method, ex.target, response.result_int(), sends_body ? body_size : ex.body_bytes,
              ex.operation, ex.ipp_status);
}

// Half-closes and reads what the client still sends for a moment, so that a client
// still writing gets our last response instead of a reset.
asio::awaitable<void> Session::close_gracefully() {
  error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_send, ec);
  if (!ec) {
    arm(kLingerTime);
    std::array<char, 4096> scratch;
    std::size_t total = 0;
    while (!ec && total < kMaxLingerBytes) total += co_await socket_.async_read_some(asio::buffer(scratch), with(ec));
    disarm();
  }
  close_now();
}

void Session::begin_shutdown() {
  stopping_ = true;
  if (idle_) {
    close_now();
    return;
  }
  shutdown_deadline_.expires_after(kShutdownGrace);
  shutdown_deadline_.async_wait([weak = weak_from_this()](const error_code& ec) {
    if (auto self = weak.lock(); self && !ec) self->close_now();
  });
}

void Session::close_now() {
  error_code ignored;
  socket_.close(ignored);
}

void Session::arm(std::chrono::steady_clock::duration timeout) {
  timed_out_ = false;
  deadline_.expires_after(timeout);
  deadline_.async_wait([weak = weak_from_this()](const error_code& ec) {
    auto self = weak.lock();
    // A wait that fired just before disarm() or a new arm() finds a later expiry.
    if (ec || !self || self->deadline_.expiry() > std::chrono::steady_clock::now()) return;
    self->timed_out_ = true;
    self->close_now();
  });
}

void Session::disarm() { deadline_.expires_at(asio::steady_timer::time_point::max()); }

}  // namespace quire::http
