// Connecting to a network printer the way CUPS's socket and lpd backends do: resolve,
// try every address, and while the printer refuses (busy with another job) or cannot be
// reached, report it and retry with exponential backoff until `contimeout` runs out.
#pragma once

#include <expected>
#include <functional>
#include <string>

#include "backoff.hpp"
#include "unique_fd.hpp"

namespace quire::backend {

// CUPS's default contimeout: a week.
inline constexpr seconds kDefaultConnectTimeout{7 * 24 * 60 * 60};

enum class ConnectFailure {
  kTimedOut,  // contimeout passed (or one try in a class: CLASS is set)
  kCanceled,  // SIGTERM
};

struct ConnectOptions {
  std::string host;
  int port = 0;
  seconds contimeout = kDefaultConnectTimeout;
  // Binds the socket before connecting (lpd's reserved source ports); returns false to
  // try the next address. Empty: no bind.
  std::function<bool(int fd, int family)> bind_source;
};

struct Connection {
  UniqueFd fd;       // non-blocking, SO_KEEPALIVE on
  std::string peer;  // "127.0.0.1:9100", for messages
};

// Reports STATE: +connecting-to-device while trying and -connecting-to-device once
// connected. Failure messages are already reported when it returns.
std::expected<Connection, ConnectFailure> connect_with_retry(const ConnectOptions& options);

}  // namespace quire::backend
