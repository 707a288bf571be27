// ipp_load: a closed-loop IPP load generator. N keep-alive HTTP/1.1 connections each send
// one pre-encoded request, wait for the whole response, record the latency and repeat.
//
// One thread runs every connection (an Asio io_context, i.e. one epoll loop): the
// daemon under test shares the machine, so the generator must cost it as little CPU as
// possible. Requests are encoded once; responses are parsed only as far as the HTTP
// status, the body's framing, the IPP status and (for Print-Job) the job-id.
#include <cups/ipp.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <expected>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); }

constexpr const char* kUsage =
    "Usage: ipp_load --uri ipp://127.0.0.1:PORT/printers/NAME [options]\n"
    "  --connections N       keep-alive connections, each one request at a time (default 1)\n"
    "  --duration SECONDS    run this long (default 10), or\n"
    "  --requests N          send N requests in all, then stop\n"
    "  --op OP               get-printer-attributes (default), print-job, get-jobs or get-job-ids\n"
    "                        (get-jobs: which-jobs not-completed, the attributes lpstat -o asks for;\n"
    "                        get-job-ids: no requested-attributes, so job-id and job-uri only)\n"
    "  --doc-size BYTES      Print-Job document size, text/plain (default 1024)\n"
    "  --user NAME           requesting-user-name (default bench)\n"
    "  --ack-file PATH       Print-Job: append each acknowledged job-id, one per line, as it arrives\n"
    "  --timeout SECONDS     per-request timeout (default 30)\n"
    "Prints one JSON line. Only loopback targets are accepted.\n"
    "  requests: responses received in full; errors: those with HTTP status != 200 or\n"
    "  IPP status >= 0x0400, plus failed connects, resets and timeouts (io_errors);\n"
    "  req_per_s counts every response, ok_per_s only successful ones; latencies are of\n"
    "  every response; load_cpu is ipp_load's own CPU time over the run, in cores;\n"
    "  acked (Print-Job) counts successful responses that carried a job-id.\n";

enum class Operation { kGetPrinterAttributes, kPrintJob, kGetJobs, kGetJobIds };

struct Options {
  std::string uri;
  int connections = 1;
  double duration_s = 10;
  std::optional<long> requests;
  Operation op = Operation::kGetPrinterAttributes;
  std::size_t doc_size = 1024;
  std::string user = "bench";
  std::string ack_file;
  double timeout_s = 30;
};

struct Target {
  std::string host;
  std::uint16_t port = 631;
  std::string resource;
};

std::expected<Options, std::string> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return std::unexpected(std::string());
    if (i + 1 >= argc) return std::unexpected(std::string(arg) + " needs a value");
    std::string value = argv[++i];
    try {
      if (arg == "--uri") o.uri = value;
      else if (arg == "--connections") o.connections = std::stoi(value);
      else if (arg == "--duration") o.duration_s = std::stod(value);
      else if (arg == "--requests") o.requests = std::stol(value);
      else if (arg == "--doc-size") o.doc_size = std::stoul(value);
      else if (arg == "--user") o.user = value;
      else if (arg == "--ack-file") o.ack_file = value;
      else if (arg == "--timeout") o.timeout_s = std::stod(value);
      else if (arg == "--op") {
        if (value == "get-printer-attributes") o.op = Operation::kGetPrinterAttributes;
        else if (value == "print-job") o.op = Operation::kPrintJob;
        else if (value == "get-jobs") o.op = Operation::kGetJobs;
        else if (value == "get-job-ids") o.op = Operation::kGetJobIds;
        else return std::unexpected("unknown --op " + value);
      } else return std::unexpected("unknown option " + std::string(arg));
    } catch (const std::exception&) {
      return std::unexpected("bad value for " + std::string(arg) + ": " + value);
    }
  }
  if (o.uri.empty()) return std::unexpected("--uri is required");
  if (o.connections < 1 || o.connections > 4096) return std::unexpected("--connections must be 1..4096");
  if (o.duration_s <= 0 || o.timeout_s <= 0) return std::unexpected("--duration and --timeout must be > 0");
  if (o.requests && *o.requests < 1) return std::unexpected("--requests must be >= 1");
  return o;
}

// ipp://host[:port]/resource, where host must be a loopback address: this tool only
// ever loads a daemon on the same machine.
std::expected<Target, std::string> parse_target(const std::string& uri) {
  char scheme[32], userpass[256], host[256], resource[1024];
  int port = 0;
  if (httpSeparateURI(HTTP_URI_CODING_ALL, uri.c_str(), scheme, sizeof scheme, userpass, sizeof userpass, host,
                      sizeof host, &port, resource, sizeof resource) < HTTP_URI_STATUS_OK)
    return std::unexpected("bad --uri " + uri);
  if (std::string_view(scheme) != "ipp") return std::unexpected("--uri must be ipp:// (no TLS)");
  std::string h = host;
  if (h == "localhost") h = "127.0.0.1";
  boost::system::error_code ec;
  auto address = asio::ip::make_address(h, ec);
  if (ec || !address.is_loopback()) return std::unexpected("--uri host must be a loopback address, not " + h);
  return Target{h, static_cast<std::uint16_t>(port), resource};
}

// The whole request, HTTP header included, encoded once and sent as is every time.
std::string encode_request(const Options& o, const Target& t) {
  bool print = o.op == Operation::kPrintJob;
  ipp_t* ipp = ippNewRequest(print                            ? IPP_OP_PRINT_JOB
                             : o.op != Operation::kGetPrinterAttributes ? IPP_OP_GET_JOBS
                                                              : IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddString(ipp, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, o.uri.c_str());
  ippAddString(ipp, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr, o.user.c_str());
  if (o.op == Operation::kGetJobs) {
    // What lpstat -o asks for (CUPS 2.4's lpstat), so the figure is the one lpstat waits on.
    static const char* const kLpstatJobAttributes[] = {
        "job-id", "job-k-octets", "job-name", "job-originating-user-name", "job-printer-state-message",
        "job-printer-uri", "job-state-reasons", "time-at-creation", "time-at-completed"};
    ippAddStrings(ipp, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                  static_cast<int>(std::size(kLpstatJobAttributes)), nullptr, kLpstatJobAttributes);
  }
  if (print) {
    ippAddString(ipp, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", nullptr, "ipp_load");
    ippAddString(ipp, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", nullptr, "text/plain");
  }
  std::string body;
  auto append = [](void* ctx, ipp_uchar_t* data, size_t n) -> ssize_t {
    static_cast<std::string*>(ctx)->append(reinterpret_cast<const char*>(data), n);
    return static_cast<ssize_t>(n);
  };
  ipp_state_t state = ippWriteIO(&body, append, 1, nullptr, ipp);
  ippDelete(ipp);
  if (state != IPP_STATE_DATA) throw std::runtime_error("libcups could not encode the request");
  if (print) {
    std::string line = "Quire ipp_load benchmark document: the quick brown fox jumps over the lazy dog.\n";
    for (std::size_t i = 0; i < o.doc_size; ++i) body += line[i % line.size()];
  }
  std::string request = "POST " + t.resource + " HTTP/1.1\r\nHost: " + t.host + ":" + std::to_string(t.port) +
                        "\r\nContent-Type: application/ipp\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\nUser-Agent: quire-ipp_load\r\n\r\n";
  return request + body;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// One HTTP/1.x response, parsed from all the bytes received since it began. Handles
// Content-Length, chunked and read-until-close bodies, and skips 1xx interim responses.
class ResponseParser {
 public:
  enum class Result { kIncomplete, kComplete, kMalformed };

  Result parse(std::string_view in, bool at_eof) {
    std::size_t start = 0;
    for (;;) {
      auto end = in.find("\r\n\r\n", start);
      if (end == std::string_view::npos) return at_eof ? Result::kMalformed : Result::kIncomplete;
      if (!parse_header(in.substr(start, end - start))) return Result::kMalformed;
      start = end + 4;
      if (status_ >= 200) break;  // 1xx: another header block follows
    }
    std::string_view rest = in.substr(start);
    if (chunked_) return parse_chunks(rest, at_eof);
    if (content_length_) {
      if (rest.size() < *content_length_) return at_eof ? Result::kMalformed : Result::kIncomplete;
      body_ = rest.substr(0, *content_length_);
      return Result::kComplete;
    }
    keep_alive_ = false;  // the body ends when the server closes
    if (!at_eof) return Result::kIncomplete;
    body_ = rest;
    return Result::kComplete;
  }

  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  std::string_view body() const { return body_; }

 private:
  bool parse_header(std::string_view block) {
    chunked_ = false;
    content_length_.reset();
    auto eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    if (line.size() < 12 || !line.starts_with("HTTP/1.")) return false;
    bool http11 = line[7] == '1';
    if (std::from_chars(line.data() + 9, line.data() + 12, status_).ec != std::errc()) return false;
    keep_alive_ = http11;
    while (eol != std::string_view::npos) {
      block.remove_prefix(eol + 2);
      eol = block.find("\r\n");
      line = block.substr(0, eol);
      auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      auto name = line.substr(0, colon);
      auto value = trim(line.substr(colon + 1));
      if (iequals(name, "Content-Length")) {
        std::size_t n = 0;
        if (std::from_chars(value.data(), value.data() + value.size(), n).ec != std::errc()) return false;
        content_length_ = n;
      } else if (iequals(name, "Transfer-Encoding")) {
        chunked_ = iequals(value, "chunked");
      } else if (iequals(name, "Connection")) {
        if (iequals(value, "close")) keep_alive_ = false;
        if (iequals(value, "keep-alive")) keep_alive_ = true;
      }
    }
    return true;
  }

  Result parse_chunks(std::string_view in, bool at_eof) {
    auto incomplete = at_eof ? Result::kMalformed : Result::kIncomplete;
    decoded_.clear();
    for (;;) {
      auto eol = in.find("\r\n");
      if (eol == std::string_view::npos) return incomplete;
      std::size_t size = 0;
      auto [ptr, ec] = std::from_chars(in.data(), in.data() + eol, size, 16);
      if (ec != std::errc() || ptr == in.data()) return Result::kMalformed;
      in.remove_prefix(eol + 2);
      if (size == 0) break;
      if (in.size() < size + 2) return incomplete;
      decoded_.append(in.data(), size);
      in.remove_prefix(size + 2);
    }
    for (;;) {  // trailer lines, then an empty line
      auto eol = in.find("\r\n");
      if (eol == std::string_view::npos) return incomplete;
      in.remove_prefix(eol + 2);
      if (eol == 0) break;
    }
    body_ = decoded_;
    return Result::kComplete;
  }

  int status_ = 0;
  bool keep_alive_ = true;
  bool chunked_ = false;
  std::optional<std::size_t> content_length_;
  std::string decoded_;
  std::string_view body_;
};

// The job-id in a Print-Job response, found by walking the IPP encoding (RFC 8010 §3).
std::optional<int> find_job_id(std::string_view ipp) {
  auto u16 = [&](std::size_t at) {
    return static_cast<std::size_t>(static_cast<unsigned char>(ipp[at]) << 8 | static_cast<unsigned char>(ipp[at + 1]));
  };
  std::size_t at = 8;
  while (at < ipp.size()) {
    auto tag = static_cast<unsigned char>(ipp[at++]);
    if (tag == IPP_TAG_END) return std::nullopt;
    if (tag < 0x10) continue;  // a group delimiter
    if (tag == IPP_TAG_EXTENSION) at += 4;
    if (at + 2 > ipp.size()) return std::nullopt;
    std::size_t name_len = u16(at);
    if (at + 2 + name_len + 2 > ipp.size()) return std::nullopt;
    std::string_view name = ipp.substr(at + 2, name_len);
    at += 2 + name_len;
    std::size_t value_len = u16(at);
    at += 2;
    if (at + value_len > ipp.size()) return std::nullopt;
    if (tag == IPP_TAG_INTEGER && value_len == 4 && name == "job-id") {
      auto b = [&](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(ipp[at + i])); };
      return static_cast<int>(b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3));
    }
    at += value_len;
  }
  return std::nullopt;
}

struct Counters {
  long requests = 0;
  long http_errors = 0;
  long ipp_errors = 0;
  long io_errors = 0;
  long acked = 0;
  long body_bytes = 0;
  std::map<int, long> ipp_error_statuses;  // IPP status code -> how many responses had it
  std::vector<std::uint32_t> latencies_us;
};

// What every connection shares. Only the io_context's one thread touches it.
struct Run {
  Options options;
  tcp::endpoint endpoint;
  std::string request;
  Clock::time_point start;
  Clock::time_point deadline;    // no new request starts after this
  Clock::time_point hard_stop;   // every socket is closed at this point
  Clock::time_point end;
  double cpu_at_start = 0;       // this process's CPU time when the run began
  long unclaimed = -1;           // requests left to send, -1 when running by duration
  bool stopping = false;
  int ack_fd = -1;
  Counters counters;

  bool is_over() const { return stopping || unclaimed == 0 || Clock::now() >= deadline; }

  // Takes one request from the budget, just before it is sent: failed connects don't
  // use the budget up.
  bool claim_request() {
    if (is_over()) return false;
    if (unclaimed > 0) --unclaimed;
    return true;
  }
};

// One keep-alive connection: connect, then request/response until the run ends. A
// failed connect, a reset or a timeout counts as an io error; it reconnects after a
// short pause (the daemon may be restarting).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, Run& run) : socket_(io), pause_(io), run_(run) { in_.resize(64 * 1024); }

  asio::awaitable<void> serve() {
    auto self = shared_from_this();
    while (!run_.is_over()) {
      if (!socket_.is_open() && !co_await connect()) {
        ++run_.counters.io_errors;
        pause_.expires_after(std::chrono::milliseconds(100));
        boost::system::error_code ignored;
        co_await pause_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        continue;
      }
      if (!run_.claim_request()) break;
      co_await exchange();
    }
    close();
  }

  // Called by the watchdog: a request past its deadline, or the end of the run.
  void expire(Clock::time_point now) {
    if (now >= request_deadline_ || (run_.stopping && now >= run_.hard_stop)) close();
  }

 private:
  asio::awaitable<bool> connect() {
    boost::system::error_code ec;
    co_await socket_.async_connect(run_.endpoint, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      close();
      co_return false;
    }
    socket_.set_option(tcp::no_delay(true), ec);
    co_return true;
  }

  asio::awaitable<void> exchange() {
    boost::system::error_code ec;
    auto begin = Clock::now();
    request_deadline_ = begin + seconds(run_.options.timeout_s);
    co_await asio::async_write(socket_, asio::buffer(run_.request), asio::redirect_error(asio::use_awaitable, ec));
    ResponseParser parser;
    std::size_t have = 0;
    auto result = ResponseParser::Result::kIncomplete;
    while (!ec && result == ResponseParser::Result::kIncomplete) {
      if (have == in_.size()) in_.resize(in_.size() * 2);
      auto n = co_await socket_.async_read_some(asio::buffer(in_.data() + have, in_.size() - have),
                                                asio::redirect_error(asio::use_awaitable, ec));
      have += n;
      bool at_eof = ec == asio::error::eof;
      if (ec && !at_eof) break;
      result = parser.parse(std::string_view(in_.data(), have), at_eof);
      if (at_eof && result == ResponseParser::Result::kIncomplete) result = ResponseParser::Result::kMalformed;
    }
    request_deadline_ = Clock::time_point::max();
    if (result != ResponseParser::Result::kComplete) {
      ++run_.counters.io_errors;  // reset, timeout (socket closed under us) or garbage
      close();
      co_return;
    }
    record(parser, Clock::now() - begin);
    if (!parser.keep_alive() || ec) close();
  }

  void record(const ResponseParser& parser, Clock::duration latency) {
    auto& c = run_.counters;
    ++c.requests;
    c.latencies_us.push_back(
        static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(latency).count()));
    auto body = parser.body();
    c.body_bytes += static_cast<long>(body.size());
    if (parser.status() != 200) {
      ++c.http_errors;
      return;
    }
    int ipp_status = body.size() >= 8 ? (static_cast<unsigned char>(body[2]) << 8 | static_cast<unsigned char>(body[3]))
                                      : 0xFFFF;
    if (ipp_status >= 0x0400) {
      ++c.ipp_errors;
      ++c.ipp_error_statuses[ipp_status];
      return;
    }
    if (run_.options.op != Operation::kPrintJob) return;
    if (auto id = find_job_id(body)) {
      ++c.acked;
      if (run_.ack_fd >= 0) {
        auto line = std::to_string(*id) + "\n";
        if (::write(run_.ack_fd, line.data(), line.size()) < 0) std::perror("ipp_load: --ack-file");
      }
    }
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer pause_;
  Run& run_;
  std::vector<char> in_;
  Clock::time_point request_deadline_ = Clock::time_point::max();
};

// Ticks every 50 ms: ends the duration, enforces request timeouts and the hard stop.
asio::awaitable<void> watchdog(Run& run, std::vector<std::shared_ptr<Connection>>& connections,
                               asio::steady_timer& timer, const bool& finished) {
  while (!finished) {
    timer.expires_after(std::chrono::milliseconds(50));
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    auto now = Clock::now();
    if (now >= run.deadline) run.stopping = true;
    for (auto& c : connections) c->expire(now);
  }
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(usage.ru_utime) + s(usage.ru_stime);
}

double percentile_ms(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size()) + 0.999999);
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1] / 1000.0;
}

void print_json(const Run& run) {
  const auto& c = run.counters;
  auto sorted = c.latencies_us;
  std::sort(sorted.begin(), sorted.end());
  double seconds = std::chrono::duration<double>(run.end - run.start).count();
  bool print = run.options.op == Operation::kPrintJob;
  long errors = c.http_errors + c.ipp_errors + c.io_errors;
  long ok = c.requests - c.http_errors - c.ipp_errors;
  double load_cpu = seconds > 0 ? (cpu_seconds() - run.cpu_at_start) / seconds : 0.0;
  std::printf(
      "{\"op\":\"%s\",\"connections\":%d,\"requests\":%ld,\"errors\":%ld,\"http_errors\":%ld,\"ipp_errors\":%ld,"
      "\"io_errors\":%ld,\"seconds\":%.3f,\"req_per_s\":%.1f,\"ok_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
      "\"max_ms\":%.3f,\"mean_body_bytes\":%ld,\"load_cpu\":%.2f",
      print                                        ? "print-job"
      : run.options.op == Operation::kGetJobs      ? "get-jobs"
      : run.options.op == Operation::kGetJobIds    ? "get-job-ids"
                                                   : "get-printer-attributes",
      run.options.connections, c.requests, errors, c.http_errors,
      c.ipp_errors, c.io_errors, seconds, seconds > 0 ? static_cast<double>(c.requests) / seconds : 0.0,
      seconds > 0 ? static_cast<double>(ok) / seconds : 0.0, percentile_ms(sorted, 0.50), percentile_ms(sorted, 0.99),
      sorted.empty() ? 0.0 : sorted.back() / 1000.0, c.requests ? c.body_bytes / c.requests : 0L, load_cpu);
  if (print) std::printf(",\"doc_size\":%zu,\"acked\":%ld", run.options.doc_size, c.acked);
  if (!c.ipp_error_statuses.empty()) {
    std::string statuses;  // "0x0503 server-error-... x 12; ..." as one string: the line stays flat
    for (auto [status, count] : c.ipp_error_statuses)
      statuses += (statuses.empty() ? "" : "; ") + std::string(ippErrorString(static_cast<ipp_status_t>(status))) +
                  " x " + std::to_string(count);
    std::printf(",\"ipp_error_statuses\":\"%s\"", statuses.c_str());
  }
  std::printf("}\n");
  std::fflush(stdout);
}

// Runs every connection and the watchdog on this thread until the run is over.
void run_connections(Run& run) {
  asio::io_context io(1);
  asio::steady_timer watchdog_timer(io);
  // SIGINT or SIGTERM end the run early; the results so far are still printed.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    run.stopping = true;
    run.hard_stop = Clock::now();
  });
  std::vector<std::shared_ptr<Connection>> connections;
  int serving = run.options.connections;
  bool finished = false;
  auto on_done = [&](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);  // a bug: nothing in serve() throws by design
    if (--serving > 0) return;
    finished = true;
    watchdog_timer.cancel();
    signals.cancel();
  };
  for (int i = 0; i < run.options.connections; ++i) {
    connections.push_back(std::make_shared<Connection>(io, run));
    asio::co_spawn(io, connections.back()->serve(), on_done);
  }
  asio::co_spawn(io, watchdog(run, connections, watchdog_timer, finished), asio::detached);
  io.run();
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) {
    if (!options.error().empty()) std::cerr << "ipp_load: " << options.error() << "\n";
    std::cerr << kUsage;
    return options.error().empty() ? 0 : 2;
  }
  auto target = parse_target(options->uri);
  if (!target) {
    std::cerr << "ipp_load: " << target.error() << "\n";
    return 2;
  }
  try {
    Run run;
    run.options = *options;
    run.endpoint = tcp::endpoint(asio::ip::make_address(target->host), target->port);
    run.request = encode_request(run.options, *target);
    if (!run.options.ack_file.empty()) {
      run.ack_fd = ::open(run.options.ack_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
      if (run.ack_fd < 0) throw std::runtime_error("cannot open --ack-file " + run.options.ack_file);
    }
    run.start = Clock::now();
    run.cpu_at_start = cpu_seconds();
    run.deadline = run.start + seconds(run.options.requests ? 1e7 : run.options.duration_s);
    run.hard_stop = run.deadline + seconds(std::min(run.options.timeout_s, 5.0));
    if (run.options.requests) run.unclaimed = *run.options.requests;
    run_connections(run);
    run.end = Clock::now();
    if (run.ack_fd >= 0) ::close(run.ack_fd);
    print_json(run);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ipp_load: " << e.what() << "\n";
    return 1;
  }
}
