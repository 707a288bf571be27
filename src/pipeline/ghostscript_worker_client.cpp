// quire-gs's side of the warm worker protocol.
#include "pipeline/ghostscript_worker_client.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace quire {

std::optional<WorkerConnection> WorkerConnection::open(const std::string& dir) {
  if (dir.empty()) return std::nullopt;
  int lock = ::open((dir + "/" + kWorkerLock).c_str(), O_RDWR | O_CLOEXEC);
  if (lock < 0) return std::nullopt;
  if (::flock(lock, LOCK_EX | LOCK_NB) != 0) {  // busy with another job: not worth waiting for
    ::close(lock);
    return std::nullopt;
  }
  int s = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = dir + "/" + kWorkerSocket;
  if (s < 0 || path.size() >= sizeof addr.sun_path ||
      ::connect(s, reinterpret_cast<sockaddr*>(&addr), (std::memcpy(addr.sun_path, path.c_str(), path.size() + 1), sizeof addr)) != 0) {
    if (s >= 0) ::close(s);
    ::close(lock);
    return std::nullopt;
  }
  return WorkerConnection(lock, s);
}

WorkerConnection::~WorkerConnection() {
  if (socket_ >= 0) ::close(socket_);
  if (lock_ >= 0) ::close(lock_);
}

int WorkerConnection::run(const std::string& setup, int in_fd, int out_fd, int err_fd) {
  int fds[3] = {in_fd, out_fd, err_fd};
  char control[CMSG_SPACE(sizeof fds)] = {};
  iovec iov{const_cast<char*>(setup.data()), setup.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof fds);
  std::memcpy(CMSG_DATA(c), fds, sizeof fds);
  if (::sendmsg(socket_, &msg, MSG_NOSIGNAL) < 0) return -1;
  int status = -1;
  ssize_t n;
  while ((n = ::recv(socket_, &status, sizeof status, 0)) < 0 && errno == EINTR) {
  }
  return n == static_cast<ssize_t>(sizeof status) ? status : -1;
}

}  // namespace quire
