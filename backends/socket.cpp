// socket backend: AppSocket / HP JetDirect printing (socket://host[:port][?options]).
// Connects (retrying while the printer is busy), streams the job, forwards what the
// printer sends back, and optionally waits for the printer to close the connection.
// Exit codes: see docs/backends.md.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
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
#include "common/side_channel.hpp"

namespace qb = quire::backend;
using qb::ExitCode;

namespace {

constexpr int kDefaultPort = 9100;
constexpr qb::seconds kDefaultStallTimeout{300};

struct SocketSettings {
  std::string host;
  int port = kDefaultPort;
  bool wait_eof = true;
  qb::seconds contimeout = qb::kDefaultConnectTimeout;
  qb::seconds stall_timeout = kDefaultStallTimeout;  // also bounds the wait for EOF
};

std::expected<SocketSettings, std::string> read_settings(const std::string& device_uri) {
  auto uri = qb::DeviceUri::parse(device_uri);
  if (!uri) return std::unexpected(uri.error());
  if (uri->host().empty()) return std::unexpected("No host name in device URI " + uri->redacted());
  SocketSettings s;
  s.host = uri->host();
  if (uri->port() > 0) s.port = uri->port();
  s.wait_eof = uri->bool_option("waiteof", true);
  auto contimeout = uri->seconds_option("contimeout", s.contimeout.count());
  if (!contimeout) return std::unexpected(contimeout.error());
  auto timeout = uri->seconds_option("timeout", s.stall_timeout.count());
  if (!timeout) return std::unexpected(timeout.error());
  s.contimeout = qb::seconds(*contimeout);
  s.stall_timeout = qb::seconds(*timeout);
  return s;
}

// Like CUPS, don't hold the printer while the filters are still computing the first
// page; answer their side-channel questions meanwhile (nothing is sent yet, so a drain
// is complete at once).
bool wait_for_first_data(int input_fd) {
  while (!qb::cancel_requested()) {
    pollfd fds[3] = {
        {input_fd, POLLIN, 0}, {qb::cancel_fd(), POLLIN, 0}, {qb::side_channel_fd(), POLLIN, 0}};
    if (::poll(fds, 3, -1) <= 0) continue;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) return true;
    if ((fds[2].revents & (POLLIN | POLLHUP | POLLERR)) &&
        qb::serve_side_channel() == qb::SideRequest::kDrain) {
      qb::answer_drain();
    }
  }
  return false;
}

ExitCode exit_code_for(const qb::StreamError& error, const SocketSettings& s) {
  switch (error.failure) {
    case qb::StreamFailure::kCanceled:
      qb::report_info("Job canceled; connection to the printer closed.");
      return ExitCode::kOk;
    case qb::StreamFailure::kStalled:
      qb::report_error("The printer accepted no data for " +
                       std::to_string(s.stall_timeout.count()) + " s; will retry the job.");
      return ExitCode::kRetry;
    default:
      qb::report_error(error.describe());
      return ExitCode::kFailed;
  }
}

ExitCode send_copies(const qb::JobArgs& args, int input_fd, int device_fd, const SocketSettings& s,
                     qb::BackChannel& back_channel) {
  qb::StreamOptions options;
  options.stall_timeout = s.stall_timeout;
  options.stop_on_cancel = args.file.has_value();
  for (int copy = 0; copy < args.copies; ++copy) {
    if (args.file) {
      qb::report_page(1, 1);
      ::lseek(input_fd, 0, SEEK_SET);
    }
    auto sent = qb::copy_to_device(input_fd, device_fd, back_channel, options);
    if (!sent) return exit_code_for(sent.error(), s);
    qb::report_debug("Sent " + std::to_string(*sent) + " bytes");
  }
  qb::report_info("Print file sent.");
  return ExitCode::kOk;
}

// Half-closes and reads until the printer closes its side: the printer has then taken
// the whole job. Silence for the stall timeout ends the wait too (CUPS: 90 s).
void wait_for_printer_eof(int fd, qb::BackChannel& back_channel, qb::seconds silence) {
  qb::report_info("Waiting for printer to finish.");
  ::shutdown(fd, SHUT_WR);
  pollfd fds[2] = {{fd, POLLIN, 0}, {qb::cancel_fd(), POLLIN, 0}};
  for (;;) {
    int ready = ::poll(fds, 2, qb::Deadline::after(silence).poll_timeout(silence));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0 || qb::cancel_requested()) {
      qb::report_debug("Printer did not close the connection; not waiting any longer.");
      return;
    }
    char data[4096];
    ssize_t n = ::read(fd, data, sizeof data);
    if (n > 0) {
      back_channel.forward(data, static_cast<std::size_t>(n));
    } else if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      continue;
    } else {
      return;  // EOF, or a reset after the job was taken
    }
  }
}

ExitCode print(const qb::JobArgs& args, const SocketSettings& s) {
  qb::describe_device("", /*bidirectional=*/true);
  auto input = qb::open_print_data(args);
  if (!input) {
    qb::report_error(input.error());
    return ExitCode::kFailed;
  }
  if (!args.file && !wait_for_first_data(input->get())) return ExitCode::kOk;
  auto connection = qb::connect_with_retry({s.host, s.port, s.contimeout, {}});
  if (!connection) {
    return connection.error() == qb::ConnectFailure::kCanceled ? ExitCode::kOk : ExitCode::kFailed;
  }
  auto back_channel = qb::BackChannel::from_fd3();
  ExitCode code = send_copies(args, input->get(), connection->fd.get(), s, back_channel);
  if (code != ExitCode::kOk || qb::cancel_requested()) return code;
  qb::report_state("+cups-waiting-for-job-completed");
  if (s.wait_eof) wait_for_printer_eof(connection->fd.get(), back_channel, s.stall_timeout);
  qb::report_state("-cups-waiting-for-job-completed");
  return ExitCode::kOk;
}

}  // namespace

int main(int argc, char** argv) {
  return qb::network_backend_main(argc, argv, "socket", "AppSocket/HP JetDirect", &read_settings, &print);
}
