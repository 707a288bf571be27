// Back-channel forwarding to fd 3.
#include "back_channel.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "backend_status.hpp"

namespace quire::backend {

namespace {
constexpr int kBackChannelFd = 3;
constexpr int kWriteTimeoutMs = 1000;
bool g_fd3_is_back_channel = false;
}  // namespace

void BackChannel::probe_fd3() {
  struct stat st {};
  g_fd3_is_back_channel =
      ::fstat(kBackChannelFd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

BackChannel BackChannel::from_fd3() {
  return BackChannel(g_fd3_is_back_channel ? kBackChannelFd : -1);
}

void BackChannel::forward(const char* data, std::size_t size) {
  report_debug("Received " + std::to_string(size) + " bytes of back-channel data");
  while (fd_ >= 0 && size > 0) {
    pollfd p{fd_, POLLOUT, 0};
    int ready = ::poll(&p, 1, kWriteTimeoutMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;  // reader is slow: drop, as cupsBackChannelWrite does
    ssize_t n = ::write(fd_, data, size);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      report_debug("Back-channel reader went away; back-channel data dropped from now on");
      fd_ = -1;
      return;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace quire::backend
