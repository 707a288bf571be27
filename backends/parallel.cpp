// parallel backend: prints to a local port device (parallel:/dev/lp0, also usblp's
// /dev/usb/lp0) with the device's own blocking semantics: waits while the port is busy
// or the printer is off line or out of paper, forwards what the printer sends back, and
// reads the IEEE 1284 device ID where the kernel offers it. Exit codes: docs/backends.md.
#include <fcntl.h>
#include <glob.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/back_channel.hpp"
#include "common/backend_process.hpp"
#include "common/backend_status.hpp"
#include "common/backoff.hpp"
#include "common/device_stream.hpp"
#include "common/device_uri.hpp"
#include "common/ieee1284.hpp"
#include "common/job_args.hpp"
#include "common/net_connect.hpp"
#include "common/side_channel.hpp"

namespace qb = quire::backend;
using qb::ExitCode;

namespace {

// usblp's IOCNR_GET_DEVICE_ID (CUPS's LPIOC_GET_DEVICE_ID).
constexpr unsigned long device_id_ioctl(std::size_t length) {
  return _IOC(_IOC_READ, 'P', 1, length);
}

constexpr char kDefaultDevices[] = "/dev/lp[0-9]* /dev/usb/lp[0-9]*";
constexpr qb::milliseconds kFirstRetry{1000};
constexpr qb::milliseconds kMaxRetry{30000};

// parport's lp driver has no device-ID ioctl; the kernel's IEEE 1284 autoprobe result
// ("MODEL:...;\nMANUFACTURER:...;") is in /proc instead.
std::string parport_autoprobe(const std::string& path) {
  std::string digits = path.substr(path.find_last_not_of("0123456789") + 1);
  if (digits.empty() || path.find("/usb/") != std::string::npos) return "";
  std::ifstream in("/proc/sys/dev/parport/parport" + digits + "/autoprobe");
  std::stringstream text;
  text << in.rdbuf();
  std::string id = text.str();
  for (char& c : id) c = (c == '\n') ? ' ' : c;
  return id.find(':') == std::string::npos ? "" : id;
}

std::string read_device_id(int fd, const std::string& path) {
  unsigned char buffer[1024] = {};
  if (::ioctl(fd, device_id_ioctl(sizeof buffer), buffer) == 0) {
    if (auto id = qb::decode_device_id(buffer, sizeof buffer)) return *id;
  }
  return parport_autoprobe(path);
}

// ---- discovery ---------------------------------------------------------------------

std::vector<std::string> candidate_devices() {
  const char* override_list = std::getenv("QUIRE_PARALLEL_DEVICES");  // tests, diagnostics
  std::istringstream patterns(override_list ? override_list : kDefaultDevices);
  std::vector<std::string> paths;
  for (std::string pattern; patterns >> pattern;) {
    glob_t g{};
    if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
      for (std::size_t i = 0; i < g.gl_pathc; ++i) paths.emplace_back(g.gl_pathv[i]);
    }
    ::globfree(&g);
  }
  return paths;
}

void report_port(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 && errno != EBUSY) return;  // no printer behind it; a busy port is a printer
  std::string id_text = fd >= 0 ? read_device_id(fd, path) : "";
  if (fd >= 0) ::close(fd);
  std::string digits = path.substr(path.find_last_not_of("0123456789") + 1);
  int number = digits.empty() ? 0 : std::atoi(digits.c_str()) + 1;
  bool usb = path.find("/usb/") != std::string::npos;
  std::string port =
      usb ? "USB #" + std::to_string(number) + " (usblp)" : "LPT #" + std::to_string(number);
  qb::DeviceId id = qb::DeviceId::parse(id_text);
  std::string make_model = id.empty() ? "Unknown" : id.make_and_model();
  std::string info = id.empty() ? port : make_model + " " + port;
  qb::report_device("direct", "parallel:" + path, make_model, info, id_text, "");
}

// ---- printing ----------------------------------------------------------------------

bool is_fifo(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

// Read-write where possible for the back-channel; never for a FIFO, where we would read
// back our own data.
int open_port(const std::string& path) {
  int flags = O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
  if (!is_fifo(path)) {
    int fd = ::open(path.c_str(), O_RDWR | flags);
    if (fd >= 0 || (errno != EACCES && errno != EROFS && errno != EISDIR)) return fd;
  }
  return ::open(path.c_str(), O_WRONLY | flags);
}

bool is_retryable_open_error(int err) {
  return err == EBUSY || err == ENXIO || err == ENODEV || err == EIO || err == ENOENT;
}

std::expected<qb::UniqueFd, ExitCode> open_with_retry(const std::string& path,
                                                      qb::seconds contimeout) {
  auto give_up = qb::Deadline::after(contimeout);
  qb::Backoff backoff(kFirstRetry, kMaxRetry);
  bool reported = false;
  for (;;) {
    int fd = open_port(path);
    if (fd >= 0) {
      if (reported) qb::report_state("-offline-report");
      return qb::UniqueFd(fd);
    }
    int err = errno;
    if (!is_retryable_open_error(err) || std::getenv("CLASS") || give_up.expired()) {
      qb::report_errno("Unable to open device " + path, err);
      return std::unexpected(ExitCode::kFailed);
    }
    qb::milliseconds delay = std::min(backoff.next(), give_up.left() + qb::milliseconds(1));
    std::string wait = "; will retry in " + std::to_string((delay.count() + 999) / 1000) + " s.";
    if (err == EBUSY) {
      qb::report_info("Printer busy" + wait);
    } else {
      if (!reported) qb::report_state("+offline-report");
      reported = true;
      qb::report_info("Printer not connected (" + std::string(std::strerror(err)) + ")" + wait);
    }
    if (!qb::sleep_unless_canceled(delay)) return std::unexpected(ExitCode::kOk);
  }
}

// A tty stand-in (or a serial adapter) must pass bytes through unchanged.
void make_raw_if_tty(int fd) {
  termios t{};
  if (::tcgetattr(fd, &t) != 0) return;
  ::cfmakeraw(&t);
  ::tcsetattr(fd, TCSANOW, &t);
}

ExitCode exit_code_for(const qb::StreamError& error) {
  if (error.failure == qb::StreamFailure::kCanceled) {
    qb::report_info("Job canceled.");
    return ExitCode::kOk;
  }
  if (error.failure == qb::StreamFailure::kDevice ||
      error.failure == qb::StreamFailure::kDeviceClosed) {
    qb::report_state("+offline-report");  // EIO/ENODEV: the printer (or its adapter) went away
  }
  qb::report_error(error.describe());
  return ExitCode::kFailed;
}

ExitCode print(const qb::JobArgs& args, const std::string& path, qb::seconds contimeout) {
  auto input = qb::open_print_data(args);
  if (!input) {
    qb::report_error(input.error());
    return ExitCode::kFailed;
  }
  qb::report_state("+connecting-to-device");
  auto port = open_with_retry(path, contimeout);
  qb::report_state("-connecting-to-device");
  if (!port) return port.error();
  make_raw_if_tty(port->get());
  std::string id = read_device_id(port->get(), path);
  if (!id.empty()) qb::report_debug("IEEE 1284 device ID: " + id);
  qb::StreamOptions options;
  options.transient_device_errors = true;
  options.read_back_channel = (::fcntl(port->get(), F_GETFL) & O_ACCMODE) == O_RDWR;
  qb::describe_device(id, options.read_back_channel);
  options.stop_on_cancel = args.file.has_value();
  auto back_channel = qb::BackChannel::from_fd3();
  qb::report_info("Sending data to printer.");
  for (int copy = 0; copy < args.copies; ++copy) {
    if (args.file) {
      qb::report_page(1, 1);
      ::lseek(input->get(), 0, SEEK_SET);
    }
    auto sent = qb::copy_to_device(input->get(), port->get(), back_channel, options);
    if (!sent) return exit_code_for(sent.error());
  }
  qb::report_info("Print file sent.");
  return ExitCode::kOk;
}

}  // namespace

int main(int argc, char** argv) {
  qb::start_backend();
  if (qb::is_discovery(argc)) {
    for (const std::string& path : candidate_devices()) report_port(path);
    return qb::to_int(ExitCode::kOk);
  }
  auto args = qb::parse_job_args(argc, argv, /*resolve_dnssd=*/false);
  if (!args) {
    qb::report_error(args.error());
    return qb::to_int(ExitCode::kFailed);
  }
  auto uri = qb::DeviceUri::parse(args->device_uri);
  auto contimeout = uri ? uri->seconds_option("contimeout", qb::kDefaultConnectTimeout.count())
                        : std::expected<long, std::string>(std::unexpected(uri.error()));
  if (!contimeout || uri->path().size() <= 1) {  // a misconfigured queue: retrying cannot help
    qb::report_error(contimeout ? "Device URI " + args->device_uri + " names no device"
                                : contimeout.error());
    return qb::to_int(ExitCode::kStop);
  }
  return qb::to_int(print(*args, uri->path(), qb::seconds(*contimeout)));
}
