// The seam between the front ends (HTTP, LPD) and IPP processing: a front end hands
// over a decoded request and, for operations that carry a document, streams the
// document into the DocumentSink it is given back.
#pragma once

#include "quire/ipp_message.hpp"

#include <cstddef>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace quire {

// Who sent a request, as the front end knows it.
struct ClientInfo {
  std::string address;          // peer address, e.g. "127.0.0.1" or "localhost" for a Unix socket
  std::string host_header;      // HTTP Host, used to build URIs in responses ("localhost:631")
  std::string resource;         // HTTP request target, e.g. "/printers/demo"
  std::string authenticated_user;  // empty when the transport proved nothing
  bool is_local = false;        // loopback or Unix socket
  int connection_id = 0;        // for log lines: [Client 7]
  // The host the job comes from as a front end knows it better than by `address`
  // (LPD's H line); it becomes job-originating-host-name. Empty: `address`.
  std::string originating_host;
  // The front end sends IppOutcome::encoded as it is (HTTP does; LPD reads `response`).
  bool takes_encoded_response = false;
};

using IppResponseHandler = std::move_only_function<void(IppMessage response)>;

// Where the document bytes of Print-Job / Send-Document go. The front end calls
// write() for each piece of the body in order, then finish() once. Destroying a sink
// before finish() completes discards everything written: no job, no file.
// Any thread may call it, but only one at a time.
class DocumentSink {
 public:
  virtual ~DocumentSink() = default;
  // Fails when the document is over the size limit or the spool cannot take it; the
  // front end then stops sending and answers with the response from error_response().
  virtual std::expected<void, std::string> write(std::span<const std::byte> bytes) = 0;
  // The response to send when write() failed (e.g. request-entity-too-large).
  virtual IppMessage error_response() = 0;
  // The body ended. The response arrives on `done` (on any thread) once the job is
  // durable, or with an error status.
  virtual void finish(IppResponseHandler done) = 0;
};

// What a client that must authenticate is told it may try (HTTP 401's WWW-Authenticate:
// Basic, and for local clients PeerCred and CUPS's Local certificates).
struct AuthChallenge {
  bool try_root_certificate = false;  // the rule wants an administrator: Local trc="y"
};

// The outcome of the first phase of a request: either a complete response, or a sink
// that the document must be streamed into before the response is known.
struct IppOutcome {
  IppMessage response;                  // set when sink is null and `encoded` is empty
  std::unique_ptr<DocumentSink> sink;   // set for an accepted document upload
  // Set when the client must authenticate and retry: HTTP front ends answer 401 with
  // it instead of the response (which says client-error-not-authorized, for others).
  std::optional<AuthChallenge> challenge;
  // The whole response already encoded, instead of `response`: only for front ends
  // whose ClientInfo::takes_encoded_response is set (Get-Printer-Attributes answers
  // from pre-encoded printer attributes without building an ipp_t).
  std::vector<std::byte> encoded;
};

using IppOutcomeHandler = std::move_only_function<void(IppOutcome outcome)>;

// Processes IPP requests. Thread-safe: front ends on any thread may call handle().
// The handler runs on any thread; callers re-post to their own executor.
class IppService {
 public:
  virtual ~IppService() = default;
  virtual void handle(IppMessage request, ClientInfo client, IppOutcomeHandler done) = 0;
};

}  // namespace quire
