// Session: requests for the WebHandler (whole, small bodies), and the plain answers
// every route can end in: errors, 404, 405, OPTIONS.
#include "http/http_session.hpp"

#include "http/http_protocol.hpp"
#include "quire/log.hpp"

namespace quire::http {
namespace {

// The one place a Failure becomes an HTTP status.
bhttp::status status_for(Failure failure) {
  switch (failure) {
    case Failure::kHeaderTooLarge:
      return bhttp::status::request_header_fields_too_large;
    case Failure::kTooLarge:
      return bhttp::status::payload_too_large;
    case Failure::kBadRequest:
    case Failure::kClientGone:
      break;
  }
  return bhttp::status::bad_request;
}

}  // namespace

asio::awaitable<void> Session::serve_web(Exchange& ex, std::shared_ptr<const WebHandler> handler) {
  if (is_over_body_limit(ex, kMaxWebBodyBytes)) {
    Problem too_large{Failure::kTooLarge, "web request body over 1 MiB"};
    co_await answer(ex, std::move(too_large));
    co_return;
  }
  const bool proceed = co_await send_continue_if_expected(ex);
  if (!proceed) co_return;
  std::string body;
  std::optional<Problem> problem = co_await read_small_body(ex, body);
  if (problem) {
    co_await answer(ex, std::move(*problem));
    co_return;
  }
  WebRequest request{ex.method, ex.target, ex.content_type, std::move(body), client_info(ex)};
  WebResponse reply = co_await await_on_strand<WebResponse>(
      socket_.get_executor(),
      [&](std::move_only_function<void(WebResponse)> done) { (*handler)(std::move(request), std::move(done)); });
  Response response{static_cast<bhttp::status>(reply.status), ex.version};
  response.set(bhttp::field::content_type, reply.content_type);
  for (const auto& [name, value] : reply.headers) response.set(name, value);
  if (response.result() == bhttp::status::unauthorized && response.find(bhttp::field::www_authenticate) == response.end())
    response.set(bhttp::field::www_authenticate,
                 www_authenticate(reply.challenge.value_or(AuthChallenge{}).try_root_certificate, peer_.is_local,
                                  peer_.is_unix_socket));
  response.body() = std::move(reply.body);
  co_await send(ex, std::move(response));
}

asio::awaitable<std::optional<Problem>> Session::read_small_body(Exchange& ex, std::string& body) {
  std::vector<std::byte> piece(ex.parser.is_done() ? 0 : kPieceBytes);
  while (!ex.parser.is_done()) {
    BodyPiece got = co_await read_body_piece(ex, piece);
    body.append(reinterpret_cast<const char*>(piece.data()), got.bytes);
    if (got.problem) co_return got.problem;
    if (body.size() > kMaxWebBodyBytes) co_return Problem{Failure::kTooLarge, "web request body over 1 MiB"};
  }
  co_return std::nullopt;
}

// Answers a request that cannot go on, and closes the connection after it: what is
// left of the request on the wire can no longer be trusted.
asio::awaitable<void> Session::answer(Exchange& ex, Problem problem) {
  ex.keep_alive = false;
  if (problem.failure == Failure::kClientGone) {
    log::error().debug("[Client {}] Closing: {}", id_, problem.detail);
    co_return;
  }
  log::error().debug("[Client {}] {} {} refused: {}", id_, ex.method, ex.target, problem.detail);
  co_await answer_status(ex, status_for(problem.failure));
}

// A response with no more than its status: a one-line text body, and Allow where the
// status calls for it (OPTIONS, 405).
asio::awaitable<void> Session::answer_status(Exchange& ex, bhttp::status status) {
  Response response{status, ex.version};
  const bool lists_methods = ex.method == "OPTIONS" || status == bhttp::status::method_not_allowed;
  if (lists_methods) response.set(bhttp::field::allow, kAllowedMethods);
  if (status != bhttp::status::ok) {
    response.set(bhttp::field::content_type, "text/plain; charset=utf-8");
    response.body() = std::to_string(static_cast<unsigned>(status)) + " " + std::string(obsolete_reason(status)) + "\n";
  }
  co_await send(ex, std::move(response));
}

}  // namespace quire::http
