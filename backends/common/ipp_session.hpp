// One HTTP connection to a remote IPP printer, through libcups: connecting with retries,
// plain requests, and requests followed by a streamed document. Single-threaded; owned
// by the ipp backend's main. SIGTERM aborts any wait (connect, read, write).
#pragma once

#include <cups/cups.h>
#include <cups/http.h>
#include <cups/ipp.h>

#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "backoff.hpp"
#include "net_connect.hpp"

namespace quire::backend {

struct IppDeleter {
  void operator()(ipp_t* ipp) const { ippDelete(ipp); }
};
using IppPtr = std::unique_ptr<ipp_t, IppDeleter>;

struct IppTarget {
  std::string host;
  int port = 631;
  std::string resource;     // "/printers/q" (also the HTTP path)
  std::string printer_uri;  // "ipp://host:port/printers/q", without user or options
  http_encryption_t encryption = HTTP_ENCRYPTION_IF_REQUESTED;
  int version = 20;  // IPP/2.0 unless the URI says version=1.1
  std::string user;  // requesting-user-name
};

// The outcome of one request. No response and an internal-error status means the
// connection failed (libcups reports transport errors that way), not the printer.
struct IppReply {
  IppPtr response;
  ipp_status_t status = IPP_STATUS_ERROR_INTERNAL;
  std::string message;

  bool ok() const { return response && status <= IPP_STATUS_OK_CONFLICTING; }
  bool transport_failed() const { return !response && status == IPP_STATUS_ERROR_INTERNAL; }
};

class IppSession {
 public:
  explicit IppSession(IppTarget target);
  ~IppSession();
  IppSession(const IppSession&) = delete;
  IppSession& operator=(const IppSession&) = delete;

  const IppTarget& target() const { return target_; }

  // Connects, retrying with backoff until `give_up`; reports connecting-to-device.
  std::expected<void, ConnectFailure> connect(const Deadline& give_up);
  void disconnect();
  bool connected() const { return http_ != nullptr; }

  // After SIGTERM every wait normally ends at once. For the clean-up that follows (a
  // Cancel-Job for the remote job), waits and one connection attempt are bounded by
  // `limit` instead.
  void allow_cleanup_after_cancel(seconds limit);
  // Waits bounded by the clean-up deadline, or ended by SIGTERM. For libcups.
  bool should_keep_waiting() const;

  // A request with the operation attributes every request needs.
  IppPtr new_request(ipp_op_t operation) const;
  IppReply call(IppPtr request);
  // Sends `request` and then the document from `input_fd`: `length` bytes, or chunked
  // when `length` is 0. Stops early on SIGTERM (the reply then reports a transport failure).
  IppReply call_with_document(IppPtr request, int input_fd, off_t length);

 private:
  IppReply finish(ipp_t* response);

  IppTarget target_;
  http_t* http_ = nullptr;
  std::optional<Deadline> cleanup_deadline_;
};

}  // namespace quire::backend
