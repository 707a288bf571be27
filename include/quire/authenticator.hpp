// Authenticator: turns an HTTP Authorization header into a proven user name, for the
// three schemes CUPS's clients use:
//   PeerCred NAME   on the Unix domain socket: NAME must be the peer's uid (SO_PEERCRED)
//   Local CERT      from this machine: CERT must be a LocalCertificates certificate
//   Basic B64       from anywhere: user and password checked by PAM (service "cups")
// The HTTP sessions call it once per request that carries the header.
#pragma once

#include "quire/local_certificates.hpp"

#include <sys/types.h>

#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace quire {

// What the transport knows about the client, to check a header against.
struct ConnectionFacts {
  std::string address;            // for PAM_RHOST and log lines
  bool is_local = false;          // loopback or Unix socket: Local is accepted
  std::optional<uid_t> peer_uid;  // Unix socket only: PeerCred is accepted
};

struct Identity {
  std::string user;
  std::string scheme;  // "PeerCred", "Local" or "Basic"
};

using AuthenticationDone = std::move_only_function<void(std::expected<Identity, std::string> identity)>;

// Owned by the daemon, shared with the HTTP server. Thread-safe. PeerCred and Local
// answer before authenticate() returns; Basic answers from one of two PAM threads, so a
// slow PAM never holds a network thread. Destroying it waits for PAM calls in flight.
class Authenticator {
 public:
  struct Options {
    std::string pam_service = "cups";
    std::optional<std::filesystem::path> pam_config_dir;  // instead of /etc/pam.d (tests)
  };

  Authenticator(std::shared_ptr<const LocalCertificates> certificates, Options options);
  ~Authenticator();

  // `authorization` is the header's value ("Basic dXNlcjpwdw=="). The error says why
  // the credentials were refused (never the credentials themselves).
  void authenticate(std::string_view authorization, const ConnectionFacts& connection, AuthenticationDone done) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decodes standard base64 (RFC 4648), as Basic credentials are encoded; nullopt if malformed.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace quire
