// Session: who sent a request (the Unix socket peer, or a verified Authorization
// header) and whether cupsd.conf's <Location> rules let them reach its resource. Both
// run after the request head and before its body, so a refused client never uploads.
#include "http/http_session.hpp"

#include "http/http_protocol.hpp"
#include "quire/log.hpp"

namespace quire::http {

// A header that fails verification leaves the request unauthenticated (as in CUPS): the
// access rules then decide whether that is enough.
asio::awaitable<void> Session::authenticate(Exchange& ex) {
  if (peer_.credentials && !peer_.credentials->user.empty()) ex.user = peer_.credentials->user;
  std::shared_ptr<const Authenticator> authenticator = context_->authenticator();
  if (ex.authorization.empty() || !authenticator) co_return;
  if (ex.authorization == proven_authorization_) {
    ex.user = proven_user_;
    co_return;
  }
  ConnectionFacts facts{peer_.address, peer_.is_local, std::nullopt};
  if (peer_.credentials) facts.peer_uid = peer_.credentials->uid;
  auto identity = co_await await_on_strand<std::expected<Identity, std::string>>(
      socket_.get_executor(),
      [&](AuthenticationDone done) { authenticator->authenticate(ex.authorization, facts, std::move(done)); });
  if (!identity) {
    log::error().warn("[Client {}] Authentication failed from {}: {}", id_, peer_.address, identity.error());
    co_return;
  }
  log::error().debug("[Client {}] Authenticated as \"{}\" using {}", id_, identity->user, identity->scheme);
  ex.user = identity->user;
  proven_authorization_ = ex.authorization;
  proven_user_ = identity->user;
}

// False when the request was answered here: 400 for a Host that does not name this
// server (remote clients), 401 or 403 from the <Location> rules.
asio::awaitable<bool> Session::is_allowed(Exchange& ex) {
  std::shared_ptr<const AccessControl> access = context_->access_control();
  if (!access) co_return true;
  const ClientInfo client = client_info(ex);
  if (!access->accepts_host(ex.host, client)) {
    Problem bad_host{Failure::kBadRequest, "Host \"" + ex.host + "\" is not a name of this server"};
    co_await answer(ex, std::move(bad_host));
    co_return false;
  }
  const AccessVerdict verdict = access->authorize_resource(ex.target, ex.method, client);
  if (verdict.allowed()) co_return true;
  log::error().debug("[Client {}] {} {} refused: {}", id_, ex.method, ex.target, verdict.reason);
  if (verdict.decision == AccessDecision::kNeedAuthentication) co_await answer_unauthorized(ex, verdict.challenge);
  else co_await answer_status(ex, bhttp::status::forbidden);
  co_return false;
}

asio::awaitable<void> Session::answer_unauthorized(Exchange& ex, const AuthChallenge& challenge) {
  Response response{bhttp::status::unauthorized, ex.version};
  response.set(bhttp::field::www_authenticate,
               www_authenticate(challenge.try_root_certificate, peer_.is_local, peer_.is_unix_socket));
  response.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  response.body() = "401 Unauthorized\n";
  co_await send(ex, std::move(response));
}

}  // namespace quire::http
