// The IPP description of a job: its status attributes, built from the scheduler's
// record, plus the job template attributes the client supplied.
#include "ipp/operation.hpp"

#include "ipp/attribute_copy.hpp"
#include "ipp/attribute_writer.hpp"

#include <cups/cups.h>

#include <numeric>

namespace quire {
namespace {

std::vector<std::string> split_reasons(const std::string& reasons) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= reasons.size()) {
    auto comma = reasons.find(',', start);
    std::string r = reasons.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!r.empty()) out.push_back(r);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.empty()) out.push_back("none");
  return out;
}

// time-at-* on the printer-up-time clock (Unix time); 0 means not yet: no-value.
void add_time(AttributeWriter& w, const char* up_name, const char* date_name, std::int64_t t) {
  if (t == 0) {
    w.no_value(up_name);
    w.no_value(date_name);
    return;
  }
  w.integer(IPP_TAG_INTEGER, up_name, static_cast<int>(t));
  w.date(date_name, t);
}

// Every job attribute Quire knows for `job` that `w` wants; the status ones first, then
// the job template attributes the client supplied (unless a status one took the name).
void write_job(const Operation& op, const Job& job, AttributeWriter& w) {
  const JobRecord& r = job.record;
  const Scheduler& s = op.scheduler;
  w.integer(IPP_TAG_INTEGER, "job-id", r.id);
  w.string(IPP_TAG_URI, "job-uri", job_uri(op, r.id));
  if (w.take("job-printer-uri")) {
    auto p = s.printers().find(r.printer);
    if (p != s.printers().end()) w.out().add_string(IPP_TAG_JOB, IPP_TAG_URI, "job-printer-uri", printer_uri(op, p->second));
  }
  w.string(IPP_TAG_NAME, "job-name", r.name);
  w.string(IPP_TAG_NAME, "job-originating-user-name", r.user);
  w.string(IPP_TAG_NAME, "job-originating-host-name", r.origin_host.empty() ? "localhost" : r.origin_host);
  w.integer(IPP_TAG_ENUM, "job-state", r.state);
  if (w.take("job-state-reasons"))
    w.out().add_strings(IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-state-reasons", split_reasons(r.state_reasons));
  if (!r.state_message.empty()) w.string(IPP_TAG_TEXT, "job-state-message", r.state_message);
  w.integer(IPP_TAG_INTEGER, "job-printer-up-time", static_cast<int>(s.up_time()));
  add_time(w, "time-at-creation", "date-time-at-creation", r.created);
  add_time(w, "time-at-processing", "date-time-at-processing", r.processing);
  add_time(w, "time-at-completed", "date-time-at-completed", r.completed);
  const IppMessage& attributes = job.attributes();
  if (!r.documents.empty() || !attributes || !attributes.find("job-k-octets")) {
    std::uint64_t bytes = std::accumulate(r.documents.begin(), r.documents.end(), std::uint64_t{0},
                                          [](std::uint64_t n, const DocumentRecord& d) { return n + d.size; });
    w.integer(IPP_TAG_INTEGER, "job-k-octets", static_cast<int>((bytes + 1023) / 1024));
  }
  w.integer(IPP_TAG_INTEGER, "job-impressions-completed", r.impressions_completed);
  w.integer(IPP_TAG_INTEGER, "job-media-sheets-completed", r.sheets_completed);
  w.integer(IPP_TAG_INTEGER, "number-of-documents", static_cast<int>(r.documents.size()));
  w.integer(IPP_TAG_INTEGER, "job-priority", r.priority);
  w.string(IPP_TAG_KEYWORD, "job-hold-until", r.hold_until.empty() ? "no-hold" : r.hold_until);
  if (!r.documents.empty()) w.string(IPP_TAG_MIMETYPE, "document-format", r.documents.front().format);
  if (!attributes) return;
  for (ipp_attribute_t* a = ippFirstAttribute(attributes.get()); a; a = ippNextAttribute(attributes.get())) {
    std::string_view name = attribute_name(a);
    if (name.empty() || w.written(name) || !w.take(name)) continue;
    copy_attribute_deeply(w.out().get(), a, IPP_TAG_JOB);
  }
}

}  // namespace

std::string job_uri(const Operation& op, int job_id) { return "ipp://" + op.host() + "/jobs/" + std::to_string(job_id); }

std::string printer_uri(const Operation& op, const Printer& printer) {
  return "ipp://" + op.host() + (printer.config.description.is_class ? "/classes/" : "/printers/") + printer.name();
}

void add_job_attributes(const Operation& op, const Job& job, const RequestedAttributes& wanted, IppMessage& out) {
  AttributeWriter writer(out, wanted, IPP_TAG_JOB);
  write_job(op, job, writer);
}

void add_job_brief(const Operation& op, const Job& job, IppMessage& out) {
  const JobRecord& r = job.record;
  out.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", r.id);
  out.add_string(IPP_TAG_JOB, IPP_TAG_URI, "job-uri", job_uri(op, r.id));
  out.add_integer(IPP_TAG_JOB, IPP_TAG_ENUM, "job-state", r.state);
  out.add_strings(IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-state-reasons", split_reasons(r.state_reasons));
  if (!r.state_message.empty()) out.add_string(IPP_TAG_JOB, IPP_TAG_TEXT, "job-state-message", r.state_message);
}

}  // namespace quire
