// The translator's job submission side: format letters, the document plan, and the
// Print-Job / Create-Job / Send-Document requests a received LPD job becomes.
#include "lpd/lpd_translator.hpp"

#include <cups/cups.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace quire::lpd {
namespace {

constexpr std::string_view kOctetStream = "application/octet-stream";
constexpr std::size_t kMaxNameBytes = 255;  // IPP name(MAX) and text(MAX) are 255 octets

// One entry per RFC 1179 format letter. Where no MIME type names the format (old
// typesetter and plotter outputs), the printer is asked to auto-type the data.
constexpr std::array<FormatMapping, 11> kFormats = {{
    {'c', "CIF (cifplot output)", kOctetStream},
    {'d', "TeX DVI", "application/x-dvi"},
    {'f', "plain text, formatted", "text/plain"},
    {'g', "Berkeley plot(3) data", kOctetStream},
    {'l', "text with control characters, printed raw", "application/vnd.cups-raw"},
    {'n', "ditroff output", kOctetStream},
    {'o', "PostScript", "application/postscript"},
    {'p', "text through pr(1): headers and page numbers", "text/plain", true},
    {'r', "text with FORTRAN carriage control", "text/plain"},
    {'t', "troff (C/A/T) output", kOctetStream},
    {'v', "Sun raster image", "image/x-sun-raster"},
}};

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence.
std::string truncated(std::string_view text, std::size_t max = kMaxNameBytes) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

bool contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

std::string job_name(const ControlFile& control, const JobPlan& plan) {
  if (!control.job_name.empty()) return control.job_name;
  if (!control.title.empty()) return control.title;
  if (!plan.documents.empty() && !plan.documents.front().name.empty()) return plan.documents.front().name;
  return plan.documents.empty() ? std::string("Untitled") : plan.documents.front().data_file;
}

// "mailto:user@host" for M, when the address is plain enough to be a URI as it is.
std::optional<std::string> mail_uri(const ControlFile& control) {
  if (!control.mail || control.mail->empty()) return std::nullopt;
  std::string address = *control.mail;
  if (address.find('@') == std::string::npos) address += "@" + control.host;
  for (unsigned char c : address)
    if (!std::isalnum(c) && std::string_view("._%+-@").find(static_cast<char>(c)) == std::string_view::npos)
      return std::nullopt;
  return "mailto:" + address;
}

// The operation attributes every job request starts with, up to the printer and user.
IppMessage job_request(ipp_op_t op, const QueueInfo& queue, const ControlFile& control) {
  IppMessage request = IppMessage::make_request(op);
  request.add_standard_operation_attributes();
  request.add_string(IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", printer_uri(queue.name));
  request.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", truncated(control.user));
  return request;
}

// The job template (L, copies, p) and subscription (M) groups; after every operation attribute.
void add_job_groups(IppMessage& request, const ControlFile& control, const JobPlan& plan) {
  if (plan.copies > 1) request.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", plan.copies);
  if (control.banner) request.add_string(IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-sheets", "standard");
  if (std::any_of(plan.documents.begin(), plan.documents.end(),
                  [](const PlannedDocument& d) { return format_mapping(d.format).prettyprint; }))
    request.add_boolean(IPP_TAG_JOB, "prettyprint", true);
  if (auto uri = mail_uri(control)) {
    request.add_string(IPP_TAG_SUBSCRIPTION, IPP_TAG_URI, "notify-recipient-uri", *uri);
    request.add_string(IPP_TAG_SUBSCRIPTION, IPP_TAG_KEYWORD, "notify-events", "job-completed");
  }
}

void add_document_attributes(IppMessage& request, const QueueInfo& queue, const PlannedDocument& document) {
  if (!document.name.empty())
    request.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "document-name", truncated(document.name));
  request.add_string(IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format",
                     document_format_for(document.format, queue));
}

bool is_uniform_runs(const std::vector<PrintLine>& prints, int& run_length) {
  std::vector<std::pair<std::string, char>> seen;
  run_length = 0;
  for (std::size_t i = 0; i < prints.size();) {
    std::size_t j = i;
    while (j < prints.size() && prints[j].data_file == prints[i].data_file && prints[j].format == prints[i].format) ++j;
    const int length = static_cast<int>(j - i);
    std::pair<std::string, char> key{prints[i].data_file, prints[i].format};
    if ((run_length != 0 && length != run_length) || std::find(seen.begin(), seen.end(), key) != seen.end())
      return false;
    run_length = length;
    seen.push_back(std::move(key));
    i = j;
  }
  return true;
}

}  // namespace

const FormatMapping& format_mapping(char letter) {
  for (const FormatMapping& f : kFormats)
    if (f.letter == letter) return f;
  return kFormats[2];  // 'f': callers check is_format_letter() first
}

std::string document_format_for(char letter, const QueueInfo& queue) {
  std::string_view own = format_mapping(letter).document_format;
  if (contains(queue.document_formats, own) || !contains(queue.document_formats, kOctetStream))
    return std::string(own);
  return std::string(kOctetStream);
}

JobPlan plan_job(const ControlFile& control) {
  JobPlan plan;
  auto name_of = [&](const std::string& file) {
    auto it = control.source_names.find(file);
    return it == control.source_names.end() ? std::string() : it->second;
  };
  int run_length = 1;
  const bool uniform = is_uniform_runs(control.prints, run_length);
  plan.copies = uniform ? run_length : 1;
  for (std::size_t i = 0; i < control.prints.size(); i += uniform ? static_cast<std::size_t>(run_length) : 1) {
    const PrintLine& p = control.prints[i];
    plan.documents.push_back({p.data_file, p.format, name_of(p.data_file)});
  }
  return plan;
}

IppMessage make_print_job(const QueueInfo& queue, const ControlFile& control, const JobPlan& plan) {
  IppMessage request = job_request(IPP_OP_PRINT_JOB, queue, control);
  request.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", truncated(job_name(control, plan)));
  add_document_attributes(request, queue, plan.documents.front());
  add_job_groups(request, control, plan);
  return request;
}

IppMessage make_create_job(const QueueInfo& queue, const ControlFile& control, const JobPlan& plan) {
  IppMessage request = job_request(IPP_OP_CREATE_JOB, queue, control);
  request.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", truncated(job_name(control, plan)));
  add_job_groups(request, control, plan);
  return request;
}

IppMessage make_send_document(const QueueInfo& queue, const ControlFile& control, int job_id,
                              const PlannedDocument& document, bool last) {
  IppMessage request = job_request(IPP_OP_SEND_DOCUMENT, queue, control);
  request.add_integer(IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  add_document_attributes(request, queue, document);
  request.add_boolean(IPP_TAG_OPERATION, "last-document", last);
  return request;
}

int job_id_of(const IppMessage& response) { return response.find_integer("job-id", IPP_TAG_JOB).value_or(0); }

}  // namespace quire::lpd
