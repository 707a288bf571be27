// lpd_bench: drives LPD jobs (RFC 1179) at a server - Quire's LPD listener or CUPS's
// cups-lpd - from N concurrent clients, one connection per job as lpr does, and prints
// one JSON line: jobs, seconds, jobs/s and job latencies. bench/lpd_bench.py runs it
// against both servers and records the figures.
//
//   lpd_bench --port P [--queue Q] [--jobs N] [--clients C] [--size BYTES] [--order control|data]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct Options {
  int port = 0;
  std::string queue = "bench";
  int jobs = 1000;
  int clients = 1;
  std::size_t size = 16 * 1024;
  bool control_first = true;
};

class Connection {
 public:
  explicit Connection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ok_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool ok() const { return ok_; }

  bool send(std::string_view bytes) {
    while (ok_ && !bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) ok_ = false;
      else bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok_;
  }

  // True when the server answers with a zero byte.
  bool acked() {
    unsigned char byte = 1;
    ok_ = ok_ && ::recv(fd_, &byte, 1, 0) == 1 && byte == 0;
    return ok_;
  }

  // Announces a file, sends it and its NUL, and waits for both acks.
  bool transfer(char code, const std::string& name, std::string_view bytes) {
    std::string line(1, code);
    line += std::to_string(bytes.size()) + " " + name + "\n";
    if (!send(line) || !acked()) return false;
    return send(bytes) && send(std::string_view("\0", 1)) && acked();
  }

  // Half-closes and waits for the server to close: the job's connection is over.
  void finish() {
    ::shutdown(fd_, SHUT_WR);
    char scratch[256];
    while (::recv(fd_, scratch, sizeof scratch, 0) > 0) {
    }
  }

 private:
  int fd_;
  bool ok_ = false;
};

bool print_one_job(const Options& options, int number, const std::string& data) {
  char tag[16];
  std::snprintf(tag, sizeof tag, "%03d", number % 1000);
  const std::string data_name = std::string("dfA") + tag + "bench";
  const std::string control = "Hbench\nPbench\nJlpd_bench job " + std::to_string(number) + "\nf" + data_name +
                              "\nU" + data_name + "\nNbench.txt\n";
  Connection c(options.port);
  if (!c.ok() || !c.send("\2" + options.queue + "\n") || !c.acked()) return false;
  const bool sent = options.control_first
                        ? c.transfer('\2', std::string("cfA") + tag + "bench", control) && c.transfer('\3', data_name, data)
                        : c.transfer('\3', data_name, data) && c.transfer('\2', std::string("cfA") + tag + "bench", control);
  if (sent) c.finish();
  return sent;
}

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--port") options.port = std::atoi(value);
    else if (flag == "--queue") options.queue = value;
    else if (flag == "--jobs") options.jobs = std::atoi(value);
    else if (flag == "--clients") options.clients = std::atoi(value);
    else if (flag == "--size") options.size = static_cast<std::size_t>(std::atoll(value));
    else if (flag == "--order") options.control_first = std::string_view(value) != "data";
    else return false;
  }
  return argc % 2 == 1 && options.port > 0 && options.jobs > 0 && options.clients > 0;
}

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::fprintf(stderr,
                 "Usage: %s --port P [--queue Q] [--jobs N] [--clients C] [--size BYTES] [--order control|data]\n",
                 argv[0]);
    return 2;
  }
  std::string data(options.size, 'x');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(' ' + i % 90);
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int t = 0; t < options.clients; ++t) {
    clients.emplace_back([&] {
      std::vector<double> mine;
      for (int n = next++; n < options.jobs; n = next++) {
        const auto begun = std::chrono::steady_clock::now();
        if (!print_one_job(options, n, data)) ++failed;
        mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begun).count());
      }
      std::lock_guard lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& c : clients) c.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "{\"jobs\": %d, \"clients\": %d, \"size\": %zu, \"failed\": %d, \"seconds\": %.3f, \"jobs_per_second\": %.1f, "
      "\"p50_ms\": %.2f, \"p99_ms\": %.2f}\n",
      options.jobs, options.clients, options.size, failed.load(), seconds, options.jobs / seconds,
      percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.99));
  return failed.load() == 0 ? 0 : 1;
}
