// LD_PRELOAD shim for the LPD tests: clients that can only dial the LPD port 515
// (Debian's rlpr, rlpq, rlprm) reach the port named by QUIRE_LPD_PORT instead. Only
// loopback connections to port 515 are redirected; everything else is untouched.
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>

namespace {

constexpr unsigned short kLpdPort = 515;

using ConnectFunction = int (*)(int, const sockaddr*, socklen_t);

unsigned short redirected_port() {
  const char* text = std::getenv("QUIRE_LPD_PORT");
  const long port = text ? std::strtol(text, nullptr, 10) : 0;
  return port > 0 && port < 65536 ? static_cast<unsigned short>(port) : 0;
}

}  // namespace

extern "C" int connect(int fd, const sockaddr* address, socklen_t length) {
  static const auto real = reinterpret_cast<ConnectFunction>(dlsym(RTLD_NEXT, "connect"));
  const unsigned short port = redirected_port();
  if (port != 0 && address && address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    sockaddr_in in;
    std::memcpy(&in, address, sizeof in);
    if (ntohs(in.sin_port) == kLpdPort && (ntohl(in.sin_addr.s_addr) >> 24) == 127) {
      in.sin_port = htons(port);
      return real(fd, reinterpret_cast<const sockaddr*>(&in), sizeof in);
    }
  }
  if (port != 0 && address && address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6;
    std::memcpy(&in6, address, sizeof in6);
    if (ntohs(in6.sin6_port) == kLpdPort && IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr)) {
      in6.sin6_port = htons(port);
      return real(fd, reinterpret_cast<const sockaddr*>(&in6), sizeof in6);
    }
  }
  return real(fd, address, length);
}
