// Copies print data to a device file descriptor (a TCP socket, a parallel or usblp
// port, a pty stand-in) while forwarding back-channel data, like CUPS's backendRunLoop.
// Runs on the backend's only thread; returns on end of input, error, stall or SIGTERM.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

#include "back_channel.hpp"
#include "backoff.hpp"

namespace quire::backend {

// How long a backend reading stdin keeps copying after SIGTERM, so the filter before it
// can finish the page it is on (CUPS ignores SIGTERM entirely in that case).
inline constexpr milliseconds kCancelGrace{5000};

struct StreamOptions {
  milliseconds stall_timeout{0};  // no write progress for this long fails; 0 = never
  bool read_back_channel = true;
  // Local ports: ENOSPC (out of paper) and ENXIO (off line) are waited out and reported
  // as printer-state-reasons. Elsewhere they are errors like any other.
  bool transient_device_errors = false;
  bool stop_on_cancel = true;  // false for stdin: finish within kCancelGrace
};

enum class StreamFailure {
  kInput,         // reading the print data failed
  kDeviceClosed,  // the device reset or closed the connection (ECONNRESET, EPIPE)
  kDevice,        // any other write error
  kStalled,       // no progress within stall_timeout
  kCanceled,      // SIGTERM
};

struct StreamError {
  StreamFailure failure;
  int error = 0;  // errno, when there is one
  std::string describe() const;
};

// `device_fd` must be non-blocking. Returns the number of bytes written.
std::expected<std::uint64_t, StreamError> copy_to_device(int input_fd, int device_fd,
                                                         BackChannel& back_channel,
                                                         const StreamOptions& options);

}  // namespace quire::backend
