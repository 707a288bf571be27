// Session: the connection loop, reading and writing with timeouts, closing, and the
// daemon commands that only ask (queue state, remove jobs, print waiting jobs).
// Receiving a job is in lpd_session_receive.cpp.
#include "lpd/lpd_session.hpp"

#include "lpd/queue_listing.hpp"
#include "quire/log.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace quire::lpd {
namespace {

constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kMaxLingerBytes = 1024 * 1024;

auto with(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

// Calls start(callback) and suspends until the callback runs, on any thread; resumes on
// `strand` with its argument. If the callback is destroyed without being called, the
// waiting coroutine is destroyed with it (and the session with it).
template <class Result, class Start>
asio::awaitable<Result> await_on_strand(Strand strand, Start start) {
  auto initiate = [strand, &start](auto handler) {
    start(std::move_only_function<void(Result)>([strand, handler = std::move(handler)](Result result) mutable {
      asio::post(strand, [handler = std::move(handler), result = std::move(result)]() mutable {
        std::move(handler)(std::move(result));
      });
    }));
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Result)>(std::move(initiate),
                                                                                        asio::use_awaitable);
}

}  // namespace

std::uint64_t Reception::staged_bytes() const {
  std::uint64_t total = 0;
  for (const auto& [name, file] : staged) total += file.size();
  return total;
}

// ---- Session: life ----

Session::Session(Socket socket, int id, std::shared_ptr<SessionContext> context)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      shutdown_deadline_(socket_.get_executor()),
      id_(id),
      context_(std::move(context)),
      buffer_(kReadBufferBytes) {
  error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  asio::ip::address address = remote.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  peer_ = ec ? std::string("unknown") : address.to_string();
  peer_is_local_ = !ec && address.is_loopback();
}

Session::~Session() { context_->remove_session(id_); }

void Session::start(std::shared_ptr<Session> session) {
  Strand strand = session->socket_.get_executor();
  const int id = session->id_;
  spawn_session(strand, run(std::move(session)), "LPD client", id);
}

void Session::refuse_busy() {
  log::error().warn("[LPD client {}] Refused from {}: too many connections or stopping", id_, peer_);
  close_now();
}

void Session::shut_down() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->begin_shutdown(); });
}

asio::awaitable<void> Session::run(std::shared_ptr<Session> self) {
  log::error().debug("[LPD client {}] Accepted from {}", self->id_, self->peer_);
  auto [status, line] = co_await self->read_line();
  if (status == Read::kOk) {
    auto command = parse_command_line(line);
    if (command) co_await self->serve(*command);
    else co_await self->refuse(command.error());
  } else if (status == Read::kTooLong) {
    const LpdError too_long{Refusal::kBadCommand, "command line too long"};
    co_await self->refuse(too_long);
  }
  co_await self->close_gracefully();
  log::error().debug("[LPD client {}] Closed", self->id_);
}

asio::awaitable<void> Session::serve(const CommandLine& command) {
  switch (command.command) {
    case DaemonCommand::kPrintWaitingJobs:
      co_await print_waiting_jobs(command);
      break;
    case DaemonCommand::kReceiveJob:
      co_await receive_job(command);
      break;
    case DaemonCommand::kQueueStateShort:
    case DaemonCommand::kQueueStateLong:
      co_await send_queue_state(command);
      break;
    case DaemonCommand::kRemoveJobs:
      co_await remove_jobs(command);
      break;
  }
}

// ---- The IPP service ----

asio::awaitable<IppOutcome> Session::call(IppMessage request, const ClientInfo& client) {
  IppService& service = context_->ipp();
  co_return co_await await_on_strand<IppOutcome>(socket_.get_executor(), [&](IppOutcomeHandler done) {
    service.handle(std::move(request), client, std::move(done));
  });
}

asio::awaitable<IppMessage> Session::finish(DocumentSink& sink) {
  co_return co_await await_on_strand<IppMessage>(socket_.get_executor(),
                                                 [&sink](IppResponseHandler done) { sink.finish(std::move(done)); });
}

ClientInfo Session::client_info(const std::string& queue, const std::string& originating_host) const {
  return ClientInfo{.address = peer_,
                    .host_header = {},
                    .resource = "/printers/" + queue,
                    .authenticated_user = {},
                    .is_local = peer_is_local_,
                    .connection_id = id_,
                    .originating_host = originating_host};
}

// ---- Commands that ask ----

asio::awaitable<std::expected<QueueInfo, LpdError>> Session::look_up_queue(const std::string& name) {
  IppMessage request = make_get_printer_attributes(name);
  const ClientInfo client = client_info(name);
  IppOutcome outcome = co_await call(std::move(request), client);
  auto queue = read_queue_info(outcome.response);
  if (queue) co_return *queue;
  const bool unknown = queue.error() == IPP_STATUS_ERROR_NOT_FOUND;
  co_return std::unexpected(LpdError{unknown ? Refusal::kUnknownQueue : Refusal::kServiceRefused,
                                     name + ": " + describe_status(outcome.response), queue.error()});
}

asio::awaitable<void> Session::print_waiting_jobs(const CommandLine& command) {
  auto queue = co_await look_up_queue(command.queue);
  if (!queue) {
    co_await refuse(queue.error());
    co_return;
  }
  co_await send_ack(Ack::kOk);  // the scheduler starts jobs by itself: nothing to kick
}

asio::awaitable<std::optional<Session::QueueJobs>> Session::jobs_of(const CommandLine& command) {
  auto queue = co_await look_up_queue(command.queue);
  if (!queue) {
    const std::string unknown = fmt::format("{}: unknown printer\n", command.queue);
    co_await write(unknown);
    co_return std::nullopt;
  }
  ClientInfo client = client_info(queue->name);
  IppMessage request = make_get_jobs(queue->name);  // named: no temporaries inside co_await (g++ 12)
  IppOutcome jobs = co_await call(std::move(request), client);
  co_return QueueJobs{std::move(*queue), std::move(client), std::move(jobs)};
}

asio::awaitable<void> Session::send_queue_state(const CommandLine& command) {
  auto found = co_await jobs_of(command);
  if (!found) co_return;
  const auto& [queue, client, jobs] = *found;
  const bool long_format = command.command == DaemonCommand::kQueueStateLong;
  const std::string text = ack_for(jobs.response.status()) == Ack::kOk
                               ? render_queue_state(queue, read_jobs(jobs.response), command.list, long_format)
                               : fmt::format("{}: {}\n", queue.name, describe_status(jobs.response));
  co_await write(text);
}

// Answers in text, as BSD lpd does: one line per job it tried to remove.
asio::awaitable<void> Session::remove_jobs(const CommandLine& command) {
  auto found = co_await jobs_of(command);
  if (!found) co_return;
  const auto& [queue, client, jobs] = *found;
  std::string report;
  if (ack_for(jobs.response.status()) != Ack::kOk)
    report = fmt::format("{}: {}\n", queue.name, describe_status(jobs.response));
  for (int id : jobs_to_remove(read_jobs(jobs.response), command.agent, command.list)) {
    IppMessage cancel = make_cancel_job(queue.name, id, command.agent);
    IppOutcome outcome = co_await call(std::move(cancel), client);
    const bool removed = ack_for(outcome.response.status()) == Ack::kOk;
    log::error().info("[LPD client {}] {} removing job {}: {}", id_, command.agent, id,
                      removed ? "done" : describe_status(outcome.response));
    report += removed ? fmt::format("{}-{} dequeued\n", queue.name, id)
                      : fmt::format("{}-{}: {}\n", queue.name, id, describe_status(outcome.response));
  }
  co_await write(report);
}

// ---- The socket ----

asio::awaitable<Session::Read> Session::fill() {
  if (stopping_) co_return Read::kClosed;
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (end_ == buffer_.size()) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  arm(context_->limits().timeout);
  waiting_for_client_ = true;
  error_code ec;
  const std::size_t n =
      co_await socket_.async_read_some(asio::buffer(buffer_.data() + end_, buffer_.size() - end_), with(ec));
  waiting_for_client_ = false;
  disarm();
  end_ += n;
  if (!ec) co_return Read::kOk;
  co_return timed_out_ ? Read::kTimedOut : Read::kClosed;
}

asio::awaitable<std::pair<Session::Read, std::string>> Session::read_line() {
  for (;;) {
    const auto* first = reinterpret_cast<const char*>(buffer_.data()) + begin_;
    const auto* last = reinterpret_cast<const char*>(buffer_.data()) + end_;
    const auto* lf = std::find(first, last, '\n');
    if (lf != last) {
      std::string line(first, lf);
      begin_ += line.size() + 1;
      co_return std::pair{Read::kOk, std::move(line)};
    }
    if (end_ - begin_ >= kMaxLineBytes) co_return std::pair{Read::kTooLong, std::string()};
    const Read status = co_await fill();
    if (status != Read::kOk) co_return std::pair{status, std::string()};
  }
}

asio::awaitable<std::pair<Session::Read, int>> Session::read_byte() {
  if (begin_ == end_) {
    const Read status = co_await fill();
    if (status != Read::kOk) co_return std::pair{status, -1};
  }
  co_return std::pair{Read::kOk, static_cast<int>(buffer_[begin_++])};
}

// Hands exactly `count` bytes to `consume` as they arrive, never more than a buffer at
// a time. When `consume` fails, reading stops and `consumer_error` says why.
asio::awaitable<Session::Read> Session::read_exactly(std::uint64_t count, const Consumer& consume,
                                                     std::optional<LpdError>& consumer_error) {
  while (count > 0) {
    if (begin_ == end_) {
      const Read status = co_await fill();
      if (status != Read::kOk) co_return status;
    }
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(end_ - begin_, count));
    auto consumed = consume(std::span<const std::byte>(buffer_.data() + begin_, n));
    begin_ += n;
    count -= n;
    if (!consumed) {
      consumer_error = consumed.error();
      co_return Read::kOk;
    }
  }
  co_return Read::kOk;
}

asio::awaitable<bool> Session::write(std::string_view bytes) {
  arm(context_->limits().timeout);
  error_code ec;
  co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), with(ec));
  disarm();
  if (ec) log::error().debug("[LPD client {}] Unable to write: {}", id_, ec.message());
  co_return !ec;
}

asio::awaitable<bool> Session::send_ack(Ack ack) {
  const char byte = static_cast<char>(ack);
  co_return co_await write(std::string_view(&byte, 1));
}

asio::awaitable<void> Session::refuse(const LpdError& error) {
  const Ack ack = ack_for(error);
  log::error().info("[LPD client {}] Refused (ack {}): {}", id_, static_cast<int>(ack), error.detail);
  co_await send_ack(ack);
}

// Half-closes and reads what the client still sends for a moment, so that a client
// still writing gets our last byte instead of a reset.
asio::awaitable<void> Session::close_gracefully() {
  error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_send, ec);
  if (!ec && !stopping_) {
    arm(kLingerTime);
    std::array<char, 4096> scratch;
    std::size_t total = 0;
    while (!ec && total < kMaxLingerBytes) total += co_await socket_.async_read_some(asio::buffer(scratch), with(ec));
    disarm();
  }
  close_now();
}

void Session::arm(std::chrono::steady_clock::duration timeout) {
  timed_out_ = false;
  deadline_.expires_after(timeout);
  deadline_.async_wait([weak = weak_from_this()](const error_code& ec) {
    auto self = weak.lock();
    // A wait that fired just before disarm() or a new arm() finds a later expiry.
    if (ec || !self || self->deadline_.expiry() > std::chrono::steady_clock::now()) return;
    self->timed_out_ = true;
    error_code ignored;
    self->socket_.cancel(ignored);  // not close: a refusal may still be written
  });
}

void Session::disarm() { deadline_.expires_at(asio::steady_timer::time_point::max()); }

void Session::begin_shutdown() {
  stopping_ = true;
  if (waiting_for_client_) {
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

}  // namespace quire::lpd
