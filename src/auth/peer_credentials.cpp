// SO_PEERCRED on a connected Unix domain socket.
#include "auth/peer_credentials.hpp"

#include "auth/user_groups.hpp"

#include <sys/socket.h>

namespace quire::auth {

std::optional<PeerCredentials> read_peer_credentials(int fd) {
  ucred credentials{};
  socklen_t size = sizeof credentials;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0 || size != sizeof credentials)
    return std::nullopt;
  PeerCredentials peer{credentials.pid, credentials.uid, credentials.gid, {}};
  peer.user = user_name(credentials.uid).value_or("");
  return peer;
}

}  // namespace quire::auth
