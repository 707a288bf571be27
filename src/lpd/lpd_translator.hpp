// The LPD→IPP translator: builds the IPP request each LPD command means and reads the
// answers back into what the LPD side needs. Pure functions over values: no I/O, no
// queue logic (the IPP handlers validate, authorize and decide).
//
//   receive job, one document    → Print-Job (document streamed into its sink)
//   receive job, several          → Create-Job, then Send-Document for each
//   queue state (short/long)      → Get-Printer-Attributes + Get-Jobs
//   remove jobs                   → Get-Jobs, then Cancel-Job for each job named
//   print waiting jobs            → Get-Printer-Attributes (the queue must exist)
#pragma once

#include "lpd/control_file.hpp"
#include "quire/ipp_message.hpp"

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace quire::lpd {

// A queue as Get-Printer-Attributes describes it.
struct QueueInfo {
  std::string name;
  ipp_pstate_t state = IPP_PSTATE_IDLE;
  std::string state_message;
  bool accepting = true;
  std::vector<std::string> document_formats;
};

// One job of a queue as Get-Jobs describes it.
struct QueuedJob {
  int id = 0;
  std::string user;
  std::string host;
  std::string name;           // document-name when there is one, else job-name
  ipp_jstate_t state = IPP_JSTATE_PENDING;
  std::uint64_t bytes = 0;    // job-k-octets × 1024: IPP reports no finer size
  int copies = 1;
};

// What a print line's format letter means in IPP (RFC 1179 §7.2 letters).
struct FormatMapping {
  char letter;
  std::string_view meaning;          // for docs and logs
  std::string_view document_format;  // application/octet-stream: no type exists, auto-type
  bool prettyprint = false;          // `p`: CUPS's prettyprint option (pr-style header)
};
const FormatMapping& format_mapping(char letter);  // letter must satisfy is_format_letter()

// The document-format to send: the letter's own type when the queue takes it, else
// application/octet-stream (auto-typing, as cups-lpd sends for every letter) when the
// queue takes that, else the letter's type (and the queue refuses it).
std::string document_format_for(char letter, const QueueInfo& queue);

// How the print lines become IPP documents: runs of the same file and letter that all
// repeat the same number of times are documents with that many copies ("fA fA fB fB"
// → A, B, copies 2); any other pattern prints every line as a document of its own.
struct PlannedDocument {
  std::string data_file;
  char format = 'f';
  std::string name;  // from N, may be empty
};
struct JobPlan {
  std::vector<PlannedDocument> documents;
  int copies = 1;
};
JobPlan plan_job(const ControlFile& control);

// Job submission. The requesting-user-name is P's, so the job is P's.
IppMessage make_print_job(const QueueInfo& queue, const ControlFile& control, const JobPlan& plan);
IppMessage make_create_job(const QueueInfo& queue, const ControlFile& control, const JobPlan& plan);
IppMessage make_send_document(const QueueInfo& queue, const ControlFile& control, int job_id,
                              const PlannedDocument& document, bool last);
// job-id of a job-creating response; 0 when it has none.
int job_id_of(const IppMessage& response);

// Queries and control.
std::string printer_uri(std::string_view queue);  // ipp://localhost/printers/QUEUE (classes resolve too)
IppMessage make_get_printer_attributes(std::string_view queue);
// The queue, or the status that says why there is none.
std::expected<QueueInfo, ipp_status_t> read_queue_info(const IppMessage& response);
IppMessage make_get_jobs(std::string_view queue);
std::vector<QueuedJob> read_jobs(const IppMessage& response);
IppMessage make_cancel_job(std::string_view queue, int job_id, std::string_view agent);

// The status-message of a response, or its status as text.
std::string describe_status(const IppMessage& response);

}  // namespace quire::lpd
