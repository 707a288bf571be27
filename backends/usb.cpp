// usb backend: prints to USB printers through libusb (usb://Make/Model?serial=SN).
// Finds the printer-class interface whose device matches the URI, claims it (detaching
// usblp if it holds it), writes the job with bulk-OUT transfers and forwards what the
// bulk-IN endpoint returns, all on one thread with asynchronous transfers. An unplugged
// printer ends the job with STATE: +offline-report. Exit codes: docs/backends.md.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/back_channel.hpp"
#include "common/backend_process.hpp"
#include "common/backend_status.hpp"
#include "common/backoff.hpp"
#include "common/device_stream.hpp"
#include "common/device_uri.hpp"
#include "common/job_args.hpp"
#include "common/net_connect.hpp"
#include "common/side_channel.hpp"
#include "common/usb_printer.hpp"

namespace qb = quire::backend;
using qb::ExitCode;

namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr unsigned kOutTimeoutMs = 5000;  // then check the port status and go on
constexpr unsigned kControlTimeoutMs = 5000;
constexpr qb::milliseconds kEventSlice{100};
constexpr qb::milliseconds kFirstRetry{1000};
constexpr qb::milliseconds kMaxRetry{5000};
constexpr qb::milliseconds kStopWait{2000};

// ---- finding and claiming the printer ----------------------------------------------

struct ClaimedPrinter {
  qb::UsbPrinter printer;
  qb::UsbHandle handle;
  ClaimedPrinter(qb::UsbPrinter p, qb::UsbHandle h) : printer(std::move(p)), handle(std::move(h)) {}
  ClaimedPrinter(ClaimedPrinter&&) = default;
  ~ClaimedPrinter() {
    if (handle)
      libusb_release_interface(handle.get(), printer.interface_number);  // usblp comes back
  }
};

// Returns the libusb error when the interface cannot be claimed (LIBUSB_ERROR_BUSY: in use).
std::expected<ClaimedPrinter, int> claim(qb::UsbPrinter printer) {
  libusb_device_handle* raw = nullptr;
  if (int rc = libusb_open(printer.device.get(), &raw); rc != 0) return std::unexpected(rc);
  qb::UsbHandle handle(raw);
  libusb_set_auto_detach_kernel_driver(handle.get(), 1);
  int current = 0;
  if (libusb_get_configuration(handle.get(), &current) == 0 && current != printer.config_value) {
    if (int rc = libusb_set_configuration(handle.get(), printer.config_value); rc != 0) {
      qb::report_debug(std::string("Unable to set USB configuration: ") + libusb_strerror(rc));
    }
  }
  if (int rc = libusb_claim_interface(handle.get(), printer.interface_number); rc != 0)
    return std::unexpected(rc);
  if (printer.alt_setting != 0) {
    libusb_set_interface_alt_setting(handle.get(), printer.interface_number, printer.alt_setting);
  }
  return ClaimedPrinter(std::move(printer), std::move(handle));
}

std::expected<ClaimedPrinter, ExitCode> find_and_claim(libusb_context* ctx,
                                                       const qb::UsbQuery& query,
                                                       qb::seconds contimeout) {
  auto give_up = qb::Deadline::after(contimeout);
  qb::Backoff backoff(kFirstRetry, kMaxRetry);
  qb::report_state("+connecting-to-device");
  for (;;) {
    std::string why = "Waiting for printer to become available.";
    for (qb::UsbPrinter& p : qb::find_usb_printers(ctx)) {
      if (!qb::matches(p, query)) continue;
      qb::report_debug("Found " + p.uri + " (interface " + std::to_string(p.interface_number) +
                       ", protocol " + std::to_string(p.protocol) + ")");
      auto claimed = claim(std::move(p));
      if (claimed) {
        qb::report_state("-connecting-to-device");
        return std::move(*claimed);
      }
      why = std::string("Printer busy (") + libusb_strerror(claimed.error()) + ").";
    }
    if (give_up.expired() || std::getenv("CLASS")) {
      qb::report_state("-connecting-to-device");
      qb::report_error(
          "The printer is not connected: no USB printer matches " + query.make + "/" + query.model +
          (query.serial ? " with serial number " + *query.serial : std::string()) + ".");
      return std::unexpected(ExitCode::kFailed);
    }
    qb::report_info(why);
    qb::milliseconds delay = std::min(backoff.next(), give_up.left() + qb::milliseconds(1));
    if (!qb::sleep_unless_canceled(delay)) return std::unexpected(ExitCode::kOk);
  }
}

// ---- the transfers ---------------------------------------------------------------

enum class UsbFailure { kUnplugged, kIo, kCanceled, kInput };

struct TransferFree {
  void operator()(libusb_transfer* t) const { libusb_free_transfer(t); }
};
using Transfer = std::unique_ptr<libusb_transfer, TransferFree>;

// Streams print data out and back-channel data in. Callbacks run inside
// libusb_handle_events on this same thread.
class UsbPump {
 public:
  UsbPump(libusb_context* ctx, const ClaimedPrinter& claimed, qb::BackChannel& back_channel,
          bool stop_on_cancel)
      : ctx_(ctx),
        claimed_(claimed),
        bc_(back_channel),
        stop_on_cancel_(stop_on_cancel),
        out_(libusb_alloc_transfer(0)),
        in_(libusb_alloc_transfer(0)) {}

  ~UsbPump() {
    cancel_and_wait(out_, out_busy_);
    cancel_and_wait(in_, in_busy_);
  }

  void start_back_channel() {
    if (!claimed_.printer.in_endpoint) return;
    libusb_fill_bulk_transfer(in_.get(), claimed_.handle.get(), claimed_.printer.in_endpoint,
                              in_buffer_, sizeof in_buffer_, on_in, this, 0);
    submit(in_.get(), in_busy_);
  }

  std::expected<std::uint64_t, UsbFailure> copy(int input_fd) {
    pending_ = start_ = 0;
    input_done_ = false;
    while (!(input_done_ && pending_ == start_ && !out_busy_)) {
      if (failure_) return std::unexpected(*failure_);
      if (auto stop = check_cancel()) return std::unexpected(*stop);
      if (!out_busy_ && start_ == pending_ && !input_done_) read_input(input_fd);
      if (!out_busy_ && start_ < pending_) submit_out();
      pump(out_busy_ ? kEventSlice : qb::milliseconds(0));
    }
    if (failure_) return std::unexpected(*failure_);
    return total_;
  }

 private:
  static void LIBUSB_CALL on_out(libusb_transfer* t) {
    static_cast<UsbPump*>(t->user_data)->out_done(t);
  }
  static void LIBUSB_CALL on_in(libusb_transfer* t) {
    static_cast<UsbPump*>(t->user_data)->in_done(t);
  }

  void submit(libusb_transfer* t, bool& busy) {
    int rc = libusb_submit_transfer(t);
    if (rc == 0) {
      busy = true;
    } else if (rc == LIBUSB_ERROR_NO_DEVICE) {
      failure_ = UsbFailure::kUnplugged;
    } else if (t == out_.get()) {
      fail_io(rc);
    } else {
      qb::report_debug(std::string("No USB back-channel: ") + libusb_strerror(rc));
    }
  }

  void submit_out() {
    int size = static_cast<int>(std::min(kChunk, pending_ - start_));
    libusb_fill_bulk_transfer(out_.get(), claimed_.handle.get(), claimed_.printer.out_endpoint,
                              buffer_ + start_, size, on_out, this, kOutTimeoutMs);
    submit(out_.get(), out_busy_);
  }

  void out_done(libusb_transfer* t) {
    out_busy_ = false;
    start_ += static_cast<std::size_t>(t->actual_length);
    total_ += static_cast<std::uint64_t>(t->actual_length);
    if (t->actual_length > 0) clear_port_state();
    switch (t->status) {
      case LIBUSB_TRANSFER_COMPLETED:
      case LIBUSB_TRANSFER_CANCELLED:
        break;
      case LIBUSB_TRANSFER_TIMED_OUT:
        report_port_state();
        break;  // the printer is not taking data
      case LIBUSB_TRANSFER_STALL:
        libusb_clear_halt(claimed_.handle.get(), claimed_.printer.out_endpoint);
        break;
      case LIBUSB_TRANSFER_NO_DEVICE:
        failure_ = UsbFailure::kUnplugged;
        break;
      default:
        fail_io(LIBUSB_ERROR_IO);
        break;
    }
  }

  void in_done(libusb_transfer* t) {
    in_busy_ = false;
    if (t->status == LIBUSB_TRANSFER_NO_DEVICE) {
      failure_ = UsbFailure::kUnplugged;
      return;
    }
    if (t->actual_length > 0)
      bc_.forward(reinterpret_cast<char*>(in_buffer_), static_cast<std::size_t>(t->actual_length));
    if (t->status == LIBUSB_TRANSFER_COMPLETED || t->status == LIBUSB_TRANSFER_TIMED_OUT)
      submit(t, in_busy_);
  }

  void fail_io(int rc) {
    qb::report_debug(std::string("USB write failed: ") + libusb_strerror(rc));
    failure_ = UsbFailure::kIo;
  }

  // Called with nothing left to send: what the filter wrote so far has reached the
  // printer, so a drain request can be answered at once.
  void read_input(int fd) {
    pollfd fds[3] = {
        {fd, POLLIN, 0}, {qb::cancel_fd(), POLLIN, 0}, {qb::side_channel_fd(), POLLIN, 0}};
    if (::poll(fds, 3, static_cast<int>(kEventSlice.count())) <= 0) return;
    if ((fds[2].revents & (POLLIN | POLLHUP | POLLERR)) &&
        qb::serve_side_channel() == qb::SideRequest::kDrain) {
      qb::answer_drain();
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) return;
    ssize_t n = ::read(fd, buffer_, sizeof buffer_);
    if (n < 0 && errno != EINTR && errno != EAGAIN) failure_ = UsbFailure::kInput;
    if (n == 0) input_done_ = true;
    start_ = 0;
    pending_ = n > 0 ? static_cast<std::size_t>(n) : 0;
  }

  std::optional<UsbFailure> check_cancel() {
    if (!qb::cancel_requested()) return std::nullopt;
    if (!grace_) {
      if (stop_on_cancel_) return UsbFailure::kCanceled;
      grace_ = qb::Deadline::after(qb::kCancelGrace);  // let the filter finish its page
    }
    if (grace_->expired()) return UsbFailure::kCanceled;
    return std::nullopt;
  }

  void pump(qb::milliseconds slice) {
    timeval tv{0, static_cast<suseconds_t>(slice.count() * 1000)};
    libusb_handle_events_timeout_completed(ctx_, &tv, nullptr);
  }

  void cancel_and_wait(Transfer& t, const bool& busy) {
    if (!t || !busy) return;
    libusb_cancel_transfer(t.get());
    auto until = qb::Deadline::after(kStopWait);
    while (busy && !until.expired()) pump(kEventSlice);
    if (busy) t.release();  // libusb still owns it: leaking beats freeing a live transfer
  }

  // IEEE 1284 GET_PORT_STATUS: bit 5 paper empty, bit 4 selected (on line).
  void report_port_state() {
    unsigned char status = 0;
    int n = libusb_control_transfer(claimed_.handle.get(), qb::kPrinterClassRequestIn, 1, 0,
                                    static_cast<uint16_t>(claimed_.printer.interface_number << 8),
                                    &status, 1, kControlTimeoutMs);
    if (n != 1) return;
    set_reason(media_empty_, (status & 0x20) != 0, "media-empty-error");
    set_reason(offline_, (status & 0x10) == 0, "offline-report");
  }

  void set_reason(bool& flag, bool now, const char* reason) {
    if (flag != now) qb::report_state(std::string(now ? "+" : "-") + reason);
    flag = now;
  }

  void clear_port_state() {
    set_reason(media_empty_, false, "media-empty-error");
    set_reason(offline_, false, "offline-report");
  }

  libusb_context* ctx_;
  const ClaimedPrinter& claimed_;
  qb::BackChannel& bc_;
  bool stop_on_cancel_;
  Transfer out_, in_;
  bool out_busy_ = false, in_busy_ = false, input_done_ = false;
  bool media_empty_ = false, offline_ = false;
  unsigned char buffer_[kChunk];
  unsigned char in_buffer_[1024];
  std::size_t start_ = 0, pending_ = 0;
  std::uint64_t total_ = 0;
  std::optional<UsbFailure> failure_;
  std::optional<qb::Deadline> grace_;
};

ExitCode exit_code_for(UsbFailure failure) {
  switch (failure) {
    case UsbFailure::kCanceled:
      qb::report_info("Job canceled.");
      return ExitCode::kOk;
    case UsbFailure::kUnplugged:
      qb::report_state("+offline-report");
      qb::report_error("The printer was unplugged or switched off.");
      return ExitCode::kFailed;
    case UsbFailure::kInput:
      qb::report_errno("Unable to read print data", errno);
      return ExitCode::kFailed;
    case UsbFailure::kIo:
      break;
  }
  qb::report_error("Unable to send data to printer.");
  return ExitCode::kFailed;
}

ExitCode send_job(libusb_context* ctx, const ClaimedPrinter& claimed, const qb::JobArgs& args,
                  int input_fd) {
  if (auto id = qb::read_usb_device_id(claimed.handle.get(), claimed.printer)) {
    qb::report_debug("IEEE 1284 device ID: " + *id);
  }
  qb::describe_device(claimed.printer.device_id, claimed.printer.in_endpoint != 0);
  auto back_channel = qb::BackChannel::from_fd3();
  UsbPump pump(ctx, claimed, back_channel, args.file.has_value());
  pump.start_back_channel();
  qb::report_info("Sending data to printer.");
  for (int copy = 0; copy < args.copies; ++copy) {
    if (args.file) {
      qb::report_page(1, 1);
      ::lseek(input_fd, 0, SEEK_SET);
    }
    auto sent = pump.copy(input_fd);
    if (!sent) return exit_code_for(sent.error());
    qb::report_debug("Sent " + std::to_string(*sent) + " bytes");
  }
  qb::report_info("Print file sent.");
  return ExitCode::kOk;
}

// ---- main ----------------------------------------------------------------------------

int discover() {
  auto ctx = qb::UsbContext::create();
  if (!ctx) return qb::to_int(ExitCode::kOk);  // no USB here: nothing to list
  for (const qb::UsbPrinter& p : qb::find_usb_printers(ctx->get())) {
    qb::report_device("direct", p.uri, p.make_and_model, p.make_and_model + " USB", p.device_id,
                      "");
  }
  return qb::to_int(ExitCode::kOk);
}

ExitCode print(const qb::JobArgs& args) {
  auto uri = qb::DeviceUri::parse(args.device_uri);
  auto query = uri ? qb::parse_usb_query(*uri) : std::unexpected(uri.error());
  auto contimeout = uri ? uri->seconds_option("contimeout", qb::kDefaultConnectTimeout.count())
                        : std::expected<long, std::string>(0);
  if (!query || !contimeout) {  // a misconfigured queue: retrying cannot help
    qb::report_error(!query ? query.error() : contimeout.error());
    return ExitCode::kStop;
  }
  auto input = qb::open_print_data(args);
  if (!input) {
    qb::report_error(input.error());
    return ExitCode::kFailed;
  }
  auto ctx = qb::UsbContext::create();
  if (!ctx) {
    qb::report_error(ctx.error());
    return ExitCode::kFailed;
  }
  auto claimed = find_and_claim(ctx->get(), *query, qb::seconds(*contimeout));
  if (!claimed) return claimed.error();
  return send_job(ctx->get(), *claimed, args, input->get());
}

}  // namespace

int main(int argc, char** argv) {
  qb::start_backend();
  if (qb::is_discovery(argc)) return discover();
  auto args = qb::parse_job_args(argc, argv, /*resolve_dnssd=*/false);
  if (!args) {
    qb::report_error(args.error());
    return qb::to_int(ExitCode::kFailed);
  }
  return qb::to_int(print(*args));
}
