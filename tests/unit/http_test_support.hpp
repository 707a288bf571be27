// Test support for the HTTP front end: a raw-socket client that reads responses with a
// receive timeout (a broken server fails the test instead of hanging it), and a fake
// IppService whose document sinks record what they were given.
#pragma once

#include "quire/http_server.hpp"
#include "quire/ipp_service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace quire::testing {

inline constexpr std::chrono::seconds kWaitLimit{20};

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& name) const;
};

// A blocking client over a plain socket. Every read gives up after kWaitLimit.
class RawClient {
 public:
  static RawClient connect_tcp(std::uint16_t port);
  static RawClient connect_unix(const std::filesystem::path& path);
  RawClient(RawClient&& other) noexcept;
  ~RawClient();

  void send(std::string_view bytes);
  // One response (interim 1xx ones included); nullopt when the connection ends first.
  // A response to HEAD has no body whatever its Content-Length says.
  std::optional<HttpReply> read_reply(bool to_head = false);
  // Waits for the server to close: true on EOF or reset, false if it stays open.
  bool wait_closed();
  void close();

 private:
  explicit RawClient(int fd);
  bool fill();
  std::optional<std::size_t> find_in_pending(std::string_view what) const;

  int fd_ = -1;
  std::string pending_;
};

// Requests as clients send them.
std::string http_post(std::string_view target, std::string_view body, std::string_view extra_headers = "",
                      std::string_view content_type = "application/ipp");
std::string http_chunked(std::string_view body, std::size_t chunk_size);
std::string ipp_request(ipp_op_t op, int request_id, std::string_view printer = "demo");
IppMessage decode_reply(const HttpReply& reply);
std::string make_document(std::size_t size);

// What one document sink saw. Shared with the sink so it outlives it.
struct SinkRecord {
  std::mutex mutex;
  std::condition_variable changed;
  std::string bytes;
  int writes = 0;
  std::size_t largest_write = 0;
  bool finished = false;
  bool destroyed = false;

  // Waits until `done` holds (under the lock); false after kWaitLimit.
  template <class Predicate>
  bool wait_until(Predicate done) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, kWaitLimit, [&] { return done(*this); });
  }
};

// Print-Job gets a recording sink; every other operation gets successful-ok at once.
// Answers come from a thread of its own, as a real service's would.
class FakeIppService : public IppService {
 public:
  FakeIppService();
  ~FakeIppService() override;

  void handle(IppMessage request, ClientInfo client, IppOutcomeHandler done) override;

  // The sink of the n-th Print-Job (0-based), waiting for it to exist.
  std::shared_ptr<SinkRecord> sink(std::size_t n);
  ClientInfo last_client();
  int requests_seen();
  // Sinks refuse write() once they hold more than this many bytes (0: never).
  void fail_writes_after(std::size_t bytes) { fail_after_ = bytes; }
  // Keep the answers to Get-Jobs until release_held() (to test shutdown).
  void hold_get_jobs() { hold_get_jobs_ = true; }
  bool wait_for_held();
  void release_held();

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::shared_ptr<SinkRecord>> sinks_;
  std::vector<std::pair<IppOutcomeHandler, IppOutcome>> held_;
  ClientInfo last_client_;
  int requests_ = 0;
  std::size_t fail_after_ = 0;
  bool hold_get_jobs_ = false;
  boost::asio::thread_pool worker_{1};
};

// Runs an HttpServer on 127.0.0.1:0 with two io threads, like the daemon on a
// two-core machine. stop() is called (and the threads joined) on destruction.
class ServerHarness {
 public:
  explicit ServerHarness(HttpLimits limits = {});
  ~ServerHarness();

  HttpServer& server() { return *server_; }
  FakeIppService& service() { return service_; }
  std::uint16_t port() const { return port_; }
  RawClient connect() const { return RawClient::connect_tcp(port_); }
  void stop_and_join();

 private:
  boost::asio::io_context io_;
  FakeIppService service_;
  std::unique_ptr<HttpServer> server_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
};

}  // namespace quire::testing
