// The ipp/ipps backend's flow; see ipp_delivery.hpp for the state machine.
#include "ipp_delivery.hpp"

#include <cups/cups.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <string>

#include "backend_process.hpp"
#include "backend_status.hpp"
#include "device_uri.hpp"
#include "ipp_printer_info.hpp"
#include "ipp_session.hpp"
#include "ipp_status_policy.hpp"
#include "job_args.hpp"

namespace quire::backend {
namespace {

constexpr milliseconds kFirstBusyWait{1000};
constexpr milliseconds kMaxBusyWait{30000};
constexpr milliseconds kFirstPoll{500};
constexpr milliseconds kMaxPoll{10000};
constexpr seconds kCancelCleanup{20};

struct IppSettings {
  IppTarget target;
  bool wait_job = true;
  seconds contimeout = kDefaultConnectTimeout;
};

std::expected<int, std::string> read_version(const DeviceUri& uri) {
  auto v = uri.option("version");
  if (!v) return 20;
  static constexpr struct {
    const char* text;
    int value;
  } kVersions[] = {{"1.0", 10}, {"1.1", 11}, {"2.0", 20}, {"2.1", 21}, {"2.2", 22}};
  for (const auto& known : kVersions) {
    if (*v == known.text) return known.value;
  }
  return std::unexpected("Unknown IPP version \"" + *v + "\"");
}

std::expected<http_encryption_t, std::string> read_encryption(const DeviceUri& uri) {
  bool secure_scheme = uri.scheme() == "ipps" || uri.scheme() == "https";
  auto e = uri.option("encryption");
  if (!e) return secure_scheme ? HTTP_ENCRYPTION_ALWAYS : HTTP_ENCRYPTION_IF_REQUESTED;
  if (strcasecmp(e->c_str(), "always") == 0) return HTTP_ENCRYPTION_ALWAYS;
  if (strcasecmp(e->c_str(), "required") == 0) return HTTP_ENCRYPTION_REQUIRED;
  if (strcasecmp(e->c_str(), "ifrequested") == 0) return HTTP_ENCRYPTION_IF_REQUESTED;
  if (strcasecmp(e->c_str(), "never") == 0 && !secure_scheme) return HTTP_ENCRYPTION_NEVER;
  return std::unexpected("Unknown or unsafe encryption \"" + *e + "\" for " + uri.scheme());
}

std::expected<IppSettings, std::string> read_settings(const JobArgs& args) {
  auto uri = DeviceUri::parse(args.device_uri);
  if (!uri) return std::unexpected(uri.error());
  if (uri->host().empty() || uri->path().empty()) {
    return std::unexpected("Device URI " + uri->redacted() + " names no host or no printer path");
  }
  auto version = read_version(*uri);
  if (!version) return std::unexpected(version.error());
  auto encryption = read_encryption(*uri);
  if (!encryption) return std::unexpected(encryption.error());
  auto contimeout = uri->seconds_option("contimeout", kDefaultConnectTimeout.count());
  if (!contimeout) return std::unexpected(contimeout.error());
  IppSettings s;
  s.target.host = uri->host();
  s.target.port = uri->port() > 0 ? uri->port() : 631;
  s.target.resource = uri->path();
  s.target.version = *version;
  s.target.encryption = *encryption;
  std::string user = uri->username().substr(0, uri->username().find(':'));
  s.target.user = user.empty() ? args.user : user;
  char printer_uri[1024];
  httpAssembleURI(HTTP_URI_CODING_ALL, printer_uri, sizeof printer_uri,
                  uri->scheme() == "ipps" || uri->scheme() == "https" ? "ipps" : "ipp", nullptr,
                  s.target.host.c_str(), s.target.port, s.target.resource.c_str());
  s.target.printer_uri = printer_uri;
  s.wait_job = uri->bool_option("waitjob", true);
  s.contimeout = seconds(*contimeout);
  return s;
}

std::string wanted_format() {
  for (const char* name : {"FINAL_CONTENT_TYPE", "CONTENT_TYPE"}) {
    if (const char* v = std::getenv(name); v && std::strchr(v, '/')) return v;
  }
  return "";
}

int job_id_of(ipp_t* response) {
  ipp_attribute_t* a = ippFindAttribute(response, "job-id", IPP_TAG_INTEGER);
  return a ? ippGetInteger(a, 0) : 0;
}

class IppDelivery {
 public:
  IppDelivery(const JobArgs& args, const IppSettings& s, int input_fd)
      : args_(args),
        settings_(s),
        input_fd_(input_fd),
        session_(s.target),
        give_up_(Deadline::after(s.contimeout)),
        busy_backoff_(kFirstBusyWait, kMaxBusyWait) {}

  ExitCode run() {
    if (!session_.connect(give_up_)) return cancel_requested() ? ExitCode::kOk : ExitCode::kFailed;
    auto info = query_until_accepting();
    if (!info) return info.error();
    if (auto valid = validate(*info); !valid) return valid.error();
    int jobs = copies_by_attribute(*info) ? 1 : args_.copies;
    for (int i = 0; i < jobs; ++i) {
      ExitCode code = print_once(*info);
      if (code != ExitCode::kOk || cancel_requested()) return code;
    }
    return ExitCode::kOk;
  }

 private:
  bool copies_by_attribute(const PrinterInfo& info) const {
    return args_.copies <= 1 || info.max_copies >= args_.copies;
  }

  // ---- waiting on a busy printer ----------------------------------------------

  // Sleeps before the next attempt; false (with the exit code to use) when contimeout
  // has passed or SIGTERM came.
  std::expected<void, ExitCode> wait_before_retry(const std::string& why) {
    if (give_up_.expired()) {
      report_error(why + "; gave up after " + std::to_string(settings_.contimeout.count()) +
                   " s, will retry the job later.");
      return std::unexpected(ExitCode::kRetry);
    }
    milliseconds delay = std::min(busy_backoff_.next(), give_up_.left() + milliseconds(1));
    report_info(why + "; retrying in " + std::to_string((delay.count() + 999) / 1000) + " s.");
    if (!sleep_unless_canceled(delay)) return std::unexpected(ExitCode::kOk);
    return {};
  }

  // Sends a request that consumes no document data, reconnecting after transport
  // failures and waiting out temporary statuses.
  std::expected<IppReply, ExitCode> call_with_retries(ipp_op_t op,
                                                      const std::function<IppPtr()>& make) {
    for (;;) {
      IppReply reply = session_.call(make());
      if (cancel_requested()) return std::unexpected(ExitCode::kOk);
      if (reply.ok()) return reply;
      std::string why;
      if (reply.transport_failed()) {
        why = std::string("Lost the connection to the printer during ") + ippOpString(op);
        session_.disconnect();
      } else if (is_temporary_ipp_status(reply.status)) {
        why = std::string("The printer is busy (") + ippErrorString(reply.status) + ")";
      } else {
        return std::unexpected(
            exit_code_for_ipp_status(reply.status, ippOpString(op), reply.message));
      }
      if (auto waited = wait_before_retry(why); !waited) return std::unexpected(waited.error());
      if (!session_.connected() && !session_.connect(give_up_)) {
        return std::unexpected(cancel_requested() ? ExitCode::kOk : ExitCode::kFailed);
      }
    }
  }

  std::expected<PrinterInfo, ExitCode> query_until_accepting() {
    for (;;) {
      auto reply = call_with_retries(IPP_OP_GET_PRINTER_ATTRIBUTES, [this] {
        IppPtr request = session_.new_request(IPP_OP_GET_PRINTER_ATTRIBUTES);
        ippAddStrings(request.get(), IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                      kPrinterAttributeCount, nullptr, kPrinterAttributes);
        return request;
      });
      if (!reply) return std::unexpected(reply.error());
      remote_reasons_.update(reply->response.get());
      PrinterInfo info = read_printer_info(reply->response.get(), wanted_format());
      if (info.accepting) return info;
      std::string why = "The printer is not accepting jobs";
      if (!info.state_message.empty()) why += " (" + info.state_message + ")";
      if (auto waited = wait_before_retry(why); !waited) return std::unexpected(waited.error());
    }
  }

  // ---- creating the job ----------------------------------------------------------

  // IPP wants the operation group before the job group: call in this order.
  void add_job_name(ipp_t* request) const {
    ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", nullptr,
                 args_.title.c_str());
  }

  void add_document_format(ipp_t* request, const PrinterInfo& info) const {
    if (info.document_format.empty()) return;
    ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", nullptr,
                 info.document_format.c_str());
  }

  void add_job_template(ipp_t* request, const PrinterInfo& info) const {
    if (args_.copies > 1 && copies_by_attribute(info)) {
      ippAddInteger(request, IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", args_.copies);
    }
  }

  std::expected<void, ExitCode> validate(const PrinterInfo& info) {
    if (!info.validate_job) return {};
    auto reply = call_with_retries(IPP_OP_VALIDATE_JOB, [&] {
      IppPtr request = session_.new_request(IPP_OP_VALIDATE_JOB);
      add_job_name(request.get());
      add_document_format(request.get(), info);
      add_job_template(request.get(), info);
      return request;
    });
    if (!reply) return std::unexpected(reply.error());
    return {};
  }

  off_t input_length() const {
    struct stat st {};
    if (args_.file && ::fstat(input_fd_, &st) == 0 && S_ISREG(st.st_mode)) return st.st_size;
    return 0;  // chunked
  }

  ExitCode print_once(const PrinterInfo& info) {
    if (args_.file) ::lseek(input_fd_, 0, SEEK_SET);
    auto job_id = info.create_job ? create_and_send(info) : print_job(info);
    if (!job_id) return job_id.error();
    report_info("Print job accepted - remote job ID " + std::to_string(*job_id) + ".");
    if (args_.file) report_page(1, 1);
    if (!settings_.wait_job || *job_id == 0 || !info.get_job_attributes) return ExitCode::kOk;
    return follow(*job_id);
  }

  std::expected<int, ExitCode> create_and_send(const PrinterInfo& info) {
    auto created = call_with_retries(IPP_OP_CREATE_JOB, [&] {
      IppPtr request = session_.new_request(IPP_OP_CREATE_JOB);
      add_job_name(request.get());
      add_job_template(request.get(), info);
      return request;
    });
    if (!created) return std::unexpected(created.error());
    int job_id = job_id_of(created->response.get());
    report_debug("Create-Job: remote job " + std::to_string(job_id));
    IppPtr request = session_.new_request(IPP_OP_SEND_DOCUMENT);
    ippAddInteger(request.get(), IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
    ippAddString(request.get(), IPP_TAG_OPERATION, IPP_TAG_NAME, "document-name", nullptr,
                 args_.title.c_str());
    add_document_format(request.get(), info);
    ippAddBoolean(request.get(), IPP_TAG_OPERATION, "last-document", 1);
    IppReply sent = session_.call_with_document(std::move(request), input_fd_, input_length());
    if (sent.ok()) return job_id;
    ExitCode code = document_failure(sent, "Send-Document");
    cancel_remote_job(job_id);  // half a job must not print
    return std::unexpected(code);
  }

  std::expected<int, ExitCode> print_job(const PrinterInfo& info) {
    for (;;) {
      IppPtr request = session_.new_request(IPP_OP_PRINT_JOB);
      add_job_name(request.get());
      add_document_format(request.get(), info);
      add_job_template(request.get(), info);
      IppReply reply = session_.call_with_document(std::move(request), input_fd_, input_length());
      if (reply.ok()) return job_id_of(reply.response.get());
      bool can_resend = args_.file && !cancel_requested() &&
                        (reply.transport_failed() || is_temporary_ipp_status(reply.status));
      if (!can_resend) return std::unexpected(document_failure(reply, "Print-Job"));
      if (auto waited =
              wait_before_retry(std::string("Print-Job: ") + ippErrorString(reply.status));
          !waited) {
        return std::unexpected(waited.error());
      }
      if (!session_.connected() && !session_.connect(give_up_)) {
        return std::unexpected(cancel_requested() ? ExitCode::kOk : ExitCode::kFailed);
      }
      ::lseek(input_fd_, 0, SEEK_SET);
    }
  }

  // A failure after document data was consumed: it cannot be resent from here.
  ExitCode document_failure(const IppReply& reply, const char* operation) {
    if (cancel_requested()) return ExitCode::kOk;
    if (reply.transport_failed()) {
      report_error(std::string("Lost the connection to the printer during ") + operation +
                   "; will retry the job later.");
      return ExitCode::kRetry;
    }
    return exit_code_for_ipp_status(reply.status, operation, reply.message);
  }

  // ---- following the job -----------------------------------------------------------

  std::optional<ipp_jstate_t> poll_job_state(int job_id) {
    IppPtr request = session_.new_request(IPP_OP_GET_JOB_ATTRIBUTES);
    ippAddInteger(request.get(), IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
    static const char* const kJobAttributes[] = {"job-state", "job-state-reasons"};
    ippAddStrings(request.get(), IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 2,
                  nullptr, kJobAttributes);
    IppReply reply = session_.call(std::move(request));
    if (reply.transport_failed()) {
      session_.disconnect();
      return std::nullopt;
    }
    if (reply.status == IPP_STATUS_ERROR_NOT_FOUND) return IPP_JSTATE_COMPLETED;  // purged
    ipp_attribute_t* state = ippFindAttribute(reply.response.get(), "job-state", IPP_TAG_ENUM);
    if (!reply.ok() || !state) return std::nullopt;
    return static_cast<ipp_jstate_t>(ippGetInteger(state, 0));
  }

  void update_printer_reasons() {
    IppPtr request = session_.new_request(IPP_OP_GET_PRINTER_ATTRIBUTES);
    ippAddString(request.get(), IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", nullptr,
                 "printer-state-reasons");
    IppReply reply = session_.call(std::move(request));
    if (reply.ok()) remote_reasons_.update(reply.response.get());
  }

  ExitCode follow(int job_id) {
    Backoff poll(kFirstPoll, kMaxPoll);
    ipp_jstate_t last = IPP_JSTATE_PENDING;
    for (;;) {
      if (!sleep_unless_canceled(poll.next())) return cancel_remote_job(job_id);
      if (!session_.connected() && !session_.connect(Deadline::after(settings_.contimeout))) {
        if (cancel_requested()) return cancel_remote_job(job_id);
        report_warning(
            "Lost contact with the printer; the job was delivered, not following it further.");
        return ExitCode::kOk;
      }
      update_printer_reasons();
      auto state = poll_job_state(job_id);
      if (!state) continue;
      if (*state != last)
        report_debug(std::string("Remote job state: ") + ippEnumString("job-state", *state));
      last = *state;
      if (*state >= IPP_JSTATE_CANCELED) return finished(job_id, *state);
    }
  }

  ExitCode finished(int job_id, ipp_jstate_t state) {
    remote_reasons_.clear();
    std::string job = "Remote job " + std::to_string(job_id);
    switch (state) {
      case IPP_JSTATE_COMPLETED:
        report_info(job + " completed.");
        return ExitCode::kOk;
      case IPP_JSTATE_CANCELED:
        report_error("Print job canceled at printer (" + job + ").");
        return ExitCode::kCancel;
      default:
        report_error("Print job aborted at printer (" + job + ").");
        return ExitCode::kFailed;
    }
  }

  ExitCode cancel_remote_job(int job_id) {
    if (job_id == 0) return ExitCode::kOk;
    session_.allow_cleanup_after_cancel(kCancelCleanup);
    if (!session_.connected() && !session_.connect(Deadline::after(kCancelCleanup))) {
      report_error("Unable to cancel print job " + std::to_string(job_id) + ": no connection.");
      return ExitCode::kOk;
    }
    IppPtr request = session_.new_request(IPP_OP_CANCEL_JOB);
    ippAddInteger(request.get(), IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
    IppReply reply = session_.call(std::move(request));
    if (reply.ok()) {
      report_info("Canceled remote job " + std::to_string(job_id) + ".");
    } else {
      report_error("Unable to cancel print job " + std::to_string(job_id) + ": " +
                   ippErrorString(reply.status));
    }
    return ExitCode::kOk;
  }

  const JobArgs& args_;
  const IppSettings& settings_;
  int input_fd_;
  IppSession session_;
  Deadline give_up_;
  Backoff busy_backoff_;
  RemoteReasons remote_reasons_;
};

}  // namespace

int run_ipp_backend(int argc, char** argv) {
  start_backend();
  if (is_discovery(argc)) {
    const char* self = std::strrchr(argv[0], '/');
    std::string scheme = self ? self + 1 : argv[0];
    report_device("network", scheme, "Unknown", "Internet Printing Protocol (" + scheme + ")", "",
                  "");
    return to_int(ExitCode::kOk);
  }
  auto args = parse_job_args(argc, argv, /*resolve_dnssd=*/true);
  if (!args) {
    report_error(args.error());
    return to_int(ExitCode::kFailed);
  }
  auto settings = read_settings(*args);
  if (!settings) {  // a misconfigured queue: retrying cannot help
    report_error(settings.error());
    return to_int(ExitCode::kStop);
  }
  auto input = open_print_data(*args);
  if (!input) {
    report_error(input.error());
    return to_int(ExitCode::kFailed);
  }
  return to_int(IppDelivery(*args, *settings, input->get()).run());
}

}  // namespace quire::backend
