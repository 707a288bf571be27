// The copy loop: poll() on input, device and the SIGTERM pipe; no busy waits.
#include "device_stream.hpp"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include "backend_process.hpp"
#include "backend_status.hpp"
#include "side_channel.hpp"

namespace quire::backend {
namespace {

constexpr std::size_t kBufferSize = 64 * 1024;
constexpr milliseconds kPollCap{1000};
constexpr milliseconds kBusyPause{50};           // a port that said "ready" but gave EAGAIN
constexpr milliseconds kDeviceStatePause{1000};  // out of paper or off line: try again later

using Outcome = std::optional<StreamError>;

class Pump {
 public:
  Pump(int input_fd, int device_fd, BackChannel& back_channel, const StreamOptions& options)
      : in_(input_fd),
        dev_(device_fd),
        bc_(back_channel),
        opt_(options),
        read_bc_(options.read_back_channel),
        last_progress_(Clock::now()),
        pause_until_(Clock::now()) {}

  std::expected<std::uint64_t, StreamError> run() {
    while (!(input_done_ && pending() == 0)) {
      if (Outcome e = wait()) return std::unexpected(*e);
      if (Outcome e = handle_cancel()) return std::unexpected(*e);
      if (Outcome e = read_back_channel()) return std::unexpected(*e);
      if (Outcome e = fill()) return std::unexpected(*e);
      if (Outcome e = drain()) return std::unexpected(*e);
      if (Outcome e = check_stall()) return std::unexpected(*e);
      serve_side_channel_requests();
    }
    if (drain_pending_) answer_drain();
    return total_;
  }

 private:
  std::size_t pending() const { return end_ - start_; }
  bool paused() const { return Clock::now() < pause_until_; }

  Outcome wait() {
    fds_[0] = {dev_, 0, 0};
    if (pending() > 0 && !paused()) fds_[0].events |= POLLOUT;
    if (read_bc_) fds_[0].events |= POLLIN;
    if (fds_[0].events == 0) fds_[0].fd = -1;  // a hang-up now would only spin the loop
    fds_[1] = {pending() == 0 && !input_done_ ? in_ : -1, POLLIN, 0};
    fds_[2] = {cancel_seen_ ? -1 : cancel_fd(), POLLIN, 0};
    fds_[3] = {drain_pending_ ? -1 : side_channel_fd(), POLLIN, 0};
    int timeout = static_cast<int>(kPollCap.count());
    if (paused()) timeout = static_cast<int>(kBusyPause.count());
    if (grace_) timeout = std::min(timeout, grace_->poll_timeout(kPollCap));
    if (::poll(fds_.data(), fds_.size(), timeout) < 0 && errno != EINTR) {
      return StreamError{StreamFailure::kDevice, errno};
    }
    return std::nullopt;
  }

  Outcome handle_cancel() {
    if (!cancel_seen_ && cancel_requested()) {
      cancel_seen_ = true;
      if (opt_.stop_on_cancel) return StreamError{StreamFailure::kCanceled, 0};
      report_debug("Job canceled; sending what the filter still writes, for up to 5 seconds");
      grace_ = Deadline::after(kCancelGrace);
    }
    if (grace_ && grace_->expired()) return StreamError{StreamFailure::kCanceled, 0};
    return std::nullopt;
  }

  Outcome read_back_channel() {
    if (!read_bc_ || !(fds_[0].revents & (POLLIN | POLLHUP | POLLERR))) return std::nullopt;
    char data[4096];
    ssize_t n = ::read(dev_, data, sizeof data);
    if (n > 0) {
      bc_.forward(data, static_cast<std::size_t>(n));
    } else if (n == 0) {
      read_bc_ = false;  // the device closed its sending side
    } else if (errno == ECONNRESET) {
      return StreamError{StreamFailure::kDeviceClosed, errno};
    } else if (errno != EAGAIN && errno != EINTR) {
      read_bc_ = false;  // write-only device
    }
    return std::nullopt;
  }

  Outcome fill() {
    if (fds_[1].fd < 0 || !(fds_[1].revents & (POLLIN | POLLHUP | POLLERR))) return std::nullopt;
    ssize_t n = ::read(in_, buffer_.data(), buffer_.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) return std::nullopt;
      return StreamError{StreamFailure::kInput, errno};
    }
    if (n == 0) input_done_ = true;
    start_ = 0;
    end_ = static_cast<std::size_t>(n);
    last_progress_ = Clock::now();  // waiting for the filter is not a printer stall
    return std::nullopt;
  }

  Outcome drain() {
    if (pending() == 0 || paused() || !(fds_[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
      return std::nullopt;
    }
    ssize_t n = ::write(dev_, buffer_.data() + start_, pending());
    if (n >= 0) {
      start_ += static_cast<std::size_t>(n);
      total_ += static_cast<std::uint64_t>(n);
      last_progress_ = Clock::now();
      clear_device_state();
      return std::nullopt;
    }
    return on_write_error(errno);
  }

  Outcome on_write_error(int err) {
    switch (err) {
      case EINTR:
        return std::nullopt;
      case EAGAIN:
        pause_until_ = Clock::now() + kBusyPause;
        return std::nullopt;
      case ENOSPC:
        if (!opt_.transient_device_errors) break;
        set_device_state(media_empty_, "media-empty-warning", "Out of paper");
        return std::nullopt;
      case ENXIO:
        if (!opt_.transient_device_errors) break;
        set_device_state(offline_, "offline-report", "The printer is not connected");
        return std::nullopt;
      case ECONNRESET:
      case EPIPE:
        return StreamError{StreamFailure::kDeviceClosed, err};
      default:
        break;
    }
    return StreamError{StreamFailure::kDevice, err};
  }

  void set_device_state(bool& flag, const char* reason, const char* message) {
    pause_until_ = Clock::now() + kDeviceStatePause;
    if (flag) return;
    flag = true;
    report_state(std::string("+") + reason);
    report_info(message);
  }

  void clear_device_state() {
    if (media_empty_) report_state("-media-empty-warning");
    if (offline_) report_state("-offline-report");
    media_empty_ = offline_ = false;
  }

  // A drain is answered once what we read is written and the filter has nothing
  // more waiting in the pipe.
  void serve_side_channel_requests() {
    if (fds_[3].fd >= 0 && (fds_[3].revents & (POLLIN | POLLHUP | POLLERR))) {
      drain_pending_ = serve_side_channel() == SideRequest::kDrain;
    }
    if (!drain_pending_ || pending() > 0) return;
    pollfd in{in_, POLLIN, 0};
    if (input_done_ || ::poll(&in, 1, 0) == 0) {
      answer_drain();
      drain_pending_ = false;
    }
  }

  Outcome check_stall() {
    if (opt_.stall_timeout.count() == 0 || pending() == 0) return std::nullopt;
    if (Clock::now() - last_progress_ < opt_.stall_timeout) return std::nullopt;
    return StreamError{StreamFailure::kStalled, 0};
  }

  int in_, dev_;
  BackChannel& bc_;
  const StreamOptions& opt_;
  bool read_bc_;
  std::array<char, kBufferSize> buffer_{};
  std::size_t start_ = 0, end_ = 0;
  std::uint64_t total_ = 0;
  bool input_done_ = false, cancel_seen_ = false, media_empty_ = false, offline_ = false;
  bool drain_pending_ = false;
  std::optional<Deadline> grace_;
  Clock::time_point last_progress_, pause_until_;
  std::array<pollfd, 4> fds_{};
};

}  // namespace

std::string StreamError::describe() const {
  std::string why = error ? std::string(": ") + std::strerror(error) : "";
  switch (failure) {
    case StreamFailure::kInput:
      return "Unable to read print data" + why;
    case StreamFailure::kDeviceClosed:
      return "The printer closed the connection" + why;
    case StreamFailure::kDevice:
      return "Unable to write print data" + why;
    case StreamFailure::kStalled:
      return "The printer stopped accepting data";
    case StreamFailure::kCanceled:
      return "Job canceled";
  }
  return "Unknown stream failure";
}

std::expected<std::uint64_t, StreamError> copy_to_device(int input_fd, int device_fd,
                                                         BackChannel& back_channel,
                                                         const StreamOptions& options) {
  return Pump(input_fd, device_fd, back_channel, options).run();
}

}  // namespace quire::backend
