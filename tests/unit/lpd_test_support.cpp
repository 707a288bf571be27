// Test support for the LPD front end: the fake service, the raw client and the harness.
#include "lpd_test_support.hpp"

#include "quire/log.hpp"

#include <boost/asio/post.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace quire::lpd_test {

// Records every piece it is given; finish() answers with a job-id from the worker.
class FakeSink : public DocumentSink {
 public:
  FakeSink(FakeLpdService& service, std::shared_ptr<Upload> upload, IppMessage request)
      : service_(service), upload_(std::move(upload)), request_(std::move(request)) {}

  ~FakeSink() override {
    std::lock_guard lock(service_.mutex_);
    upload_->destroyed = true;
    service_.changed_.notify_all();
  }

  std::expected<void, std::string> write(std::span<const std::byte> bytes) override {
    std::lock_guard lock(service_.mutex_);
    upload_->bytes.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    upload_->largest_write = std::max(upload_->largest_write, bytes.size());
    if (service_.fail_after_ && upload_->bytes.size() > service_.fail_after_) return std::unexpected("too large");
    return {};
  }

  IppMessage error_response() override { return IppMessage::make_response(request_, IPP_STATUS_ERROR_REQUEST_ENTITY); }

  void finish(IppResponseHandler done) override {
    IppMessage response = IppMessage::make_response(request_, IPP_STATUS_OK);
    {
      std::lock_guard lock(service_.mutex_);
      upload_->finished = true;
      const int id = request_.find_integer("job-id", IPP_TAG_OPERATION).value_or(service_.next_job_id_++);
      response.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", id);
      service_.changed_.notify_all();
    }
    boost::asio::post(service_.worker_, [done = std::move(done), response = std::move(response)]() mutable {
      done(std::move(response));
    });
  }

 private:
  FakeLpdService& service_;
  std::shared_ptr<Upload> upload_;
  IppMessage request_;
};

namespace {

std::string queue_of(const IppMessage& request) {
  std::string uri = request.find_string("printer-uri", IPP_TAG_OPERATION).value_or("");
  auto slash = uri.rfind('/');
  return slash == std::string::npos ? std::string() : uri.substr(slash + 1);
}

void add_printer(IppMessage& response, bool accepting) {
  response.add_string(IPP_TAG_PRINTER, IPP_TAG_NAME, "printer-name", "demo");
  response.add_integer(IPP_TAG_PRINTER, IPP_TAG_ENUM, "printer-state", IPP_PSTATE_IDLE);
  response.add_boolean(IPP_TAG_PRINTER, "printer-is-accepting-jobs", accepting);
  response.add_strings(IPP_TAG_PRINTER, IPP_TAG_MIMETYPE, "document-format-supported",
                       {"application/octet-stream", "application/postscript", "text/plain"});
}

void add_jobs(IppMessage& response, const std::vector<FakeJob>& jobs) {
  bool first = true;
  for (const FakeJob& job : jobs) {
    if (!first) response.add_separator();
    first = false;
    response.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", job.id);
    response.add_string(IPP_TAG_JOB, IPP_TAG_NAME, "job-name", job.name);
    response.add_string(IPP_TAG_JOB, IPP_TAG_NAME, "job-originating-user-name", job.user);
    response.add_string(IPP_TAG_JOB, IPP_TAG_NAME, "job-originating-host-name", "client.example");
    response.add_integer(IPP_TAG_JOB, IPP_TAG_ENUM, "job-state", job.state);
    response.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-k-octets", job.k_octets);
  }
}

}  // namespace

FakeLpdService::FakeLpdService() = default;

FakeLpdService::~FakeLpdService() { worker_.join(); }

void FakeLpdService::handle(IppMessage request, ClientInfo client, IppOutcomeHandler done) {
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request.clone());
    clients_.push_back(client);
    changed_.notify_all();
  }
  auto shared = std::make_shared<IppMessage>(std::move(request));
  boost::asio::post(worker_, [this, shared, done = std::move(done)]() mutable { done(answer(*shared)); });
}

IppOutcome FakeLpdService::answer(const IppMessage& request) {
  std::lock_guard lock(mutex_);
  const ipp_op_t op = request.operation();
  const bool known = queue_of(request) == "demo";
  IppMessage response = IppMessage::make_response(request, known ? IPP_STATUS_OK : IPP_STATUS_ERROR_NOT_FOUND);
  if (!known) return {std::move(response), nullptr};
  if ((op == IPP_OP_PRINT_JOB || op == IPP_OP_CREATE_JOB) && !accepting_) {
    response.set_status(IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS);
    return {std::move(response), nullptr};
  }
  if (op == IPP_OP_PRINT_JOB || op == IPP_OP_SEND_DOCUMENT) {
    auto upload = std::make_shared<Upload>();
    upload->operation = ippOpString(op);
    uploads_.push_back(upload);
    changed_.notify_all();
    return {IppMessage(nullptr), std::make_unique<FakeSink>(*this, upload, request.clone())};
  }
  if (op == IPP_OP_GET_PRINTER_ATTRIBUTES) add_printer(response, accepting_);
  if (op == IPP_OP_CREATE_JOB) response.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", next_job_id_++);
  if (op == IPP_OP_GET_JOBS) add_jobs(response, jobs_);
  if (op == IPP_OP_CANCEL_JOB) {
    const int id = request.find_integer("job-id", IPP_TAG_OPERATION).value_or(0);
    const std::string user = request.find_string("requesting-user-name", IPP_TAG_OPERATION).value_or("");
    auto job = std::find_if(jobs_.begin(), jobs_.end(), [&](const FakeJob& j) { return j.id == id; });
    if (job == jobs_.end()) response.set_status(IPP_STATUS_ERROR_NOT_FOUND);
    else if (job->user != user && user != "root") response.set_status(IPP_STATUS_ERROR_FORBIDDEN);
    else jobs_.erase(job);
  }
  return {std::move(response), nullptr};
}

void FakeLpdService::set_accepting(bool accepting) {
  std::lock_guard lock(mutex_);
  accepting_ = accepting;
}

void FakeLpdService::set_jobs(std::vector<FakeJob> jobs) {
  std::lock_guard lock(mutex_);
  jobs_ = std::move(jobs);
}

void FakeLpdService::fail_writes_after(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  fail_after_ = bytes;
}

std::vector<IppMessage> FakeLpdService::requests() {
  std::lock_guard lock(mutex_);
  std::vector<IppMessage> copies;
  for (const auto& r : requests_) copies.push_back(r.clone());
  return copies;
}

std::vector<IppMessage> FakeLpdService::requests(ipp_op_t op) {
  std::vector<IppMessage> matching;
  for (auto& r : requests())
    if (r.operation() == op) matching.push_back(std::move(r));
  return matching;
}

std::vector<ClientInfo> FakeLpdService::clients() {
  std::lock_guard lock(mutex_);
  return clients_;
}

std::vector<std::shared_ptr<Upload>> FakeLpdService::uploads() {
  std::lock_guard lock(mutex_);
  return uploads_;
}

bool FakeLpdService::wait_for_uploads_settled(std::size_t n) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, kWaitLimit, [&] {
    return uploads_.size() >= n && (uploads_[n - 1]->finished || uploads_[n - 1]->destroyed);
  });
}

bool FakeLpdService::wait_for_requests(ipp_op_t op, std::size_t n) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, kWaitLimit, [&] {
    return static_cast<std::size_t>(std::count_if(requests_.begin(), requests_.end(),
                                                  [&](const IppMessage& r) { return r.operation() == op; })) >= n;
  });
}

// ---- LpdClient ----

LpdClient::LpdClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
}

LpdClient::LpdClient(LpdClient&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

LpdClient::~LpdClient() { close(); }

void LpdClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::optional<int> LpdClient::read_ack() {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kWaitLimit).count())) != 1) return std::nullopt;
  unsigned char byte = 0;
  if (::recv(fd_, &byte, 1, 0) != 1) return std::nullopt;
  return byte;
}

std::string LpdClient::read_all() {
  std::string text;
  char buffer[4096];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kWaitLimit).count())) != 1) break;
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

bool LpdClient::wait_closed(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 1))) != 1) continue;
    if (::recv(fd_, buffer, sizeof buffer, 0) <= 0) return true;
  }
  return false;
}

void LpdClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void LpdClient::announce_control_file(std::string_view name, std::size_t size) {
  send("\2" + std::to_string(size) + " " + std::string(name) + "\n");
}

void LpdClient::announce_data_file(std::string_view name, std::size_t size) {
  send("\3" + std::to_string(size) + " " + std::string(name) + "\n");
}

void LpdClient::send_file(std::string_view bytes) {
  send(bytes);
  send(std::string_view("\0", 1));
}

std::pair<int, int> LpdClient::transfer_control_file(std::string_view name, std::string_view text) {
  announce_control_file(name, text.size());
  const int first = read_ack().value_or(-1);
  if (first != 0) return {first, -1};
  send_file(text);
  return {first, read_ack().value_or(-1)};
}

std::pair<int, int> LpdClient::transfer_data_file(std::string_view name, std::string_view data) {
  announce_data_file(name, data.size());
  const int first = read_ack().value_or(-1);
  if (first != 0) return {first, -1};
  send_file(data);
  return {first, read_ack().value_or(-1)};
}

// ---- LpdHarness ----

LpdHarness::LpdHarness(LpdLimits limits) {
  if (std::getenv("QUIRE_TEST_DEBUG")) spdlog::set_level(spdlog::level::debug);
  temp_dir_ = std::filesystem::temp_directory_path() /
              ("quire-lpd-test-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  std::filesystem::create_directories(temp_dir_);
  if (limits.temp_dir.empty()) limits.temp_dir = temp_dir_;
  server_ = std::make_unique<LpdServer>(io_, service_, limits);
  auto listening = server_->listen({"127.0.0.1", 0});
  if (!listening) throw std::runtime_error(listening.error());
  const std::string name = server_->bound_endpoints().at(0);
  port_ = static_cast<std::uint16_t>(std::stoi(name.substr(name.rfind(':') + 1)));
  work_.emplace(io_.get_executor());
  for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
}

LpdHarness::~LpdHarness() {
  stop_and_join();
  std::error_code ignored;
  std::filesystem::remove_all(temp_dir_, ignored);
}

void LpdHarness::stop_and_join() {
  if (threads_.empty()) return;
  server_->stop();
  work_.reset();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

std::string control_text(std::string_view user, std::vector<std::string> lines) {
  std::string text = "Hclient.example\nP" + std::string(user) + "\n";
  for (const auto& line : lines) text += line + "\n";
  return text;
}

std::string make_data(std::size_t size) {
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return data;
}

}  // namespace quire::lpd_test
