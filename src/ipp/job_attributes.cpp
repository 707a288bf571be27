// The IPP description of a job: its status attributes, built from the scheduler's
// record, plus the job template attributes the client supplied.
#include "ipp/operation.hpp"

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
void add_time(IppMessage& out, const char* up_name, const char* date_name, std::int64_t t) {
  if (t == 0) {
    ippAddOutOfBand(out.get(), IPP_TAG_JOB, IPP_TAG_NOVALUE, up_name);
    ippAddOutOfBand(out.get(), IPP_TAG_JOB, IPP_TAG_NOVALUE, date_name);
    return;
  }
  out.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, up_name, static_cast<int>(t));
  ippAddDate(out.get(), IPP_TAG_JOB, date_name, ippTimeToDate(static_cast<time_t>(t)));
}

// Every job attribute Quire knows for `job`, into `all` (group IPP_TAG_JOB).
void build_all(const Operation& op, const Job& job, IppMessage& all) {
  const JobRecord& r = job.record;
  const Scheduler& s = op.scheduler;
  all.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", r.id);
  all.add_string(IPP_TAG_JOB, IPP_TAG_URI, "job-uri", job_uri(op, r.id));
  if (const Printer* p = op.scheduler.printers().count(r.printer) ? &op.scheduler.printers().at(r.printer) : nullptr)
    all.add_string(IPP_TAG_JOB, IPP_TAG_URI, "job-printer-uri", printer_uri(op, *p));
  all.add_string(IPP_TAG_JOB, IPP_TAG_NAME, "job-name", r.name);
  all.add_string(IPP_TAG_JOB, IPP_TAG_NAME, "job-originating-user-name", r.user);
  all.add_string(IPP_TAG_JOB, IPP_TAG_NAME, "job-originating-host-name", r.origin_host.empty() ? "localhost" : r.origin_host);
  all.add_integer(IPP_TAG_JOB, IPP_TAG_ENUM, "job-state", r.state);
  all.add_strings(IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-state-reasons", split_reasons(r.state_reasons));
  if (!r.state_message.empty()) all.add_string(IPP_TAG_JOB, IPP_TAG_TEXT, "job-state-message", r.state_message);
  all.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-printer-up-time", static_cast<int>(s.up_time()));
  add_time(all, "time-at-creation", "date-time-at-creation", r.created);
  add_time(all, "time-at-processing", "date-time-at-processing", r.processing);
  add_time(all, "time-at-completed", "date-time-at-completed", r.completed);
  std::uint64_t bytes = std::accumulate(r.documents.begin(), r.documents.end(), std::uint64_t{0},
                                        [](std::uint64_t n, const DocumentRecord& d) { return n + d.size; });
  if (!r.documents.empty() || !job.attributes || !job.attributes.find("job-k-octets"))
    all.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-k-octets", static_cast<int>((bytes + 1023) / 1024));
  all.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-impressions-completed", r.impressions_completed);
  all.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-media-sheets-completed", r.sheets_completed);
  all.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "number-of-documents", static_cast<int>(r.documents.size()));
  all.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-priority", r.priority);
  all.add_string(IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-hold-until", r.hold_until.empty() ? "no-hold" : r.hold_until);
  if (!r.documents.empty())
    all.add_string(IPP_TAG_JOB, IPP_TAG_MIMETYPE, "document-format", r.documents.front().format);
  if (job.attributes) {
    for (ipp_attribute_t* a = ippFirstAttribute(job.attributes.get()); a; a = ippNextAttribute(job.attributes.get())) {
      std::string_view name = attribute_name(a);
      if (name.empty() || all.find(name)) continue;
      all.copy_attribute(a, IPP_TAG_JOB);
    }
  }
}

}  // namespace

std::string job_uri(const Operation& op, int job_id) { return "ipp://" + op.host() + "/jobs/" + std::to_string(job_id); }

std::string printer_uri(const Operation& op, const Printer& printer) {
  return "ipp://" + op.host() + (printer.config.description.is_class ? "/classes/" : "/printers/") + printer.name();
}

void add_job_attributes(const Operation& op, const Job& job, const RequestedAttributes& wanted, IppMessage& out) {
  IppMessage all;
  build_all(op, job, all);
  copy_requested(all, out, wanted, IPP_TAG_JOB);
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
