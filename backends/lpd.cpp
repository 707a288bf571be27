// lpd backend: an RFC 1179 client (lpd://[user@]host[:port]/queue[?options]). Sends one
// "receive job" (02) per job with a control file (H P J [C L] <format>dfA U N lines) and
// one data file, checking the server's acknowledgement byte after every step.
// Exit codes: see docs/backends.md.
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/back_channel.hpp"
#include "common/backend_process.hpp"
#include "common/backend_status.hpp"
#include "common/device_stream.hpp"
#include "common/device_uri.hpp"
#include "common/job_args.hpp"
#include "common/network_backend.hpp"
#include "common/net_connect.hpp"
#include "common/spool_file.hpp"

namespace qb = quire::backend;
using qb::ExitCode;

namespace {

constexpr int kDefaultPort = 515;
constexpr qb::seconds kDefaultTimeout{300};     // CUPS's default for each LPD reply
constexpr char kStreamSize[] = "999999999999";  // "until the connection closes" (CUPS)

enum class Reserve { kNone, kAny, kRfc1179 };

struct LpdSettings {
  std::string host;
  int port = kDefaultPort;
  std::string queue;
  bool banner = false;
  char format = 'l';
  bool data_first = false;
  qb::seconds timeout = kDefaultTimeout;
  qb::seconds contimeout = qb::kDefaultConnectTimeout;
  Reserve reserve = Reserve::kNone;
  bool stream = false;        // mode=stream: no spooling of stdin, size unknown
  bool manual_copies = true;  // send the data N times rather than N print lines
  bool sanitize_title = true;
};

std::expected<void, std::string> read_enum_options(const qb::DeviceUri& uri, LpdSettings& s) {
  if (auto f = uri.option("format")) {
    if (f->size() != 1 || !std::islower(static_cast<unsigned char>((*f)[0]))) {
      return std::unexpected("Unknown format character \"" + *f + "\"");
    }
    s.format = (*f)[0];
  }
  if (auto o = uri.option("order")) {
    if (strcasecmp(o->c_str(), "data,control") == 0) {
      s.data_first = true;
    } else if (strcasecmp(o->c_str(), "control,data") != 0) {
      return std::unexpected("Unknown file order \"" + *o + "\"");
    }
  }
  if (auto r = uri.option("reserve")) {
    if (strcasecmp(r->c_str(), "rfc1179") == 0) {
      s.reserve = Reserve::kRfc1179;
    } else if (r->empty() || strcasecmp(r->c_str(), "any") == 0 ||
               strcasecmp(r->c_str(), "yes") == 0) {
      s.reserve = Reserve::kAny;
    } else if (strcasecmp(r->c_str(), "none") != 0 && strcasecmp(r->c_str(), "no") != 0) {
      return std::unexpected("Unknown reserve value \"" + *r + "\"");
    }
  }
  if (auto m = uri.option("mode")) {
    if (strcasecmp(m->c_str(), "stream") == 0) {
      s.stream = true;
    } else if (strcasecmp(m->c_str(), "standard") != 0) {
      return std::unexpected("Unknown mode \"" + *m + "\"");
    }
  }
  return {};
}

std::expected<LpdSettings, std::string> read_settings(const std::string& device_uri) {
  auto uri = qb::DeviceUri::parse(device_uri);
  if (!uri) return std::unexpected(uri.error());
  LpdSettings s;
  s.host = uri->host();
  if (uri->port() > 0) s.port = uri->port();
  s.queue = uri->path().empty() ? "" : uri->path().substr(1);
  if (s.host.empty() || s.queue.empty()) {
    return std::unexpected("Device URI " + uri->redacted() + " names no host or no queue");
  }
  s.banner = uri->bool_option("banner", false);
  s.manual_copies = uri->bool_option("manual_copies", true);
  s.sanitize_title = uri->bool_option("sanitize_title", true);
  if (auto ok = read_enum_options(*uri, s); !ok) return std::unexpected(ok.error());
  auto timeout = uri->seconds_option("timeout", s.timeout.count());
  if (!timeout) return std::unexpected(timeout.error());
  auto contimeout = uri->seconds_option("contimeout", s.contimeout.count());
  if (!contimeout) return std::unexpected(contimeout.error());
  s.timeout = qb::seconds(*timeout);
  s.contimeout = qb::seconds(*contimeout);
  return s;
}

// ---- the control file ------------------------------------------------------------

// RFC 1179 fields are single lines of printable ASCII with a length limit.
std::string field(std::string_view value, std::size_t limit) {
  std::string out;
  for (char c : value.substr(0, limit)) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < ' ' || u == 0x7f) ? '_' : c;
  }
  return out;
}

// CUPS's sanitize_title: only letters, digits and spaces survive.
std::string sanitized(std::string title) {
  for (char& c : title) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        !std::isspace(static_cast<unsigned char>(c)))
      c = '_';
  }
  return title;
}

std::string local_host_name(const qb::JobArgs& args) {
  auto origin = qb::find_job_option(args, "job-originating-host-name");
  if (origin && !origin->empty() && strcasecmp(origin->c_str(), "localhost") != 0) return *origin;
  char name[256] = "localhost";
  ::gethostname(name, sizeof name - 1);
  return name;
}

struct ControlFile {
  std::string text;
  std::string control_name;  // cfA<job><host>
  std::string data_name;     // dfA<job><host>
};

ControlFile build_control_file(const qb::JobArgs& args, const LpdSettings& s, int print_lines) {
  std::string host = local_host_name(args);
  char number[4];
  std::snprintf(number, sizeof number, "%03d", std::abs(std::atoi(args.job_id.c_str())) % 1000);
  std::string suffix = std::string(number) + field(host, 15);
  std::string title = s.sanitize_title ? sanitized(args.title) : args.title;
  ControlFile cf{"", "cfA" + suffix, "dfA" + suffix};
  cf.text += "H" + field(host, 31) + "\n";
  cf.text += "P" + field(args.user, 31) + "\n";
  cf.text += "J" + field(title, 99) + "\n";
  if (s.banner) cf.text += "C" + field(host, 31) + "\nL" + field(args.user, 31) + "\n";
  for (int i = 0; i < print_lines; ++i) cf.text += s.format + cf.data_name + "\n";
  cf.text += "U" + cf.data_name + "\n";
  cf.text += "N" + field(title, 131) + "\n";
  return cf;
}

// ---- the conversation ------------------------------------------------------------

enum class LpdFailure { kRefused, kNoReply, kClosed, kCanceled, kData };

struct LpdError {
  LpdFailure failure;
  std::string step;  // "receive job", "control file", "data file"
  int detail = 0;    // the NAK byte or an errno
};

using LpdResult = std::expected<void, LpdError>;

class LpdSession {
 public:
  LpdSession(int fd, qb::seconds timeout) : fd_(fd), timeout_(timeout) {}

  // Sends a command line and checks the one-byte acknowledgement.
  LpdResult command(const std::string& line, const std::string& step) {
    qb::report_debug("Sending LPD command \\" + std::to_string(static_cast<int>(line[0])) + " " +
                     line.substr(1, line.size() - 2));
    if (auto sent = send(line.data(), line.size(), step); !sent) return sent;
    return read_ack(step);
  }

  LpdResult send(const char* data, std::size_t size, const std::string& step) {
    while (size > 0) {
      if (auto ready = wait(POLLOUT, step); !ready) return ready;
      ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) return std::unexpected(LpdError{LpdFailure::kClosed, step, errno});
      data += n;
      size -= static_cast<std::size_t>(n);
    }
    return {};
  }

  LpdResult read_ack(const std::string& step) {
    for (;;) {
      if (auto ready = wait(POLLIN, step); !ready) return ready;
      char ack = 0;
      ssize_t n = ::recv(fd_, &ack, 1, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return std::unexpected(LpdError{LpdFailure::kClosed, step, n < 0 ? errno : 0});
      if (ack != 0) return std::unexpected(LpdError{LpdFailure::kRefused, step, ack});
      return {};
    }
  }

  // RFC 1179 5.1 "abort job": the server discards what it received of this job.
  void abort() {
    static constexpr char kAbort[] = "\001\n";
    ::send(fd_, kAbort, 2, MSG_NOSIGNAL | MSG_DONTWAIT);
  }

 private:
  LpdResult wait(short events, const std::string& step) {
    pollfd fds[2] = {{fd_, events, 0}, {qb::cancel_fd(), POLLIN, 0}};
    for (;;) {
      int ready = ::poll(fds, 2, static_cast<int>(timeout_.count() * 1000));
      if (qb::cancel_requested()) return std::unexpected(LpdError{LpdFailure::kCanceled, step});
      if (ready > 0) return {};
      if (ready == 0) return std::unexpected(LpdError{LpdFailure::kNoReply, step});
      if (errno != EINTR) return std::unexpected(LpdError{LpdFailure::kClosed, step, errno});
    }
  }

  int fd_;
  qb::seconds timeout_;
};

// ---- one job ---------------------------------------------------------------------

struct PrintData {
  int fd;
  std::string size;  // decimal, or kStreamSize
  int copies;        // times the data is sent
};

LpdResult send_control_file(LpdSession& session, const ControlFile& cf) {
  const std::string step = "control file";
  auto ok =
      session.command("\002" + std::to_string(cf.text.size()) + " " + cf.control_name + "\n", step);
  if (!ok) return ok;
  if (ok = session.send(cf.text.c_str(), cf.text.size() + 1, step); !ok) return ok;  // + NUL
  if (ok = session.read_ack(step); !ok) return ok;
  qb::report_info("Control file sent successfully.");
  return {};
}

LpdResult send_data_file(LpdSession& session, int device_fd, const ControlFile& cf,
                         const PrintData& data, const LpdSettings& s) {
  const std::string step = "data file";
  auto ok = session.command("\003" + data.size + " " + cf.data_name + "\n", step);
  if (!ok) return ok;
  qb::StreamOptions options;
  options.stall_timeout = s.timeout;
  options.read_back_channel = false;  // the server speaks only in acknowledgements
  auto back_channel = qb::BackChannel::from_fd3();
  for (int copy = 0; copy < data.copies; ++copy) {
    ::lseek(data.fd, 0, SEEK_SET);
    auto sent = qb::copy_to_device(data.fd, device_fd, back_channel, options);
    if (!sent) {
      auto f = sent.error().failure;
      if (f == qb::StreamFailure::kCanceled)
        return std::unexpected(LpdError{LpdFailure::kCanceled, step});
      if (f == qb::StreamFailure::kStalled)
        return std::unexpected(LpdError{LpdFailure::kNoReply, step});
      if (f == qb::StreamFailure::kInput)
        return std::unexpected(LpdError{LpdFailure::kData, step, sent.error().error});
      return std::unexpected(LpdError{LpdFailure::kClosed, step, sent.error().error});
    }
  }
  if (data.size == kStreamSize) return {};  // the server reads until we close
  if (ok = session.send("", 1, step); !ok) return ok;
  // The whole file is there: a server that closes without the last ack printed it
  // (CUPS's reasoning too, so a job is not sent twice).
  if (ok = session.read_ack(step); !ok && ok.error().failure == LpdFailure::kClosed) {
    qb::report_warning("The printer did not respond.");
    return {};
  }
  if (ok) qb::report_info("Data file sent successfully.");
  return ok;
}

LpdResult send_job(LpdSession& session, int device_fd, const ControlFile& cf, const PrintData& data,
                   const LpdSettings& s) {
  if (auto ok = session.command("\002" + s.queue + "\n", "receive job"); !ok) return ok;
  if (s.data_first) {
    if (auto ok = send_data_file(session, device_fd, cf, data, s); !ok) return ok;
    return send_control_file(session, cf);
  }
  if (auto ok = send_control_file(session, cf); !ok) return ok;
  return send_data_file(session, device_fd, cf, data, s);
}

ExitCode exit_code_for(const LpdError& e, const LpdSettings& s) {
  switch (e.failure) {
    case LpdFailure::kCanceled:
      qb::report_info("Job canceled; told the LPD server to abort it.");
      return ExitCode::kOk;
    case LpdFailure::kRefused:
      if (e.step == "receive job") {
        qb::report_error("The LPD server refused queue \"" + s.queue + "\" (code " +
                         std::to_string(e.detail) + ").");
      } else {
        qb::report_error("Remote host did not accept " + e.step + " (" + std::to_string(e.detail) +
                         ").");
      }
      return ExitCode::kFailed;
    case LpdFailure::kNoReply:
      qb::report_error("The LPD server did not respond within " +
                       std::to_string(s.timeout.count()) + " s during the " + e.step +
                       "; will retry the job.");
      return ExitCode::kRetry;
    case LpdFailure::kData:
      qb::report_errno("Unable to read print data", e.detail);
      return ExitCode::kFailed;
    case LpdFailure::kClosed:
      qb::report_error("The LPD server closed the connection during the " + e.step +
                       (e.detail ? std::string(": ") + std::strerror(e.detail) : std::string(".")));
      return ExitCode::kFailed;
  }
  return ExitCode::kFailed;
}

// ---- connecting ------------------------------------------------------------------

// Binds to a privileged source port (some BSD lpds insist); falls back to any port
// when not running as root.
bool bind_reserved(int fd, int family, Reserve reserve) {
  int high = reserve == Reserve::kRfc1179 ? 731 : 1023;
  int low = reserve == Reserve::kRfc1179 ? 721 : 512;
  sockaddr_storage ss{};
  for (int port = high; port >= low; --port) {
    ss.ss_family = static_cast<sa_family_t>(family);
    socklen_t len = sizeof(sockaddr_in);
    if (family == AF_INET6) {
      reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port = htons(static_cast<uint16_t>(port));
      len = sizeof(sockaddr_in6);
    } else {
      reinterpret_cast<sockaddr_in*>(&ss)->sin_port = htons(static_cast<uint16_t>(port));
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) return true;
    if (errno != EADDRINUSE) break;
  }
  qb::report_debug(std::string("Unable to reserve a privileged source port: ") +
                   std::strerror(errno));
  return true;  // connect from an ordinary port
}

std::expected<PrintData, ExitCode> prepare_data(const qb::JobArgs& args, const LpdSettings& s,
                                                qb::UniqueFd& holder) {
  auto input = qb::open_print_data(args);
  if (!input) {
    qb::report_error(input.error());
    return std::unexpected(ExitCode::kFailed);
  }
  holder = std::move(*input);
  int copies = s.manual_copies ? args.copies : 1;
  if (!args.file && s.stream) return PrintData{holder.get(), kStreamSize, 1};
  if (!args.file) {
    qb::report_info("Copying print data.");
    auto spooled = qb::spool_to_temp_file(holder.get());
    if (!spooled) {
      if (!qb::cancel_requested()) qb::report_error(spooled.error());
      return std::unexpected(qb::cancel_requested() ? ExitCode::kOk : ExitCode::kFailed);
    }
    holder = std::move(*spooled);
  }
  struct stat st {};
  ::fstat(holder.get(), &st);
  return PrintData{holder.get(), std::to_string(static_cast<long long>(st.st_size) * copies),
                   copies};
}

ExitCode print(const qb::JobArgs& args, const LpdSettings& s) {
  qb::UniqueFd input;
  auto data = prepare_data(args, s, input);
  if (!data) return data.error();
  qb::ConnectOptions connect{s.host, s.port, s.contimeout, {}};
  if (s.reserve != Reserve::kNone) {
    connect.bind_source = [r = s.reserve](int fd, int family) {
      return bind_reserved(fd, family, r);
    };
  }
  auto connection = qb::connect_with_retry(connect);
  if (!connection) {
    return connection.error() == qb::ConnectFailure::kCanceled ? ExitCode::kOk : ExitCode::kFailed;
  }
  int print_lines = s.manual_copies ? 1 : args.copies;
  ControlFile cf = build_control_file(args, s, print_lines);
  qb::report_debug("Control file is: " + cf.text);
  LpdSession session(connection->fd.get(), s.timeout);
  auto sent = send_job(session, connection->fd.get(), cf, *data, s);
  if (!sent) {
    if (sent.error().failure == LpdFailure::kCanceled) session.abort();
    return exit_code_for(sent.error(), s);
  }
  if (args.file) qb::report_page(1, args.copies);
  return ExitCode::kOk;
}

}  // namespace

int main(int argc, char** argv) {
  return qb::network_backend_main(argc, argv, "lpd", "LPD/LPR Host or Printer", &read_settings, &print);
}
