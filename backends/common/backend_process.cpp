// Backend process set-up: reserved descriptors, SIGTERM flag and self-pipe.
#include "backend_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "back_channel.hpp"
#include "side_channel.hpp"

namespace quire::backend {
namespace {

int g_canceled = 0;  // read by libcups through cancel_flag(); written only by the handler
int g_pipe[2] = {-1, -1};

void on_sigterm(int) {
  int saved = errno;
  g_canceled = 1;
  static constexpr char kDebug[] = "DEBUG: Got SIGTERM.\n";
  [[maybe_unused]] ssize_t w = ::write(STDERR_FILENO, kDebug, sizeof kDebug - 1);
  w = ::write(g_pipe[1], "x", 1);
  errno = saved;
}

// Keeps fd `slot` taken: by what the scheduler passed, else by /dev/null.
void reserve_fd(int slot) {
  if (::fcntl(slot, F_GETFD) >= 0) return;
  int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd >= 0 && fd != slot) {
    ::dup3(fd, slot, O_CLOEXEC);
    ::close(fd);
  }
}

// The self-pipe lives above the scheduler's descriptors 0-4.
void open_cancel_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return;
  for (int i = 0; i < 2; ++i) {
    g_pipe[i] = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
    ::close(fds[i]);
  }
}

}  // namespace

void start_backend() {
  BackChannel::probe_fd3();
  probe_side_channel();
  reserve_fd(3);
  reserve_fd(4);
  open_cancel_pipe();
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  sigemptyset(&action.sa_mask);
  action.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &action, nullptr);
  action.sa_handler = on_sigterm;  // no SA_RESTART: blocking calls return EINTR
  ::sigaction(SIGTERM, &action, nullptr);
}

bool cancel_requested() { return g_canceled != 0; }

int cancel_fd() { return g_pipe[0]; }

int* cancel_flag() { return &g_canceled; }

bool sleep_unless_canceled(std::chrono::milliseconds duration) {
  using Clock = std::chrono::steady_clock;
  auto end = Clock::now() + duration;
  while (!cancel_requested()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (left.count() <= 0) return true;
    pollfd p{cancel_fd(), POLLIN, 0};
    ::poll(&p, cancel_fd() >= 0 ? 1 : 0, static_cast<int>(left.count()));
  }
  return false;
}

}  // namespace quire::backend
