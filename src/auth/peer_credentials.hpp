// Who is on the other end of a Unix domain socket, as the kernel says (SO_PEERCRED at
// connect time): no password, nothing the client can forge.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace quire::auth {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;  // the uid's login name; empty when it has no passwd entry
};

// nullopt when `fd` is not a connected Unix domain socket.
std::optional<PeerCredentials> read_peer_credentials(int fd);

}  // namespace quire::auth
