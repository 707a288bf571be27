// libcups-based IPP session: connect with backoff, requests, streamed documents.
#include "ipp_session.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "backend_process.hpp"
#include "backend_status.hpp"
#include "side_channel.hpp"

namespace quire::backend {
namespace {

constexpr int kConnectAttemptMs = 30000;
constexpr double kWaitCheckSeconds = 1.0;
constexpr milliseconds kFirstRetry{1000};
constexpr milliseconds kMaxRetry{30000};

// libcups calls this after each second without data.
int keep_waiting(http_t*, void* session) {
  return static_cast<const IppSession*>(session)->should_keep_waiting() ? 1 : 0;
}

// CUPS gives a backend the job's credentials in AUTH_USERNAME/AUTH_PASSWORD. Offer the
// password once; a second prompt means it was refused.
const char* password_from_environment(const char*, http_t*, const char*, const char*, void* data) {
  int& tries = *static_cast<int*>(data);
  const char* password = std::getenv("AUTH_PASSWORD");
  if (!password || tries++ > 0) return nullptr;
  return password;
}

int g_password_tries = 0;

}  // namespace

IppSession::IppSession(IppTarget target) : target_(std::move(target)) {
  if (const char* user = std::getenv("AUTH_USERNAME"); user && *user) {
    cupsSetUser(user);
  } else {
    cupsSetUser(target_.user.c_str());
  }
  cupsSetPasswordCB2(password_from_environment, &g_password_tries);
}

IppSession::~IppSession() { disconnect(); }

void IppSession::disconnect() {
  if (http_) httpClose(http_);
  http_ = nullptr;
}

void IppSession::allow_cleanup_after_cancel(seconds limit) {
  cleanup_deadline_ = Deadline::after(limit);
}

bool IppSession::should_keep_waiting() const {
  if (cleanup_deadline_) return !cleanup_deadline_->expired();
  return !cancel_requested();
}

std::expected<void, ConnectFailure> IppSession::connect(const Deadline& give_up) {
  if (cleanup_deadline_) {  // one bounded attempt, not interrupted by the SIGTERM we had
    int ms = cleanup_deadline_->poll_timeout(milliseconds(kConnectAttemptMs));
    http_ = httpConnect2(target_.host.c_str(), target_.port, nullptr, AF_UNSPEC, target_.encryption,
                         1, ms, nullptr);
    if (!http_) return std::unexpected(ConnectFailure::kCanceled);
    httpSetTimeout(http_, kWaitCheckSeconds, keep_waiting, this);
    return {};
  }
  report_state("+connecting-to-device");
  report_info("Connecting to printer.");
  Backoff backoff(kFirstRetry, kMaxRetry);
  for (;;) {
    http_ = httpConnect2(target_.host.c_str(), target_.port, nullptr, AF_UNSPEC, target_.encryption,
                         1, kConnectAttemptMs, cancel_flag());
    if (http_) break;
    int err = errno;
    if (cancel_requested()) return std::unexpected(ConnectFailure::kCanceled);
    if (give_up.expired() || std::getenv("CLASS")) {
      report_error("The printer is not responding (" + std::string(std::strerror(err)) + ").");
      return std::unexpected(ConnectFailure::kTimedOut);
    }
    milliseconds delay = std::min(backoff.next(), give_up.left() + milliseconds(1));
    report_info("Unable to connect to printer (" + std::string(std::strerror(err)) +
                "); retrying in " + std::to_string((delay.count() + 999) / 1000) + " s.");
    if (!sleep_unless_canceled(delay)) return std::unexpected(ConnectFailure::kCanceled);
  }
  httpSetTimeout(http_, kWaitCheckSeconds, keep_waiting, this);
  report_state("-connecting-to-device");
  report_info("Connected to printer.");
  report_debug("Connected to " + target_.host + ":" + std::to_string(target_.port));
  return {};
}

IppPtr IppSession::new_request(ipp_op_t operation) const {
  ipp_t* request = ippNewRequest(operation);
  ippSetVersion(request, target_.version / 10, target_.version % 10);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr,
               target_.printer_uri.c_str());
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr,
               target_.user.c_str());
  return IppPtr(request);
}

IppReply IppSession::finish(ipp_t* response) {
  IppReply reply{IppPtr(response), cupsLastError(),
                 cupsLastErrorString() ? cupsLastErrorString() : ""};
  if (response) reply.status = ippGetStatusCode(response);
  return reply;
}

IppReply IppSession::call(IppPtr request) {
  if (!http_) return IppReply{};
  return finish(cupsDoRequest(http_, request.release(), target_.resource.c_str()));
}

namespace {

// Copies the document into the request body; false when reading failed or SIGTERM.
bool stream_document(http_t* http, int input_fd, http_status_t& status) {
  char buffer[65536];
  while (status == HTTP_STATUS_CONTINUE) {
    pollfd fds[3] = {
        {input_fd, POLLIN, 0}, {cancel_fd(), POLLIN, 0}, {side_channel_fd(), POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0 && errno != EINTR) return false;
    if (cancel_requested()) return false;
    if ((fds[2].revents & (POLLIN | POLLHUP | POLLERR)) &&
        serve_side_channel() == SideRequest::kDrain) {
      answer_drain();  // everything read so far is in the request body
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t n = ::read(input_fd, buffer, sizeof buffer);
    if (n == 0) return true;
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      report_errno("Unable to read print data", errno);
      return false;
    }
    status = cupsWriteRequestData(http, buffer, static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

IppReply IppSession::call_with_document(IppPtr request, int input_fd, off_t length) {
  if (!http_) return IppReply{};
  const char* resource = target_.resource.c_str();
  // The HTTP length covers the IPP message and the document; 0 means chunked.
  std::size_t body = length > 0 ? ippLength(request.get()) + static_cast<std::size_t>(length) : 0;
  http_status_t status = cupsSendRequest(http_, request.get(), resource, body);
  if (status == HTTP_STATUS_CONTINUE && !stream_document(http_, input_fd, status)) {
    disconnect();  // abandons the half-sent request; the server drops it
    return IppReply{};
  }
  if (status != HTTP_STATUS_CONTINUE && status != HTTP_STATUS_OK) {
    report_debug(std::string("HTTP status while sending the document: ") + httpStatus(status));
  }
  return finish(cupsGetResponse(http_, resource));
}

}  // namespace quire::backend
