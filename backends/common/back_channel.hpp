// The back-channel: data the printer sends back (status, PJL replies), which CUPS's
// scheduler gives the filters through a pipe on fd 3 (cupsBackChannelRead). When fd 3
// is not a pipe or socket (backend run by hand), the data is only counted in DEBUG lines.
#pragma once

#include <cstddef>

namespace quire::backend {

class BackChannel {
 public:
  // Records whether fd 3 is a pipe or a socket, as the scheduler opens it. Called once
  // by start_backend(), before any descriptor of our own can land on 3.
  static void probe_fd3();
  // The channel probe_fd3() found (or an unavailable one).
  static BackChannel from_fd3();

  bool available() const { return fd_ >= 0; }
  // Logs "DEBUG: Received N bytes of back-channel data" and forwards the bytes, waiting
  // at most a second for the reader (cupsBackChannelWrite's timeout). A reader that went
  // away disables the channel; it never fails the job.
  void forward(const char* data, std::size_t size);

 private:
  explicit BackChannel(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace quire::backend
