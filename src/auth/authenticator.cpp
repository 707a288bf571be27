// Authorization header schemes: PeerCred, Local and Basic (over PAM).
#include "quire/authenticator.hpp"

#include "auth/pam_password.hpp"
#include "auth/user_groups.hpp"
#include "config/conf_lines.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace quire {
namespace {

constexpr std::size_t kPamThreads = 2;

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    const int v = base64_value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  if (count >= 6) return std::nullopt;  // a lone trailing character
  return out;
}

struct Authenticator::Impl {
  std::shared_ptr<const LocalCertificates> certificates;
  auth::PamOptions pam;
  mutable boost::asio::thread_pool pam_threads{kPamThreads};

  std::expected<Identity, std::string> peer_credential(std::string_view name, const ConnectionFacts& c) const;
  std::expected<Identity, std::string> local_certificate(std::string_view certificate, const ConnectionFacts& c) const;
  void basic(std::string_view encoded, const ConnectionFacts& c, AuthenticationDone done) const;
};

std::expected<Identity, std::string> Authenticator::Impl::peer_credential(std::string_view name,
                                                                          const ConnectionFacts& c) const {
  if (!c.peer_uid) return std::unexpected("PeerCred is only accepted on the domain socket");
  auto uid = auth::user_id(name);
  if (!uid) return std::unexpected("PeerCred: no user \"" + std::string(name) + "\"");
  if (*uid != *c.peer_uid)
    return std::unexpected("PeerCred: \"" + std::string(name) + "\" is not the peer's uid " + std::to_string(*c.peer_uid));
  return Identity{std::string(name), "PeerCred"};
}

std::expected<Identity, std::string> Authenticator::Impl::local_certificate(std::string_view certificate,
                                                                            const ConnectionFacts& c) const {
  if (!c.is_local) return std::unexpected("Local certificate from a remote address");
  auto user = certificates ? certificates->user_for(certificate) : std::nullopt;
  if (!user) return std::unexpected("Local certificate not found");
  return Identity{*user, "Local"};
}

void Authenticator::Impl::basic(std::string_view encoded, const ConnectionFacts& c, AuthenticationDone done) const {
  auto decoded = decode_base64(encoded);
  const auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos || colon == 0) return done(std::unexpected("malformed Basic credentials"));
  boost::asio::post(pam_threads, [this, user = decoded->substr(0, colon), password = decoded->substr(colon + 1),
                                  host = c.address, done = std::move(done)]() mutable {
    auto checked = auth::check_password(pam, user, password, host);
    if (!checked) return done(std::unexpected("Basic: PAM refused \"" + user + "\": " + checked.error()));
    done(Identity{user, "Basic"});
  });
}

Authenticator::Authenticator(std::shared_ptr<const LocalCertificates> certificates, Options options)
    : impl_(std::make_unique<Impl>()) {
  impl_->certificates = std::move(certificates);
  impl_->pam = auth::PamOptions{std::move(options.pam_service), std::move(options.pam_config_dir)};
}

Authenticator::~Authenticator() { impl_->pam_threads.join(); }

void Authenticator::authenticate(std::string_view authorization, const ConnectionFacts& connection,
                                 AuthenticationDone done) const {
  const auto space = authorization.find(' ');
  const std::string_view scheme = authorization.substr(0, space);
  std::string_view value = space == std::string_view::npos ? std::string_view() : authorization.substr(space + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (conf::equals_ignoring_case(scheme, "PeerCred")) return done(impl_->peer_credential(value, connection));
  if (conf::equals_ignoring_case(scheme, "Local")) return done(impl_->local_certificate(value, connection));
  if (conf::equals_ignoring_case(scheme, "Basic")) return impl_->basic(value, connection, std::move(done));
  done(std::unexpected("unsupported authentication scheme \"" + std::string(scheme) + "\""));
}

}  // namespace quire
