// Test support for the LPD front end: a fake IppService with one queue that records
// every request and document it is given, a raw LPD client over a plain socket, and a
// harness running an LpdServer on 127.0.0.1:0 with two io threads.
#pragma once

#include "quire/ipp_service.hpp"
#include "quire/lpd_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace quire::lpd_test {

inline constexpr std::chrono::seconds kWaitLimit{20};

// What one document sink saw. Shared with the sink so it outlives it.
struct Upload {
  std::string operation;  // "Print-Job" or "Send-Document"
  std::string bytes;
  std::size_t largest_write = 0;
  bool finished = false;
  bool destroyed = false;
};

// One job the fake knows, for Get-Jobs and Cancel-Job.
struct FakeJob {
  int id = 0;
  std::string user;
  std::string name;
  ipp_jstate_t state = IPP_JSTATE_PENDING;
  int k_octets = 1;
};

// The queue "demo" and whatever a test sets. Answers from a thread of its own, as the
// real dispatcher does. Thread-safe.
class FakeLpdService : public IppService {
 public:
  FakeLpdService();
  ~FakeLpdService() override;

  void handle(IppMessage request, ClientInfo client, IppOutcomeHandler done) override;

  void set_accepting(bool accepting);
  void set_jobs(std::vector<FakeJob> jobs);
  // Sinks refuse write() once they hold more than this many bytes (0: never).
  void fail_writes_after(std::size_t bytes);

  // Copies of what was asked, in order.
  std::vector<IppMessage> requests();
  std::vector<IppMessage> requests(ipp_op_t op);
  std::vector<ClientInfo> clients();
  std::vector<std::shared_ptr<Upload>> uploads();
  // Waits until `n` uploads exist and the last is finished or destroyed.
  bool wait_for_uploads_settled(std::size_t n);
  // Waits until at least `n` requests of `op` were seen.
  bool wait_for_requests(ipp_op_t op, std::size_t n);

 private:
  IppOutcome answer(const IppMessage& request);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<IppMessage> requests_;
  std::vector<ClientInfo> clients_;
  std::vector<std::shared_ptr<Upload>> uploads_;
  std::vector<FakeJob> jobs_;
  bool accepting_ = true;
  std::size_t fail_after_ = 0;
  int next_job_id_ = 100;
  boost::asio::thread_pool worker_{1};
  friend class FakeSink;
};

// A blocking LPD client. Every read gives up after kWaitLimit.
class LpdClient {
 public:
  explicit LpdClient(std::uint16_t port);
  LpdClient(LpdClient&& other) noexcept;
  ~LpdClient();

  void send(std::string_view bytes);
  // The next byte, or nullopt when the connection ends (or kWaitLimit passes).
  std::optional<int> read_ack();
  // Everything until the server closes.
  std::string read_all();
  // True when the server closes (EOF or reset) within `limit`.
  bool wait_closed(std::chrono::milliseconds limit = kWaitLimit);
  void close();

  // "\2count name\n" / "\3count name\n": the subcommand that announces a file.
  void announce_control_file(std::string_view name, std::size_t size);
  void announce_data_file(std::string_view name, std::size_t size);
  // A file's bytes and the NUL that ends them.
  void send_file(std::string_view bytes);
  // Announces, waits for the ack, sends, waits for the ack: both acks (-1: none came).
  std::pair<int, int> transfer_control_file(std::string_view name, std::string_view text);
  std::pair<int, int> transfer_data_file(std::string_view name, std::string_view data);

 private:
  int fd_ = -1;
};

// Runs an LpdServer on 127.0.0.1:0 with two io threads. Stopped on destruction.
class LpdHarness {
 public:
  explicit LpdHarness(LpdLimits limits = {});
  ~LpdHarness();

  FakeLpdService& service() { return service_; }
  LpdServer& server() { return *server_; }
  std::uint16_t port() const { return port_; }
  LpdClient connect() const { return LpdClient(port_); }
  const std::filesystem::path& temp_dir() const { return temp_dir_; }
  void stop_and_join();

 private:
  std::filesystem::path temp_dir_;
  boost::asio::io_context io_;
  FakeLpdService service_;
  std::unique_ptr<LpdServer> server_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
};

// "Hhost\nPuser\n..." for the tests' jobs.
std::string control_text(std::string_view user, std::vector<std::string> lines);
std::string make_data(std::size_t size);

}  // namespace quire::lpd_test
