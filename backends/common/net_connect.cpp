// Resolve + non-blocking connect with timeouts, retried with backoff.
#include "net_connect.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "backend_process.hpp"
#include "backend_status.hpp"

namespace quire::backend {
namespace {

constexpr milliseconds kAttemptTimeout{10000};  // one address, one SYN exchange
constexpr milliseconds kFirstRetry{1000};
constexpr milliseconds kMaxRetry{30000};
constexpr milliseconds kClassRequeueDelay{5000};  // CUPS: keeps class jobs from spinning

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = 0;
  std::string text;
};

std::string address_text(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
  port = ntohs(in6->sin6_port);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

// EAI errors are folded into errno values so that one retry loop handles both.
std::expected<std::vector<Address>, int> resolve(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) return std::unexpected(rc == EAI_SYSTEM ? errno : EHOSTUNREACH);
  std::vector<Address> out;
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    Address a;
    std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
    a.length = ai->ai_addrlen;
    a.family = ai->ai_family;
    a.text = address_text(ai->ai_addr);
    out.push_back(std::move(a));
  }
  ::freeaddrinfo(list);
  return out;
}

// Returns 0 once connected, else the errno of the failure.
int finish_connect(int fd) {
  pollfd fds[2] = {{fd, POLLOUT, 0}, {cancel_fd(), POLLIN, 0}};
  auto deadline = Deadline::after(kAttemptTimeout);
  for (;;) {
    int ready = ::poll(fds, 2, deadline.poll_timeout(kAttemptTimeout));
    if (ready < 0 && errno != EINTR) return errno;
    if (cancel_requested()) return EINTR;
    if (ready > 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) break;
    if (deadline.expired()) return ETIMEDOUT;
  }
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  return err;
}

std::expected<Connection, int> try_addresses(const ConnectOptions& options) {
  auto addresses = resolve(options.host, options.port);
  if (!addresses) return std::unexpected(addresses.error());
  int last_error = EHOSTUNREACH;
  for (const Address& a : *addresses) {
    UniqueFd fd(::socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
      last_error = errno;
      continue;
    }
    if (options.bind_source && !options.bind_source(fd.get(), a.family)) continue;
    int on = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    report_debug("Connecting to " + a.text);
    int err = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a.storage), a.length) == 0
                  ? 0
                  : errno;
    if (err == EINPROGRESS) err = finish_connect(fd.get());
    if (err == 0) return Connection{std::move(fd), a.text};
    report_debug("Connection to " + a.text + " failed: " + std::strerror(err));
    last_error = err;
    if (cancel_requested()) break;
  }
  return std::unexpected(last_error);
}

std::string retry_message(int err) {
  switch (err) {
    case ECONNREFUSED:
      return "The printer is in use (connection refused)";
    case EHOSTDOWN:
      return "The printer may not exist or is unavailable at this time";
    case ETIMEDOUT:
      return "The printer is not responding";
    default:
      return std::string("The printer is unreachable at this time (") + std::strerror(err) + ")";
  }
}

}  // namespace

std::expected<Connection, ConnectFailure> connect_with_retry(const ConnectOptions& options) {
  report_state("+connecting-to-device");
  report_info("Connecting to printer.");
  auto give_up = Deadline::after(options.contimeout);
  Backoff backoff(kFirstRetry, kMaxRetry);
  for (;;) {
    auto connection = try_addresses(options);
    if (connection) {
      report_state("-connecting-to-device");
      report_info("Connected to printer.");
      report_debug("Connected to " + connection->peer);
      return std::move(*connection);
    }
    if (cancel_requested()) return std::unexpected(ConnectFailure::kCanceled);
    if (std::getenv("CLASS")) {
      // A class job goes to the next member instead of waiting for this one.
      report_info("Unable to contact printer, queuing on next printer in class.");
      sleep_unless_canceled(kClassRequeueDelay);
      return std::unexpected(ConnectFailure::kTimedOut);
    }
    if (give_up.expired()) {
      report_error("The printer is not responding (" + retry_message(connection.error()) +
                   "); gave up after " + std::to_string(options.contimeout.count()) + " s.");
      return std::unexpected(ConnectFailure::kTimedOut);
    }
    milliseconds delay = std::min(backoff.next(), give_up.left() + milliseconds(1));
    report_info(retry_message(connection.error()) + "; retrying in " +
                std::to_string((delay.count() + 999) / 1000) + " s.");
    if (!sleep_unless_canceled(delay)) return std::unexpected(ConnectFailure::kCanceled);
  }
}

}  // namespace quire::backend
