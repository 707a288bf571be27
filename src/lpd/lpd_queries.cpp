// The translator's query and control side: Get-Printer-Attributes, Get-Jobs and
// Cancel-Job requests, and reading their answers back into LPD terms.
#include "lpd/lpd_translator.hpp"

#include <cups/cups.h>

namespace quire::lpd {
namespace {

constexpr const char* kQueueAttributes[] = {"printer-name", "printer-state", "printer-state-message",
                                            "printer-is-accepting-jobs", "document-format-supported"};
constexpr const char* kJobAttributes[] = {"job-id",         "job-name",  "document-name",
                                          "job-originating-user-name", "job-originating-host-name",
                                          "job-state",      "job-k-octets", "copies"};

IppMessage queue_request(ipp_op_t op, std::string_view queue) {
  IppMessage request = IppMessage::make_request(op);
  request.add_standard_operation_attributes();
  request.add_string(IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", printer_uri(queue));
  return request;
}

std::vector<std::string> requested(const auto& names) { return {std::begin(names), std::end(names)}; }

std::string string_value(ipp_attribute_t* attr) {
  const char* s = ippGetString(attr, 0, nullptr);
  return s ? s : "";
}

// Fills `job` from one attribute of its group.
void take_job_attribute(QueuedJob& job, std::string& job_name, ipp_attribute_t* attr) {
  const std::string_view name = attribute_name(attr);
  const ipp_tag_t tag = ippGetValueTag(attr);
  if (name == "job-id" && tag == IPP_TAG_INTEGER) job.id = ippGetInteger(attr, 0);
  else if (name == "job-state" && tag == IPP_TAG_ENUM) job.state = static_cast<ipp_jstate_t>(ippGetInteger(attr, 0));
  else if (name == "job-k-octets" && tag == IPP_TAG_INTEGER)
    job.bytes = static_cast<std::uint64_t>(std::max(0, ippGetInteger(attr, 0))) * 1024;
  else if (name == "copies" && tag == IPP_TAG_INTEGER) job.copies = ippGetInteger(attr, 0);
  else if (name == "job-originating-user-name") job.user = string_value(attr);
  else if (name == "job-originating-host-name") job.host = string_value(attr);
  else if (name == "document-name") job.name = string_value(attr);
  else if (name == "job-name") job_name = string_value(attr);
}

}  // namespace

std::string printer_uri(std::string_view queue) {
  char uri[HTTP_MAX_URI];
  httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", nullptr, "localhost", 0, "/printers/%s",
                   std::string(queue).c_str());
  return uri;
}

IppMessage make_get_printer_attributes(std::string_view queue) {
  IppMessage request = queue_request(IPP_OP_GET_PRINTER_ATTRIBUTES, queue);
  request.add_strings(IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", requested(kQueueAttributes));
  return request;
}

std::expected<QueueInfo, ipp_status_t> read_queue_info(const IppMessage& response) {
  if (!response) return std::unexpected(IPP_STATUS_ERROR_INTERNAL);
  if (ack_for(response.status()) != Ack::kOk) return std::unexpected(response.status());
  QueueInfo queue;
  queue.name = response.find_string("printer-name", IPP_TAG_PRINTER).value_or("");
  if (queue.name.empty()) return std::unexpected(IPP_STATUS_ERROR_NOT_FOUND);
  queue.state = static_cast<ipp_pstate_t>(response.find_integer("printer-state", IPP_TAG_PRINTER).value_or(IPP_PSTATE_IDLE));
  queue.state_message = response.find_string("printer-state-message", IPP_TAG_PRINTER).value_or("");
  queue.accepting = response.find_boolean("printer-is-accepting-jobs", IPP_TAG_PRINTER).value_or(false);
  queue.document_formats = attribute_strings(response.find("document-format-supported", IPP_TAG_PRINTER));
  return queue;
}

IppMessage make_get_jobs(std::string_view queue) {
  IppMessage request = queue_request(IPP_OP_GET_JOBS, queue);
  request.add_string(IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", "not-completed");
  request.add_strings(IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", requested(kJobAttributes));
  return request;
}

std::vector<QueuedJob> read_jobs(const IppMessage& response) {
  std::vector<QueuedJob> jobs;
  if (!response || ack_for(response.status()) != Ack::kOk) return jobs;
  QueuedJob job;
  std::string job_name;
  bool in_job = false;
  auto close_job = [&] {
    if (in_job && job.id > 0) {
      if (job.name.empty()) job.name = job_name;
      jobs.push_back(std::move(job));
    }
    job = QueuedJob{};
    job_name.clear();
    in_job = false;
  };
  for (ipp_attribute_t* a = ippFirstAttribute(response.get()); a; a = ippNextAttribute(response.get())) {
    if (ippGetGroupTag(a) != IPP_TAG_JOB || !ippGetName(a)) {
      close_job();  // a separator or another group ends the job
      continue;
    }
    in_job = true;
    take_job_attribute(job, job_name, a);
  }
  close_job();
  return jobs;
}

IppMessage make_cancel_job(std::string_view queue, int job_id, std::string_view agent) {
  IppMessage request = queue_request(IPP_OP_CANCEL_JOB, queue);
  request.add_integer(IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  request.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", agent);
  return request;
}

std::string describe_status(const IppMessage& response) {
  if (!response) return "no response";
  std::string text = ippErrorString(response.status());
  if (auto message = response.find_string("status-message", IPP_TAG_OPERATION)) text += ": " + *message;
  return text;
}

}  // namespace quire::lpd
