// Test support for the HTTP front end: raw client, fake IPP service, server harness.
#include "http_test_support.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace quire::testing {
namespace {

int open_socket(int family, const sockaddr* address, socklen_t length) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  timeval limit{kWaitLimit.count(), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  if (::connect(fd, address, length) != 0) {
    int saved = errno;
    ::close(fd);
    throw std::runtime_error(std::string("connect: ") + std::strerror(saved));
  }
  return fd;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class RecordingSink : public DocumentSink {
 public:
  RecordingSink(std::shared_ptr<SinkRecord> record, IppMessage request, std::size_t fail_after,
                boost::asio::thread_pool::executor_type worker)
      : record_(std::move(record)), request_(std::move(request)), fail_after_(fail_after), worker_(worker) {}

  ~RecordingSink() override {
    std::lock_guard lock(record_->mutex);
    record_->destroyed = true;
    record_->changed.notify_all();
  }

  std::expected<void, std::string> write(std::span<const std::byte> bytes) override {
    std::lock_guard lock(record_->mutex);
    record_->bytes.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    ++record_->writes;
    record_->largest_write = std::max(record_->largest_write, bytes.size());
    record_->changed.notify_all();
    if (fail_after_ && record_->bytes.size() > fail_after_) return std::unexpected("spool full");
    return {};
  }

  IppMessage error_response() override { return IppMessage::make_response(request_, IPP_STATUS_ERROR_REQUEST_ENTITY); }

  void finish(IppResponseHandler done) override {
    {
      std::lock_guard lock(record_->mutex);
      record_->finished = true;
      record_->changed.notify_all();
    }
    IppMessage response = IppMessage::make_response(request_, IPP_STATUS_OK);
    response.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 42);
    boost::asio::post(worker_, [done = std::move(done), response = std::move(response)]() mutable {
      done(std::move(response));
    });
  }

 private:
  std::shared_ptr<SinkRecord> record_;
  IppMessage request_;
  std::size_t fail_after_;
  boost::asio::thread_pool::executor_type worker_;
};

}  // namespace

std::string HttpReply::header(const std::string& name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

RawClient::RawClient(int fd) : fd_(fd) {}
RawClient::RawClient(RawClient&& other) noexcept : fd_(std::exchange(other.fd_, -1)), pending_(std::move(other.pending_)) {}
RawClient::~RawClient() { close(); }

RawClient RawClient::connect_tcp(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return RawClient(open_socket(AF_INET, reinterpret_cast<sockaddr*>(&address), sizeof address));
}

RawClient RawClient::connect_unix(const std::filesystem::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  return RawClient(open_socket(AF_UNIX, reinterpret_cast<sockaddr*>(&address), sizeof address));
}

void RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;  // the server closed; the test looks at what it answered
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool RawClient::fill() {
  char buf[64 * 1024];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return false;
  pending_.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::optional<std::size_t> RawClient::find_in_pending(std::string_view what) const {
  std::size_t at = pending_.find(what);
  return at == std::string::npos ? std::nullopt : std::optional(at);
}

std::optional<HttpReply> RawClient::read_reply(bool to_head) {
  std::optional<std::size_t> end;
  while (!(end = find_in_pending("\r\n\r\n")))
    if (!fill()) return std::nullopt;
  std::string head = pending_.substr(0, *end);
  pending_.erase(0, *end + 4);
  HttpReply reply;
  if (head.size() < 12 || !head.starts_with("HTTP/1.")) return std::nullopt;
  reply.status = std::stoi(head.substr(9, 3));
  for (std::size_t line = head.find("\r\n"); line != std::string::npos;) {
    std::size_t next = head.find("\r\n", line + 2);
    std::string field = head.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
    std::size_t colon = field.find(':');
    if (colon != std::string::npos) {
      std::size_t value = field.find_first_not_of(' ', colon + 1);
      reply.headers[lower(field.substr(0, colon))] = value == std::string::npos ? "" : field.substr(value);
    }
    line = next;
  }
  if (reply.status < 200 || to_head) return reply;
  const std::string length = reply.header("content-length");
  const std::size_t size = length.empty() ? 0 : std::stoul(length);
  while (pending_.size() < size)
    if (!fill()) return std::nullopt;
  reply.body = pending_.substr(0, size);
  pending_.erase(0, size);
  return reply;
}

bool RawClient::wait_closed() {
  for (;;) {
    char buf[64 * 1024];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  }
}

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string http_post(std::string_view target, std::string_view body, std::string_view extra_headers,
                      std::string_view content_type) {
  std::string request = "POST " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n";
  request += "Content-Type: " + std::string(content_type) + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += std::string(extra_headers) + "\r\n";
  request += body;
  return request;
}

std::string http_chunked(std::string_view body, std::size_t chunk_size) {
  std::string out;
  char size_line[32];
  for (std::size_t at = 0; at < body.size(); at += chunk_size) {
    std::string_view chunk = body.substr(at, chunk_size);
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
    out += size_line;
    out += chunk;
    out += "\r\n";
  }
  return out + "0\r\n\r\n";
}

std::string ipp_request(ipp_op_t op, int request_id, std::string_view printer) {
  IppMessage m = IppMessage::make_request(op, request_id);
  m.add_standard_operation_attributes();
  m.add_string(IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", "ipp://localhost/printers/" + std::string(printer));
  m.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", "tester");
  std::vector<std::byte> bytes = m.encode();
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

IppMessage decode_reply(const HttpReply& reply) {
  auto decoded = IppMessage::decode(std::as_bytes(std::span(reply.body)));
  return decoded ? std::move(*decoded) : IppMessage(nullptr);
}

std::string make_document(std::size_t size) {
  std::string document(size, '\0');
  std::uint32_t state = 12345;
  for (char& c : document) {
    state = state * 1103515245 + 12345;
    c = static_cast<char>(state >> 24);
  }
  return document;
}

FakeIppService::FakeIppService() = default;
FakeIppService::~FakeIppService() { worker_.join(); }

void FakeIppService::handle(IppMessage request, ClientInfo client, IppOutcomeHandler done) {
  const ipp_op_t op = request.operation();
  IppOutcome outcome;
  std::unique_lock lock(mutex_);
  ++requests_;
  last_client_ = std::move(client);
  if (op == IPP_OP_PRINT_JOB) {
    auto record = std::make_shared<SinkRecord>();
    sinks_.push_back(record);
    outcome.sink = std::make_unique<RecordingSink>(record, std::move(request), fail_after_, worker_.get_executor());
  } else {
    outcome.response = IppMessage::make_response(request, IPP_STATUS_OK);
  }
  if (hold_get_jobs_ && op == IPP_OP_GET_JOBS) {
    held_.emplace_back(std::move(done), std::move(outcome));
    changed_.notify_all();
    return;
  }
  changed_.notify_all();
  lock.unlock();
  boost::asio::post(worker_, [done = std::move(done), outcome = std::move(outcome)]() mutable {
    done(std::move(outcome));
  });
}

std::shared_ptr<SinkRecord> FakeIppService::sink(std::size_t n) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, kWaitLimit, [&] { return sinks_.size() > n; })) return nullptr;
  return sinks_[n];
}

ClientInfo FakeIppService::last_client() {
  std::lock_guard lock(mutex_);
  return last_client_;
}

int FakeIppService::requests_seen() {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool FakeIppService::wait_for_held() {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, kWaitLimit, [&] { return !held_.empty(); });
}

void FakeIppService::release_held() {
  std::vector<std::pair<IppOutcomeHandler, IppOutcome>> held;
  {
    std::lock_guard lock(mutex_);
    held.swap(held_);
  }
  for (auto& [done, outcome] : held) done(std::move(outcome));
}

ServerHarness::ServerHarness(HttpLimits limits) : server_(std::make_unique<HttpServer>(io_, service_, limits)) {
  if (std::getenv("QUIRE_TEST_DEBUG")) spdlog::set_level(spdlog::level::debug);  // "[Client N]" lines on stderr
  auto listening = server_->listen({"127.0.0.1", 0});
  if (!listening) throw std::runtime_error(listening.error());
  const std::string name = server_->bound_endpoints().at(0);
  port_ = static_cast<std::uint16_t>(std::stoi(name.substr(name.rfind(':') + 1)));
  work_.emplace(io_.get_executor());
  for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
}

ServerHarness::~ServerHarness() { stop_and_join(); }

void ServerHarness::stop_and_join() {
  if (threads_.empty()) return;
  server_->stop();
  service_.release_held();
  work_.reset();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace quire::testing
