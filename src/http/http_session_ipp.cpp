// Session: IPP requests. The attribute section is read until the framing scanner says
// it is whole, decoded and handed to the IppService; then either the rest of the body is
// drained and the response sent, or the document streams piece by piece into the sink
// the service gave back, and the sink's response is sent once it is durable.
#include "http/http_session.hpp"

#include "http/http_protocol.hpp"
#include "ipp/ipp_framing.hpp"
#include "quire/log.hpp"

namespace quire::http {

asio::awaitable<void> Session::serve_ipp(Exchange& ex) {
  if (is_over_body_limit(ex, context_->limits().max_body_bytes)) {
    Problem too_large{Failure::kTooLarge, "Content-Length over the body limit"};
    co_await answer(ex, std::move(too_large));
    co_return;
  }
  const bool proceed = co_await send_continue_if_expected(ex);
  if (!proceed) co_return;
  std::vector<std::byte> bytes;  // the IPP message, then whatever document bytes came with it
  std::size_t end = 0;
  std::optional<Problem> problem = co_await read_ipp_message(ex, bytes, end);
  if (problem) {
    co_await answer(ex, std::move(*problem));
    co_return;
  }
  auto request = IppMessage::decode(std::span(bytes).first(end));
  if (!request) {
    Problem malformed{Failure::kBadRequest, request.error()};
    co_await answer(ex, std::move(malformed));
    co_return;
  }
  ex.operation_code = request->operation();
  ex.operation = ippOpString(request->operation());
  log::error().debug("[Client {}] {} {}", id_, ex.operation, ex.target);
  IppService& service = context_->ipp();
  IppOutcome outcome = co_await await_on_strand<IppOutcome>(socket_.get_executor(), [&](IppOutcomeHandler done) {
    service.handle(std::move(*request), client_info(ex), std::move(done));
  });
  if (outcome.challenge) {
    const bool still_there = co_await discard_body(ex);
    if (still_there) co_await answer_unauthorized(ex, *outcome.challenge);
    co_return;
  }
  if (outcome.sink) {
    co_await stream_document(ex, std::move(outcome.sink), std::span<const std::byte>(bytes).subspan(end));
    co_return;
  }
  const bool client_present = co_await discard_body(ex);
  if (!client_present) co_return;
  if (!outcome.encoded.empty()) co_await send_encoded_ipp(ex, outcome.encoded, IPP_STATUS_OK);
  else co_await send_ipp(ex, std::move(outcome.response));
}

// Fills `bytes` with body pieces until they hold the whole IPP message; `end` is where
// it stops. Bytes past `end` are the start of the document.
asio::awaitable<std::optional<Problem>> Session::read_ipp_message(Exchange& ex, std::vector<std::byte>& bytes,
                                                                  std::size_t& end) {
  const std::size_t limit = context_->limits().max_ipp_attributes_bytes;
  IppMessageScanner scanner;
  // Not zero-filled: a request is mostly a few hundred bytes, and clearing 64 KiB each
  // time cost more than decoding it.
  auto piece = std::make_unique_for_overwrite<std::byte[]>(kPieceBytes);  // appending only what arrived keeps tiny chunks linear
  for (;;) {
    IppScanResult scan = scanner.scan(bytes);
    if (scan.status == IppScanStatus::kMalformed) co_return Problem{Failure::kBadRequest, scan.reason};
    if (scan.status == IppScanStatus::kComplete && scan.end <= limit) {
      end = scan.end;
      co_return std::nullopt;
    }
    if (bytes.size() > limit || scan.end > limit) co_return Problem{Failure::kTooLarge, "IPP attributes over the limit"};
    if (ex.parser.is_done()) co_return Problem{Failure::kBadRequest, "body ended inside the IPP attributes"};
    BodyPiece got = co_await read_body_piece(ex, std::span(piece.get(), kPieceBytes));
    bytes.insert(bytes.end(), piece.get(), piece.get() + got.bytes);
    if (got.problem) co_return got.problem;
  }
}

// Writes the document to the sink as it arrives, one piece at a time. A sink that
// refuses a piece ends the request with its error response and the connection with it;
// a client that goes away takes the sink (and so the job) with it.
asio::awaitable<void> Session::stream_document(Exchange& ex, std::unique_ptr<DocumentSink> sink,
                                               std::span<const std::byte> buffered) {
  std::vector<std::byte> piece(ex.parser.is_done() ? 0 : kPieceBytes);
  std::span<const std::byte> next = buffered;
  for (;;) {
    auto written = next.empty() ? std::expected<void, std::string>() : sink->write(next);
    if (!written) {
      log::error().debug("[Client {}] Document refused: {}", id_, written.error());
      IppMessage refusal = sink->error_response();
      sink.reset();
      ex.keep_alive = false;
      co_await send_ipp(ex, std::move(refusal));
      co_return;
    }
    if (ex.parser.is_done()) break;
    BodyPiece got = co_await read_body_piece(ex, piece);
    if (got.problem) {
      sink.reset();
      co_await answer(ex, std::move(*got.problem));
      co_return;
    }
    next = std::span<const std::byte>(piece).first(got.bytes);
  }
  DocumentSink* finishing = sink.get();  // owned by this frame until the response arrives
  IppMessage response = co_await await_on_strand<IppMessage>(
      socket_.get_executor(), [finishing](IppResponseHandler done) { finishing->finish(std::move(done)); });
  sink.reset();
  co_await send_ipp(ex, std::move(response));
}

asio::awaitable<void> Session::send_ipp(Exchange& ex, IppMessage message) {
  if (!message) {
    log::error().error("[Client {}] {} {}: the IPP service gave no response", id_, ex.operation, ex.target);
    co_await answer_status(ex, bhttp::status::internal_server_error);
    co_return;
  }
  co_await send_encoded_ipp(ex, message.encode(), message.status());
}

asio::awaitable<void> Session::send_encoded_ipp(Exchange& ex, const std::vector<std::byte>& encoded,
                                                ipp_status_t status) {
  ex.ipp_status_code = status;
  ex.ipp_status = ippErrorString(status);
  Response response{bhttp::status::ok, ex.version};
  response.set(bhttp::field::content_type, kIppMediaType);
  response.body().assign(reinterpret_cast<const char*>(encoded.data()), encoded.size());
  co_await send(ex, std::move(response));
}

ClientInfo Session::client_info(const Exchange& ex) const {
  // libcups names a domain socket "localhost:0"; a URI with port 0 is one it then
  // refuses ("Bad URI"). cupsd leaves such a port out of its URIs; so do we.
  std::string_view host = ex.host;
  if (peer_.is_unix_socket && host.ends_with(":0")) host.remove_suffix(2);
  return ClientInfo{.address = peer_.address,
                    .host_header = std::string(host),
                    .resource = ex.target,
                    .authenticated_user = ex.user,
                    .is_local = peer_.is_local,
                    .connection_id = id_,
                    .takes_encoded_response = true};
}

}  // namespace quire::http
