// Queue administration handlers: CUPS-Add-Modify-Printer, CUPS-Delete-Printer,
// CUPS-Set-Default, CUPS-Accept-Jobs, CUPS-Reject-Jobs, Pause-Printer,
// Resume-Printer, Cancel-Jobs, Cancel-My-Jobs and Purge-Jobs.
#include "ipp/everywhere.hpp"
#include "ipp/operation.hpp"

#include "quire/drivers.hpp"
#include "quire/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cups/cups.h>

#include <strings.h>
#include <unistd.h>

#include <algorithm>

namespace quire {
namespace {

// What a raw queue (and a new printer with no driver) accepts: anything, passed on as is.
const std::vector<std::string> kRawFormats = {"application/octet-stream", "application/pdf", "application/postscript",
                                              "application/vnd.cups-raw", "image/jpeg", "image/png",
                                              "image/pwg-raster", "image/urf", "text/plain"};


// A device URI an admin may set: a scheme we have a backend for, or a device path.
// Files other than /dev/null only where the configuration allows it (FileDevice).
std::optional<std::string> check_device_uri(const Operation& op, const std::string& uri) {
  bool is_path = !uri.empty() && uri[0] == '/';
  bool is_file = is_path || uri.rfind("file:", 0) == 0;
  if (is_file) {
    std::string path = is_path ? uri : uri.substr(uri.rfind("file://", 0) == 0 ? 7 : 5);
    if (path != "/dev/null" && !op.scheduler.options().server.file_device)
      return "File device URIs have been disabled (FileDevice No)";
    return std::nullopt;
  }
  auto colon = uri.find(':');
  if (colon == std::string::npos || colon == 0) return "Bad device-uri \"" + uri + "\"";
  if (op.scheduler.find_backend_path(uri.substr(0, colon)).empty())
    return "No backend for device-uri scheme \"" + uri.substr(0, colon) + "\"";
  return std::nullopt;
}

bool is_ipp_uri(std::string_view uri) { return uri.starts_with("ipp://") || uri.starts_with("ipps://"); }

bool wants_everywhere(const IppMessage& rq) {
  return rq.find_string("ppd-name", IPP_TAG_PRINTER).value_or(rq.find_string("ppd-name", IPP_TAG_OPERATION).value_or("")) ==
         "everywhere";
}

// User lists are kept sorted, case-insensitively, as cupsd keeps them (lpstat -l shows them so).
std::vector<std::string> sorted_names(ipp_attribute_t* attr) {
  auto names = attribute_strings(attr);
  std::ranges::sort(names, [](const std::string& a, const std::string& b) { return strcasecmp(a.c_str(), b.c_str()) < 0; });
  return names;
}

bool is_error_policy(std::string_view v) {
  return v == "abort-job" || v == "retry-current-job" || v == "retry-job" || v == "stop-printer";
}

// Makes `driver` the queue's: what it accepts follows from the routes the filter chain
// has to the printer's language. An explicit printer-make-and-model wins over the driver's.
std::optional<std::string> use_driver(const Operation& op, PrinterConfig& config, const DriverInfo& driver) {
  auto& d = config.description;
  bool model_given = op.request.find("printer-make-and-model", IPP_TAG_PRINTER) != nullptr;
  if (driver.is_raw()) {
    config.driver.clear();
    d.document_formats = kRawFormats;
    if (!model_given) d.make_and_model = "Local Raw Printer";
    return std::nullopt;
  }
  const auto& catalog = op.scheduler.options().filters;
  if (!catalog) return "This server runs without filters: only raw queues (-m raw) can be added";
  config.driver = driver.id;
  d.document_formats = driver_capabilities(driver, *catalog, d.color, d.duplex).document_formats;
  if (!model_given) d.make_and_model = driver.make_and_model;
  // A PPD's default page size is the queue's media-default (clients mark it from that).
  if (!driver.media_default.empty() && !op.request.find("media-default", IPP_TAG_PRINTER)) d.media_default = driver.media_default;
  return std::nullopt;
}

// Applies the printer-group attributes of a CUPS-Add-Modify-Printer request to `config`.
std::optional<std::string> apply_printer_attributes(const Operation& op, PrinterConfig& config) {
  const IppMessage& rq = op.request;
  auto& d = config.description;
  if (auto uri = rq.find_string("device-uri", IPP_TAG_PRINTER)) {
    if (auto problem = check_device_uri(op, *uri)) return problem;
    d.device_uri = *uri;
  }
  if (auto v = rq.find_string("printer-info", IPP_TAG_PRINTER)) d.info = *v;
  if (auto v = rq.find_string("printer-location", IPP_TAG_PRINTER)) d.location = *v;
  if (auto v = rq.find_string("printer-make-and-model", IPP_TAG_PRINTER)) d.make_and_model = *v;
  if (auto v = rq.find_string("media-default", IPP_TAG_PRINTER)) d.media_default = *v;
  if (ipp_attribute_t* a = rq.find("job-priority-default", IPP_TAG_PRINTER)) {
    int value = ippGetValueTag(a) == IPP_TAG_INTEGER ? ippGetInteger(a, 0) : std::atoi(ippGetString(a, 0, nullptr));
    if (value < 1 || value > 100) return "job-priority-default must be 1 to 100";
    d.job_priority_default = value;
  }
  // lpadmin -u allow:alice,@staff / deny:bob; "all" and "none" as CUPS spells them.
  if (ipp_attribute_t* a = rq.find("requesting-user-name-allowed", IPP_TAG_PRINTER)) {
    config.users_allowed = sorted_names(a);
    config.users_denied.clear();
    if (config.users_allowed == std::vector<std::string>{"all"}) config.users_allowed.clear();
  }
  if (ipp_attribute_t* a = rq.find("requesting-user-name-denied", IPP_TAG_PRINTER)) {
    config.users_denied = sorted_names(a);
    config.users_allowed.clear();
    if (config.users_denied == std::vector<std::string>{"none"}) config.users_denied.clear();
  }
  if (auto v = rq.find_boolean("printer-is-accepting-jobs", IPP_TAG_PRINTER)) config.accepting = *v;
  if (auto v = rq.find_boolean("printer-is-shared", IPP_TAG_PRINTER)) config.shared = *v;
  if (auto v = rq.find_integer("printer-state", IPP_TAG_PRINTER)) config.enabled = *v != IPP_PSTATE_STOPPED;
  if (auto v = rq.find_string("printer-state-message", IPP_TAG_PRINTER)) config.state_message = *v;
  if (auto v = rq.find_string("printer-error-policy", IPP_TAG_PRINTER)) {
    if (!is_error_policy(*v))
      return "printer-error-policy must be abort-job, retry-current-job, retry-job or stop-printer, not \"" + *v + "\"";
    config.error_policy = *v;
  }
  if (auto model = rq.find_string("ppd-name", IPP_TAG_PRINTER).value_or(rq.find_string("ppd-name", IPP_TAG_OPERATION).value_or(""));
      !model.empty()) {
    if (model == "everywhere" && !is_ipp_uri(d.device_uri))
      return "-m everywhere needs the printer's ipp:// or ipps:// URI (lpadmin -v) to ask it what it takes";
    auto driver = find_driver(model);
    if (!driver) return "Unknown model \"" + model + "\" (lpinfo -m lists the models)";
    return use_driver(op, config, *driver);
  }
  return std::nullopt;
}

std::string queue_name(const Operation& op) {
  std::string uri = op.request.find_string("printer-uri", IPP_TAG_OPERATION).value_or("");
  auto slash = uri.rfind('/');
  return slash == std::string::npos ? std::string() : uri.substr(slash + 1);
}

bool is_valid_queue_name(const std::string& name) {
  if (name.empty() || name.size() > 127) return false;
  for (unsigned char c : name)
    if (c <= ' ' || c == '/' || c == '#' || c == '\\' || c == '\'' || c == '"' || c == 127) return false;
  return true;
}

// The queue's configuration as the request would leave it: the current one (or a new
// queue's), with the request's printer attributes applied.
std::expected<PrinterConfig, std::string> modified_config(const Operation& op, const std::string& name) {
  PrinterConfig config;
  if (const Printer* printer = op.scheduler.find_printer(name)) {
    config = printer->config;
  } else {
    config.description.name = name;
    config.description.document_formats = kRawFormats;
    config.enabled = false;  // a new queue starts stopped and rejecting, as CUPS does (lpadmin -E enables it)
    config.accepting = false;
    char uuid[64];
    httpAssembleUUID(op.host().c_str(), 0, name.c_str(), 0, uuid, sizeof uuid);
    config.description.uuid = uuid;
  }
  if (auto problem = apply_printer_attributes(op, config)) return std::unexpected(*problem);
  if (config.description.device_uri.empty()) config.description.device_uri = "file:///dev/null";
  return config;
}

std::filesystem::path uploaded_ppd_path(const Operation& op, std::string_view name) {
  return op.scheduler.options().state_dir / "ppd" / (std::string(name) + ".ppd");
}

// A queue's uploaded PPD is removed with the queue, or when it has another driver.
void remove_uploaded_ppd(const Operation& op, std::string_view name, std::string_view driver_now) {
  auto path = uploaded_ppd_path(op, name);
  std::error_code ec;
  if (driver_now != path.string() && std::filesystem::remove(path, ec))
    log::error().info("Removed {} (no longer the driver of {})", path.string(), name);
}

// A PPD file sent with CUPS-Add-Modify-Printer (lpadmin -P, and lpadmin -m everywhere,
// which builds the PPD from the printer's own attributes) becomes the queue's driver:
// STATE/ppd/NAME.ppd, written atomically.
struct Refusal {
  ipp_status_t status;
  std::string message;
};
std::optional<Refusal> install_ppd(const Operation& op, PrinterConfig& config, const std::string& text) {
  if (text.starts_with("\x1f\x8b"))
    return Refusal{IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED, "Compressed PPD files are not supported: gunzip it first"};
  if (!text.starts_with("*PPD-Adobe:"))
    return Refusal{IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED, "The file sent is not a PPD file (no *PPD-Adobe: line)"};
  auto path = uploaded_ppd_path(op, config.description.name);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (auto written = write_file_atomically(path, text); !written)
    return Refusal{IPP_STATUS_ERROR_INTERNAL, "Unable to save the PPD file: " + written.error()};
  auto driver = driver_from_ppd(path);
  if (!driver) return Refusal{IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED, driver.error()};
  if (auto problem = use_driver(op, config, *driver)) return Refusal{IPP_STATUS_ERROR_NOT_POSSIBLE, *problem};
  return std::nullopt;
}

// One CUPS-Add-Modify-Printer once its body has arrived; runs on the strand, except
// for asking an IPP Everywhere printer what it is (on the scheduler's blocking pool).
struct Update {
  static constexpr int kQueryTimeoutSeconds = 10;
  OperationPtr op;
  std::string name;
  std::string ppd;  // the PPD file sent, or written from the printer's answer
  IppResponseHandler done;
  std::optional<RemotePrinter> remote;

  Update(OperationPtr o, std::string n, std::string p, IppResponseHandler d)
      : op(std::move(o)), name(std::move(n)), ppd(std::move(p)), done(std::move(d)) {}

  void respond(ipp_status_t status, const std::string& message) {
    op->response.set_status(status);
    if (!message.empty()) op->response.add_status_message(message);
    done(std::move(op->response));
  }

  void apply(const std::shared_ptr<Update>& self) {
    auto config = modified_config(*op, name);
    if (!config) return respond(IPP_STATUS_ERROR_NOT_POSSIBLE, config.error());
    if (ppd.empty() && wants_everywhere(op->request)) return ask_printer(self, config->description.device_uri);
    if (!ppd.empty())
      if (auto refusal = install_ppd(*op, *config, ppd)) return respond(refusal->status, refusal->message);
    if (remote) describe_from_printer(*config);
    std::string driver = config->driver;
    op->scheduler.add_or_modify_printer(std::move(*config), [self, driver](std::expected<void, std::string> result) {
      if (!result) return self->respond(IPP_STATUS_ERROR_INTERNAL, result.error());
      remove_uploaded_ppd(*self->op, self->name, driver);
      self->respond(IPP_STATUS_OK, "");
    });
  }

  void ask_printer(const std::shared_ptr<Update>& self, std::string uri) {
    boost::asio::post(op->scheduler.blocking_pool(), [self, uri = std::move(uri)] {
      auto printer = query_ipp_printer(uri, kQueryTimeoutSeconds);
      std::expected<std::string, std::string> text =
          printer ? everywhere_ppd(*printer) : std::unexpected(printer.error());
      boost::asio::post(self->op->scheduler.strand(), [self, printer = std::move(printer), text = std::move(text)] {
        if (!text) return self->respond(IPP_STATUS_ERROR_NOT_POSSIBLE, text.error());
        self->remote = *printer;
        self->ppd = *text;
        self->apply(self);
      });
    });
  }

  // What the printer said fills what the admin did not say (CUPS's lpadmin does the same).
  void describe_from_printer(PrinterConfig& config) const {
    auto& d = config.description;
    const IppMessage& rq = op->request;
    if (!rq.find("printer-info", IPP_TAG_PRINTER) && !remote->info.empty()) d.info = remote->info;
    if (!rq.find("printer-location", IPP_TAG_PRINTER) && !remote->location.empty()) d.location = remote->location;
    d.color = remote->color;
    d.duplex = remote->duplex;
    if (!remote->media_supported.empty()) d.media_supported = remote->media_supported;
    if (!remote->media_default.empty() && !rq.find("media-default", IPP_TAG_PRINTER)) d.media_default = remote->media_default;
    if (!remote->resolutions_dpi.empty()) d.resolutions_dpi = remote->resolutions_dpi;
  }
};

// CUPS-Add-Modify-Printer's body: empty, or a PPD file. Collected whole (a PPD is a
// configuration file, bounded here), then applied on the strand.
class PrinterUpdateSink final : public DocumentSink {
 public:
  static constexpr std::size_t kMaxPpdBytes = 16 * 1024 * 1024;

  PrinterUpdateSink(OperationPtr op, std::string name) : op_(std::move(op)), name_(std::move(name)) {}

  std::expected<void, std::string> write(std::span<const std::byte> bytes) override {
    if (ppd_.size() + bytes.size() > kMaxPpdBytes) return std::unexpected("PPD file over 16 MiB");
    ppd_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return {};
  }

  IppMessage error_response() override {
    IppMessage response = IppMessage::make_response(op_->request, IPP_STATUS_ERROR_REQUEST_ENTITY);
    response.add_status_message("PPD file over 16 MiB");
    return response;
  }

  void finish(IppResponseHandler done) override {
    auto update = std::make_shared<Update>(op_, name_, std::move(ppd_), std::move(done));
    boost::asio::post(op_->scheduler.strand(), [update] { update->apply(update); });
  }

 private:
  OperationPtr op_;
  std::string name_;
  std::string ppd_;
};

}  // namespace

void handle_cups_add_modify_printer(const OperationPtr& op) {
  std::string name = op->printer ? op->printer->name() : queue_name(*op);
  if (!is_valid_queue_name(name)) return op->fail(IPP_STATUS_ERROR_BAD_REQUEST, "Bad printer name \"{}\"", name);
  // Refuse a bad request before its PPD file (if any) is read; the sink applies it again
  // to the queue as it is when the body has arrived.
  if (auto config = modified_config(*op, name); !config) return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "{}", config.error());
  op->reply_with_sink(std::make_unique<PrinterUpdateSink>(op, std::move(name)));
}

Completion reply_when_done(const OperationPtr& op) {
  return [op](std::expected<void, std::string> result) {
    if (!result) return op->fail(IPP_STATUS_ERROR_INTERNAL, "{}", result.error());
    op->reply();
  };
}

void handle_cups_delete_printer(const OperationPtr& op) {
  std::string name = op->printer->name();
  op->scheduler.delete_printer(name, [op, name](std::expected<void, std::string> result) {
    if (result) remove_uploaded_ppd(*op, name, "");
    reply_when_done(op)(std::move(result));
  });
}

void handle_cups_set_default(const OperationPtr& op) {
  op->scheduler.set_default_printer(op->printer->name(), reply_when_done(op));
}

void handle_cups_accept_jobs(const OperationPtr& op) {
  op->scheduler.set_accepting(*op->printer, true, "", reply_when_done(op));
}

void handle_cups_reject_jobs(const OperationPtr& op) {
  std::string reason = op->request.find_string("printer-state-message", IPP_TAG_OPERATION).value_or("Rejecting Jobs");
  op->scheduler.set_accepting(*op->printer, false, reason, reply_when_done(op));
}

void handle_pause_printer(const OperationPtr& op) {
  op->printer->message = op->request.find_string("printer-state-message", IPP_TAG_OPERATION).value_or("Paused");
  op->scheduler.set_printer_enabled(*op->printer, false, reply_when_done(op));
}

void handle_resume_printer(const OperationPtr& op) {
  op->printer->message.clear();
  op->scheduler.set_printer_enabled(*op->printer, true, reply_when_done(op));
}

void handle_hold_new_jobs(const OperationPtr& op) {
  op->scheduler.set_holding_new_jobs(*op->printer, op->request.operation() == IPP_OP_HOLD_NEW_JOBS);
  op->reply();
}

// Cancel-Jobs and Purge-Jobs (administrators) and Cancel-My-Jobs (anyone, own jobs).
void handle_cancel_jobs(const OperationPtr& op) {
  ipp_op_t which = op->request.operation();
  std::string printer = op->printer ? op->printer->name() : std::string();
  std::string user = which == IPP_OP_CANCEL_MY_JOBS ? op->user : std::string();
  if (auto only = op->request.find_string("requesting-user-name", IPP_TAG_OPERATION);
      which == IPP_OP_CANCEL_JOBS && only && op->request.find_boolean("my-jobs", IPP_TAG_OPERATION).value_or(false))
    user = *only;
  op->scheduler.cancel_jobs(printer, user, which == IPP_OP_PURGE_JOBS, reply_when_done(op));
}

}  // namespace quire
