// Operation: one IPP request in flight through its handler. Handlers get it by
// shared_ptr so that those that wait (for a document, for a commit) can keep it.
// Lives on the scheduler strand.
#pragma once

#include "quire/ipp_service.hpp"
#include "quire/printer_attributes.hpp"
#include "quire/scheduler.hpp"

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>

namespace quire {

struct Operation {
  Scheduler& scheduler;
  IppMessage request;
  IppMessage response;
  ClientInfo client;
  std::string user;           // who is asking: authenticated user or requesting-user-name
  Printer* printer = nullptr;  // the target printer, when the operation has one
  Job* job = nullptr;          // the target job, for job operations
  IppOutcomeHandler done;

  Operation(Scheduler& s, IppMessage req, ClientInfo c, IppOutcomeHandler d);

  // Sends the response as built so far.
  void reply();
  // Sets the status (and status-message when not empty) and sends.
  void reply(ipp_status_t status, std::string message = {});
  template <typename... Args>
  void fail(ipp_status_t status, fmt::format_string<Args...> f, Args&&... args) {
    reply(status, fmt::format(f, std::forward<Args>(args)...));
  }
  // Sends a response encoded by the handler (only when client.takes_encoded_response).
  void reply_encoded(std::vector<std::byte> encoded);
  // Hands the front end a sink for the document; the response comes from the sink.
  void reply_with_sink(std::unique_ptr<DocumentSink> sink);

  // The host:port clients reached us by, for URIs in responses.
  std::string host() const;
  bool is_admin() const;  // authenticated as root or a SystemGroup member
};

using OperationPtr = std::shared_ptr<Operation>;

// Handlers, one per operation (src/ipp/op_*.cpp).
void handle_print_job(const OperationPtr& op);
void handle_validate_job(const OperationPtr& op);
void handle_create_job(const OperationPtr& op);
void handle_send_document(const OperationPtr& op);
void handle_close_job(const OperationPtr& op);
void handle_cancel_job(const OperationPtr& op);
void handle_hold_job(const OperationPtr& op);
void handle_set_job_attributes(const OperationPtr& op);
void handle_restart_job(const OperationPtr& op);
void handle_cups_move_job(const OperationPtr& op);
void handle_cups_add_modify_printer(const OperationPtr& op);
void handle_cups_delete_printer(const OperationPtr& op);
void handle_cups_set_default(const OperationPtr& op);
void handle_cups_accept_jobs(const OperationPtr& op);
void handle_cups_reject_jobs(const OperationPtr& op);
void handle_pause_printer(const OperationPtr& op);
void handle_resume_printer(const OperationPtr& op);
void handle_cancel_jobs(const OperationPtr& op);
void handle_hold_new_jobs(const OperationPtr& op);
void handle_cups_add_modify_class(const OperationPtr& op);
void handle_cups_delete_class(const OperationPtr& op);
void handle_cups_get_classes(const OperationPtr& op);
void handle_cups_get_devices(const OperationPtr& op);
void handle_cups_get_ppds(const OperationPtr& op);
void handle_release_job(const OperationPtr& op);
void handle_get_job_attributes(const OperationPtr& op);
void handle_get_jobs(const OperationPtr& op);
void handle_get_printer_attributes(const OperationPtr& op);
void handle_cups_get_printers(const OperationPtr& op);
void handle_cups_get_default(const OperationPtr& op);

// Attribute builders shared by handlers (src/ipp/job_attributes.cpp, printer_status.cpp).
// Each adds one group (IPP_TAG_JOB / IPP_TAG_PRINTER) holding what `wanted` asks for.
void add_job_attributes(const Operation& op, const Job& job, const RequestedAttributes& wanted, IppMessage& out);
// A Completion that answers `op`: successful-ok, or server-error-internal-error with
// the error as status-message (src/ipp/op_printer_admin.cpp).
Completion reply_when_done(const OperationPtr& op);
// `queued`: the printer's queued-job-count when the caller has it (else it is counted).
void add_printer_attributes(const Operation& op, Printer& printer, const RequestedAttributes& wanted, IppMessage& out,
                            std::optional<int> queued = std::nullopt);
// job-id, job-uri, job-state, job-state-reasons and job-state-message: what a
// job-creating operation answers.
void add_job_brief(const Operation& op, const Job& job, IppMessage& out);
std::string job_uri(const Operation& op, int job_id);
std::string printer_uri(const Operation& op, const Printer& printer);

}  // namespace quire
