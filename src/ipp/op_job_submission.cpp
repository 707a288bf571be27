// Job submission handlers: Print-Job, Validate-Job, Create-Job, Send-Document and
// Close-Job, and the DocumentSink that streams a document into the spool.
#include "ipp/operation.hpp"
#include "ipp/printer_capabilities.hpp"

#include "quire/log.hpp"
#include "quire/printer_access.hpp"

#include <boost/asio/post.hpp>
#include <cups/cups.h>

#include <algorithm>

namespace quire {
namespace {

namespace caps = capabilities;

// Streams a document into a spool file, then hands the job (or the document) to the
// scheduler. Written from the front end's thread; finish() hops to the strand.
class JobUploadSink final : public DocumentSink {
 public:
  // `job` set: a new job (Print-Job); otherwise a document for job `job_id`.
  JobUploadSink(OperationPtr op, std::optional<Job> job, int job_id, DocumentRecord record, DocumentWriter writer,
                bool last, std::uint64_t max_bytes)
      : op_(std::move(op)), job_(std::move(job)), job_id_(job_id), record_(std::move(record)),
        writer_(std::move(writer)), last_(last), max_bytes_(max_bytes) {}

  std::expected<void, std::string> write(std::span<const std::byte> bytes) override {
    if (max_bytes_ && writer_.size() + bytes.size() > max_bytes_) {
      too_large_ = true;
      return std::unexpected("document is larger than MaxRequestSize");
    }
    return writer_.write(bytes);
  }

  IppMessage error_response() override {
    IppMessage response = IppMessage::make_response(op_->request, too_large_ ? IPP_STATUS_ERROR_REQUEST_ENTITY
                                                                             : IPP_STATUS_ERROR_INTERNAL);
    response.add_status_message(too_large_ ? "Document too large" : "Unable to spool the document");
    return response;
  }

  void finish(IppResponseHandler done) override {
    auto self = std::make_shared<State>(State{op_, std::move(job_), job_id_, std::move(record_), std::move(writer_),
                                              last_, std::move(done)});
    boost::asio::post(op_->scheduler.strand(), [self] { commit(self); });
  }

 private:
  struct State {
    OperationPtr op;
    std::optional<Job> job;
    int job_id;
    DocumentRecord record;
    DocumentWriter writer;
    bool last;
    IppResponseHandler done;
  };

  static void commit(const std::shared_ptr<State>& s) {
    s->record.size = s->writer.size();
    s->record.path = s->writer.final_path();
    std::vector<DocumentWriter> writers;
    writers.push_back(std::move(s->writer));
    auto respond = [s](std::expected<void, std::string> result) {
      Operation& op = *s->op;
      if (!result) {
        op.response.set_status(IPP_STATUS_ERROR_INTERNAL);
        op.response.add_status_message("Unable to save the job: " + result.error());
      } else if (const Job* job = op.scheduler.find_job(s->job_id)) {
        add_job_brief(op, *job, op.response);
      }
      s->done(std::move(op.response));
    };
    if (s->job) {
      s->job->record.documents.push_back(s->record);
      s->op->scheduler.add_job(std::move(*s->job), std::move(writers), std::move(respond));
    } else {
      s->op->scheduler.add_document(s->job_id, s->record, std::move(writers.front()), s->last, std::move(respond));
    }
  }

  OperationPtr op_;
  std::optional<Job> job_;
  int job_id_;
  DocumentRecord record_;
  DocumentWriter writer_;
  bool last_;
  std::uint64_t max_bytes_;
  bool too_large_ = false;
};

bool is_supported_format(const Printer& printer, const std::string& format) {
  return format == caps::kOctetStream || caps::contains(caps::document_formats(printer.config.description), format);
}

// Checks shared by Print-Job, Validate-Job and Create-Job. Returns false after
// replying with the failure.
bool check_job_creation(const OperationPtr& op, bool has_document) {
  Printer& printer = *op->printer;
  if (!is_user_allowed(printer.config, op->user)) {
    op->fail(IPP_STATUS_ERROR_FORBIDDEN, "{} is not allowed to print to {}", op->user, printer.name());
    return false;
  }
  if (!printer.is_accepting()) {
    op->fail(IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS, "Destination \"{}\" is not accepting jobs.", printer.name());
    return false;
  }
  if (auto compression = op->request.find_string("compression", IPP_TAG_OPERATION); compression && *compression != "none") {
    op->response.copy_attribute(op->request.find("compression", IPP_TAG_OPERATION), IPP_TAG_UNSUPPORTED_GROUP);
    op->fail(IPP_STATUS_ERROR_COMPRESSION_NOT_SUPPORTED, "compression \"{}\" is not supported", *compression);
    return false;
  }
  if (has_document || op->request.find("document-format", IPP_TAG_OPERATION)) {
    std::string format = op->request.find_string("document-format", IPP_TAG_OPERATION).value_or("application/octet-stream");
    if (!is_supported_format(printer, format)) {
      op->response.copy_attribute(op->request.find("document-format", IPP_TAG_OPERATION), IPP_TAG_UNSUPPORTED_GROUP);
      op->fail(IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED, "Unsupported document-format \"{}\".", format);
      return false;
    }
  }
  ipp_status_t status = check_job_template(op->request, printer.config.description, op->response);
  if (status != IPP_STATUS_OK && status != IPP_STATUS_OK_IGNORED_OR_SUBSTITUTED) {
    op->reply(status, "Unsupported job attributes or values");
    return false;
  }
  op->response.set_status(status);
  return true;
}

// The job as the scheduler will hold it: the request's job template attributes and
// the operation attributes that describe the job.
Job draft_job(const Operation& op, int id) {
  Job job;
  JobRecord& r = job.record;
  r.id = id;
  r.printer = op.printer->name();
  r.user = op.user;
  r.name = op.request.find_string("job-name", IPP_TAG_OPERATION).value_or("Untitled");
  r.origin_host = op.client.originating_host.empty() ? op.client.address : op.client.originating_host;
  r.priority = op.request.find_integer("job-priority", IPP_TAG_JOB).value_or(op.printer->config.description.job_priority_default);
  r.hold_until = op.request.find_string("job-hold-until", IPP_TAG_JOB).value_or("");
  if (r.hold_until == "no-hold") r.hold_until.clear();
  r.state = r.hold_until.empty() ? IPP_JSTATE_PENDING : IPP_JSTATE_HELD;
  r.state_reasons = r.hold_until.empty() ? "none" : "job-hold-until-specified";
  if (op.printer->holding_new_jobs && r.hold_until.empty()) {
    r.state = IPP_JSTATE_HELD;
    r.hold_until = "indefinite";
    r.state_reasons = "job-held-on-create";
  }
  r.created = op.scheduler.now();
  IppMessage attributes;
  for (ipp_attribute_t* a = ippFirstAttribute(op.request.get()); a; a = ippNextAttribute(op.request.get()))
    if (ippGetGroupTag(a) == IPP_TAG_JOB) attributes.copy_attribute(a, IPP_TAG_JOB);
  for (const char* name : {"document-format", "job-name", "document-name", "ipp-attribute-fidelity"})
    if (ipp_attribute_t* a = op.request.find(name, IPP_TAG_OPERATION)) attributes.copy_attribute(a, IPP_TAG_JOB);
  char uuid[64];
  httpAssembleUUID(op.host().c_str(), 0, r.printer.c_str(), id, uuid, sizeof uuid);
  attributes.add_string(IPP_TAG_JOB, IPP_TAG_URI, "job-uuid", uuid);
  r.attributes = attributes.encode();
  job.set_attributes(std::move(attributes));
  return job;
}

DocumentRecord draft_document(const Operation& op, int number) {
  DocumentRecord d;
  d.number = number;
  d.format = op.request.find_string("document-format", IPP_TAG_OPERATION).value_or("application/octet-stream");
  d.name = op.request.find_string("document-name", IPP_TAG_OPERATION).value_or("");
  return d;
}

void reply_with_upload(const OperationPtr& op, std::optional<Job> job, int job_id, int number, bool last) {
  auto writer = op->scheduler.create_document(job_id, number);
  if (!writer) {
    log::error().error("[Job {}] cannot spool document: {}", job_id, writer.error());
    return op->fail(IPP_STATUS_ERROR_INTERNAL, "Unable to spool the document");
  }
  op->reply_with_sink(std::make_unique<JobUploadSink>(op, std::move(job), job_id, draft_document(*op, number),
                                                      std::move(*writer), last,
                                                      op->scheduler.options().server.max_request_size));
}

}  // namespace

void handle_print_job(const OperationPtr& op) {
  if (!check_job_creation(op, true)) return;
  int id = op->scheduler.reserve_job_id();
  reply_with_upload(op, draft_job(*op, id), id, 1, true);
}

void handle_validate_job(const OperationPtr& op) {
  if (!check_job_creation(op, false)) return;
  op->reply();
}

void handle_create_job(const OperationPtr& op) {
  if (!check_job_creation(op, false)) return;
  Job job = draft_job(*op, op->scheduler.reserve_job_id());
  job.record.documents_complete = false;
  int id = job.id();
  op->scheduler.add_job(std::move(job), {}, [op, id](std::expected<void, std::string> result) {
    if (!result) return op->fail(IPP_STATUS_ERROR_INTERNAL, "Unable to save the job");
    if (const Job* job = op->scheduler.find_job(id))
      add_job_brief(*op, *job, op->response);
    op->reply();
  });
}

void handle_send_document(const OperationPtr& op) {
  Job& job = *op->job;
  auto last = op->request.find_boolean("last-document", IPP_TAG_OPERATION);
  if (!last) return op->fail(IPP_STATUS_ERROR_BAD_REQUEST, "Missing last-document");
  if (job.is_finished() || job.record.documents_complete)
    return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "Job {} does not accept more documents", job.id());
  std::string format = op->request.find_string("document-format", IPP_TAG_OPERATION).value_or("application/octet-stream");
  if (op->printer && !is_supported_format(*op->printer, format)) {
    op->response.copy_attribute(op->request.find("document-format", IPP_TAG_OPERATION), IPP_TAG_UNSUPPORTED_GROUP);
    return op->fail(IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED, "Unsupported document-format \"{}\".", format);
  }
  int number = static_cast<int>(job.record.documents.size()) + 1;
  reply_with_upload(op, std::nullopt, job.id(), number, *last);
}

void handle_close_job(const OperationPtr& op) {
  Job& job = *op->job;
  if (job.is_finished() || job.record.documents_complete)
    return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "Job {} is already closed", job.id());
  op->scheduler.close_job(job.id(), [op](std::expected<void, std::string> result) {
    if (!result) return op->fail(IPP_STATUS_ERROR_INTERNAL, "Unable to save the job");
    op->reply();
  });
}

}  // namespace quire
