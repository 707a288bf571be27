// One LPD connection: reads its daemon command and serves it through the IppService.
// RFC 1179 allows one command per connection; the connection closes after it.
//
// A connection's life, all on the session's strand:
//   command    the first line (timeout, line length limit)
//   serving    queue state, remove jobs, print waiting jobs: IPP requests, then text
//              or an ack byte
//   receiving  receive-job subcommands, each ack'ed; data files stream into a
//              Print-Job's DocumentSink, or into unnamed staged files when they come
//              before their control file or are one of several; a job is submitted
//              only once it arrived whole, and the last file's ack reports the result
//   closing    half-close, then read what the client still sends for a moment, so
//              that a refusal's ack byte is not lost to a reset
// Every socket read and write has the timeout; waiting for the IPP service has none
// (the service owns it). Failures become ack bytes in lpd_protocol.cpp.
#pragma once

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include "core/session_registry.hpp"
#include "lpd/lpd_protocol.hpp"
#include "lpd/lpd_translator.hpp"
#include "lpd/staged_file.hpp"
#include "quire/lpd_server.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace quire::lpd {

namespace asio = boost::asio;
using error_code = boost::system::error_code;
using Strand = asio::strand<asio::io_context::executor_type>;
using Socket = asio::basic_stream_socket<asio::ip::tcp, Strand>;

class Session;

inline constexpr std::size_t kReadBufferBytes = 64 * 1024;
inline constexpr std::size_t kMaxLineBytes = 4096;
inline constexpr std::chrono::seconds kShutdownGrace{5};

// What the listeners and sessions of one LpdServer share. Owned by shared_ptr (the
// server, its listeners and every session), so a session finishing during shutdown
// never sees it go. Thread-safe.
class SessionContext : public SessionRegistry<Session> {
 public:
  SessionContext(IppService& ipp, LpdLimits limits)
      : SessionRegistry<Session>(limits.max_connections), ipp_(ipp), limits_(std::move(limits)) {}

  IppService& ipp() const { return ipp_; }
  const LpdLimits& limits() const { return limits_; }

 private:
  IppService& ipp_;
  const LpdLimits limits_;
};

// A control file whose data files are still coming.
struct PendingJob {
  ControlFile control;
  ControlFileName file_name;
  JobPlan plan;
};

// What one receive-job command has received and not yet submitted.
struct Reception {
  std::map<std::string, StagedFile> staged;  // data files by name
  std::optional<PendingJob> pending;
  std::uint64_t staged_bytes() const;
};

// Why a receive-job step stopped the connection: a refusal to answer, or nothing to
// say because the client is gone (closed, reset, or the server is stopping).
struct Halt {
  std::optional<LpdError> refusal;
};
using Step = std::expected<void, Halt>;

// Owned by shared_ptr, kept alive by its running coroutine; timers hold weak
// references. Every member is used on the strand, except shut_down().
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, int id, std::shared_ptr<SessionContext> context);
  ~Session();

  static void start(std::shared_ptr<Session> session);
  // Instead of start() when the server is full or stopping: close at once.
  void refuse_busy();
  // From any thread: ends the connection now if it waits for its client, else after
  // the IPP service answers or kShutdownGrace.
  void shut_down();

 private:
  enum class Read { kOk, kClosed, kTimedOut, kTooLong };
  // Takes each piece of a file as it arrives; a failure stops the file and refuses it.
  using Consumer = std::function<std::expected<void, LpdError>(std::span<const std::byte>)>;

  static asio::awaitable<void> run(std::shared_ptr<Session> self);
  asio::awaitable<void> serve(const CommandLine& command);

  // Queries (lpd_session.cpp).
  asio::awaitable<std::expected<QueueInfo, LpdError>> look_up_queue(const std::string& name);
  asio::awaitable<void> print_waiting_jobs(const CommandLine& command);
  // The queue a queue-state or remove command names, and its jobs (Get-Jobs as the
  // agent's client); nullopt once the client has been told the queue is unknown.
  struct QueueJobs {
    QueueInfo queue;
    ClientInfo client;
    IppOutcome jobs;
  };
  asio::awaitable<std::optional<QueueJobs>> jobs_of(const CommandLine& command);
  asio::awaitable<void> send_queue_state(const CommandLine& command);
  asio::awaitable<void> remove_jobs(const CommandLine& command);

  // Receiving a job (lpd_session_receive.cpp).
  asio::awaitable<void> receive_job(const CommandLine& command);
  asio::awaitable<Step> receive_control_file(const SubcommandLine& sub, const QueueInfo& queue, Reception& r);
  asio::awaitable<Step> receive_data_file(const SubcommandLine& sub, const QueueInfo& queue, Reception& r);
  asio::awaitable<Step> stream_single_document(const SubcommandLine& sub, const QueueInfo& queue, Reception& r);
  asio::awaitable<Step> stage_data_file(const SubcommandLine& sub, Reception& r);
  asio::awaitable<Step> receive_file(std::uint64_t count, const Consumer& consume);
  asio::awaitable<Ack> submit_staged(const QueueInfo& queue, const PendingJob& job, Reception& r);
  asio::awaitable<Ack> submit_documents(const QueueInfo& queue, const PendingJob& job, Reception& r);
  asio::awaitable<IppMessage> send_staged(DocumentSink& sink, const StagedFile& file);
  void log_queued(const QueueInfo& queue, const PendingJob& job, const IppMessage& response) const;
  asio::awaitable<Step> finish_step(Ack ack);

  // The IPP service, resumed on the strand.
  asio::awaitable<IppOutcome> call(IppMessage request, const ClientInfo& client);
  asio::awaitable<IppMessage> finish(DocumentSink& sink);
  ClientInfo client_info(const std::string& queue, const std::string& originating_host = {}) const;

  // The socket (lpd_session.cpp). Reads fill buffer_ and leave what they do not use.
  asio::awaitable<Read> fill();
  asio::awaitable<std::pair<Read, std::string>> read_line();
  asio::awaitable<std::pair<Read, int>> read_byte();
  asio::awaitable<Read> read_exactly(std::uint64_t count, const Consumer& consume,
                                     std::optional<LpdError>& consumer_error);
  asio::awaitable<bool> write(std::string_view bytes);
  asio::awaitable<bool> send_ack(Ack ack);
  asio::awaitable<void> refuse(const LpdError& error);
  asio::awaitable<void> close_gracefully();
  void arm(std::chrono::steady_clock::duration timeout);
  void disarm();
  void begin_shutdown();
  void close_now();

  Socket socket_;
  asio::steady_timer deadline_;
  asio::steady_timer shutdown_deadline_;
  const int id_;
  std::shared_ptr<SessionContext> context_;
  std::string peer_;
  bool peer_is_local_ = false;
  std::vector<std::byte> buffer_;
  std::size_t begin_ = 0;  // unread bytes are buffer_[begin_, end_)
  std::size_t end_ = 0;
  bool waiting_for_client_ = false;
  bool stopping_ = false;
  bool timed_out_ = false;
};

}  // namespace quire::lpd
