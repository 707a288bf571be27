// Builds the configuration-dependent printer attributes (RFC 8011, PWG 5100.12, plus
// what CUPS clients read) and owns the list of supported operations.
//
// Not built here: attributes that change without a configuration change. The scheduler
// adds them to each Get-Printer-Attributes / CUPS-Get-Printers response, in
// IPP_TAG_PRINTER, from its own state:
//   printer-state (enum), printer-state-reasons (1setOf keyword),
//   printer-state-message (text), printer-is-accepting-jobs (boolean),
//   queued-job-count (integer), printer-up-time (integer, seconds since start, > 0),
//   printer-current-time (dateTime), printer-state-change-time (integer),
//   printer-state-change-date-time (dateTime), printer-is-shared (boolean),
//   printer-message-from-operator (text, when set), printer-id (integer, CUPS),
//   member-uris / member-names (classes; they follow the class's members), and, for
//   administrators only, device-uri. It also ORs CUPS_PRINTER_REJECTING,
//   CUPS_PRINTER_DEFAULT and CUPS_PRINTER_NOT_SHARED into printer-type as they apply.
#include "quire/printer_attributes.hpp"

#include "ipp/media.hpp"
#include "ipp/printer_capabilities.hpp"

#include <cups/cups.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>

namespace quire {
namespace {

namespace caps = capabilities;
constexpr ipp_tag_t kPrinter = IPP_TAG_PRINTER;
// RFC 8011 limits printer-info, printer-location and printer-make-and-model to 127 octets.
constexpr std::size_t kMaxTextOctets = 127;

template <typename Range>
std::vector<std::string> to_strings(const Range& range) {
  return std::vector<std::string>(range.begin(), range.end());
}

template <typename Range>
std::vector<int> to_ints(const Range& range) {
  return std::vector<int>(range.begin(), range.end());
}

// Cuts `text` to at most `max` octets without splitting a UTF-8 sequence.
std::string truncate_utf8(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

// Percent-encodes a printer name for use as one URI path segment.
std::string encode_path_segment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : segment) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("-._~!$&'()*+,;=:@").find(static_cast<char>(c)) != std::string_view::npos;
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string resource_path(const PrinterDescription& printer) {
  return (printer.is_class ? "/classes/" : "/printers/") + encode_path_segment(printer.name);
}

// A stable name-based UUID (MD5, version 3 layout) for printers configured without one.
std::string derive_uuid(std::string_view name) {
  std::string seed = "quire-printer:" + std::string(name);
  unsigned char hash[16] = {};
  cupsHashData("md5", seed.data(), seed.size(), hash, sizeof(hash));
  hash[6] = static_cast<unsigned char>((hash[6] & 0x0F) | 0x30);
  hash[8] = static_cast<unsigned char>((hash[8] & 0x3F) | 0x80);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer),
                "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", hash[0],
                hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7], hash[8], hash[9], hash[10],
                hash[11], hash[12], hash[13], hash[14], hash[15]);
  return buffer;
}

// CUPS's printer-type bits that follow from the configuration alone.
int static_printer_type(const PrinterDescription& printer) {
  int type = CUPS_PRINTER_BW;
  if (printer.is_class) type |= CUPS_PRINTER_CLASS;
  if (printer.color) type |= CUPS_PRINTER_COLOR;
  if (printer.duplex) type |= CUPS_PRINTER_DUPLEX;
  // CUPS's size classes: up to 14" long is small, up to 24" medium, beyond that large.
  for (const auto& size : media::supported_sizes(printer)) {
    if (size.length > 60960)
      type |= CUPS_PRINTER_LARGE;
    else if (size.length > 35560)
      type |= CUPS_PRINTER_MEDIUM;
    else
      type |= CUPS_PRINTER_SMALL;
  }
  return type;
}

void add_identity(IppMessage& out, const PrinterDescription& printer, std::string_view host) {
  const std::string path = resource_path(printer);
  const std::string fallback_model = printer.is_class ? "Local Printer Class" : "Local Raw Printer";
  out.add_string(kPrinter, IPP_TAG_URI, "printer-uri-supported", "ipp://" + std::string(host) + path);
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "uri-security-supported", "none");
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "uri-authentication-supported", "requesting-user-name");
  out.add_string(kPrinter, IPP_TAG_NAME, "printer-name", printer.name);
  out.add_string(kPrinter, IPP_TAG_TEXT, "printer-info",
                 truncate_utf8(printer.info.empty() ? printer.name : printer.info, kMaxTextOctets));
  out.add_string(kPrinter, IPP_TAG_TEXT, "printer-location", truncate_utf8(printer.location, kMaxTextOctets));
  out.add_string(kPrinter, IPP_TAG_TEXT, "printer-make-and-model",
                 truncate_utf8(printer.make_and_model.empty() ? fallback_model : printer.make_and_model,
                               kMaxTextOctets));
  out.add_string(kPrinter, IPP_TAG_URI, "printer-more-info", "http://" + std::string(host) + path);
  out.add_string(kPrinter, IPP_TAG_URI, "printer-uuid",
                 printer.uuid.empty() ? derive_uuid(printer.name) : printer.uuid);
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "printer-kind", "document");
  out.add_integer(kPrinter, IPP_TAG_ENUM, "printer-type", static_printer_type(printer));
}

void add_protocol(IppMessage& out, const PrinterDescription& printer) {
  out.add_string(kPrinter, IPP_TAG_CHARSET, "charset-configured", "utf-8");
  out.add_strings(kPrinter, IPP_TAG_CHARSET, "charset-supported", {"us-ascii", "utf-8"});
  out.add_string(kPrinter, IPP_TAG_LANGUAGE, "natural-language-configured", "en");
  out.add_string(kPrinter, IPP_TAG_LANGUAGE, "generated-natural-language-supported", "en");
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "ipp-versions-supported", {"1.0", "1.1", "2.0"});
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "ipp-features-supported", "none");
  std::vector<int> ops;
  for (ipp_op_t op : supported_operations()) ops.push_back(op);
  out.add_integers(kPrinter, IPP_TAG_ENUM, "operations-supported", ops);
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "compression-supported", to_strings(caps::kCompression));
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "pdl-override-supported", "attempted");
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "job-creation-attributes-supported",
                  to_strings(caps::kJobCreationAttributes));
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "job-settable-attributes-supported",
                  to_strings(caps::kJobSettableAttributes));
  out.add_boolean(kPrinter, "multiple-document-jobs-supported", true);
  out.add_integer(kPrinter, IPP_TAG_INTEGER, "multiple-operation-time-out", caps::kMultipleOperationTimeOut);
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "multiple-operation-time-out-action", "process-job");
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "printer-get-attributes-supported", "document-format");
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "which-jobs-supported", to_strings(caps::kWhichJobs));
  out.add_boolean(kPrinter, "job-ids-supported", true);
  out.add_boolean(kPrinter, "preferred-attributes-supported", false);
  // Unix seconds, like CUPS (whose printer-up-time is Unix time too); the syntax is
  // integer(1:MAX), so an unset time still reads as 1.
  const auto changed = std::clamp<std::int64_t>(printer.config_change_time, 1, INT32_MAX);
  out.add_integer(kPrinter, IPP_TAG_INTEGER, "printer-config-change-time", static_cast<int>(changed));
  ippAddDate(out.get(), kPrinter, "printer-config-change-date-time", ippTimeToDate(static_cast<time_t>(changed)));
}

void add_document_formats(IppMessage& out, const PrinterDescription& printer) {
  const auto formats = caps::document_formats(printer);
  out.add_string(kPrinter, IPP_TAG_MIMETYPE, "document-format-default", caps::document_format_default(printer));
  out.add_strings(kPrinter, IPP_TAG_MIMETYPE, "document-format-supported", formats);
  if (!caps::contains(formats, std::string(caps::kPwgRaster))) return;

  const auto dpi = caps::resolutions(printer);
  ippAddResolutions(out.get(), kPrinter, "pwg-raster-document-resolution-supported", static_cast<int>(dpi.size()),
                    IPP_RES_PER_INCH, dpi.data(), dpi.data());
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "pwg-raster-document-sheet-back", "normal");
  std::vector<std::string> types = {"black_1", "sgray_8"};
  if (printer.color) types.emplace_back("srgb_8");
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "pwg-raster-document-type-supported", types);
}

// Defaults and supported values of the job template attributes other than media.
void add_job_template(IppMessage& out, const PrinterDescription& printer) {
  out.add_integer(kPrinter, IPP_TAG_INTEGER, "copies-default", caps::kCopiesDefault);
  ippAddRange(out.get(), kPrinter, "copies-supported", 1, kMaxCopies);
  out.add_integer(kPrinter, IPP_TAG_ENUM, "finishings-default", caps::kFinishingsDefault);
  out.add_integers(kPrinter, IPP_TAG_ENUM, "finishings-supported", to_ints(caps::kFinishings));
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "job-hold-until-default", caps::kJobHoldUntilDefault);
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "job-hold-until-supported", to_strings(caps::kJobHoldUntil));
  out.add_integer(kPrinter, IPP_TAG_INTEGER, "job-priority-default", printer.job_priority_default);
  // job-priority-supported is the number of distinct levels, not a range.
  out.add_integer(kPrinter, IPP_TAG_INTEGER, "job-priority-supported", caps::kJobPriorityMax);
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "job-sheets-default", caps::kJobSheetsDefault);
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "job-sheets-supported", to_strings(caps::kJobSheets));
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "multiple-document-handling-default",
                 caps::kMultipleDocumentHandlingDefault);
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "multiple-document-handling-supported",
                  to_strings(caps::kMultipleDocumentHandling));
  out.add_integer(kPrinter, IPP_TAG_INTEGER, "number-up-default", caps::kNumberUpDefault);
  out.add_integers(kPrinter, IPP_TAG_INTEGER, "number-up-supported", to_ints(caps::kNumberUp));
  out.add_integer(kPrinter, IPP_TAG_ENUM, "orientation-requested-default", caps::kOrientationDefault);
  out.add_integers(kPrinter, IPP_TAG_ENUM, "orientation-requested-supported", to_ints(caps::kOrientations));
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "output-bin-default", caps::kOutputBinDefault);
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "output-bin-supported", to_strings(caps::kOutputBins));
  out.add_boolean(kPrinter, "page-ranges-supported", true);
  out.add_integer(kPrinter, IPP_TAG_ENUM, "print-quality-default", caps::kPrintQualityDefault);
  out.add_integers(kPrinter, IPP_TAG_ENUM, "print-quality-supported", to_ints(caps::kPrintQuality));
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "print-scaling-default", caps::kPrintScalingDefault);
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "print-scaling-supported", to_strings(caps::kPrintScaling));
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "sides-default", "one-sided");
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "sides-supported", to_strings(caps::sides(printer)));
}

void add_color_and_resolution(IppMessage& out, const PrinterDescription& printer) {
  out.add_boolean(kPrinter, "color-supported", printer.color);
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "print-color-mode-default", caps::color_mode_default(printer));
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "print-color-mode-supported", to_strings(caps::color_modes(printer)));
  out.add_integer(kPrinter, IPP_TAG_INTEGER, "pages-per-minute", caps::kPagesPerMinute);
  // PWG 5100.12 requires pages-per-minute-color exactly when color-supported is true.
  if (printer.color) out.add_integer(kPrinter, IPP_TAG_INTEGER, "pages-per-minute-color", caps::kPagesPerMinute);

  const auto dpi = caps::resolutions(printer);
  ippAddResolution(out.get(), kPrinter, "printer-resolution-default", IPP_RES_PER_INCH, dpi.front(), dpi.front());
  ippAddResolutions(out.get(), kPrinter, "printer-resolution-supported", static_cast<int>(dpi.size()),
                    IPP_RES_PER_INCH, dpi.data(), dpi.data());
}

}  // namespace

const std::vector<ipp_op_t>& supported_operations() {
  // Every entry needs a handler in the dispatcher's table; add or remove here only.
  static const std::vector<ipp_op_t> kOperations = {
      IPP_OP_PRINT_JOB,
      IPP_OP_VALIDATE_JOB,
      IPP_OP_CREATE_JOB,
      IPP_OP_SEND_DOCUMENT,
      IPP_OP_CANCEL_JOB,
      IPP_OP_GET_JOB_ATTRIBUTES,
      IPP_OP_GET_JOBS,
      IPP_OP_GET_PRINTER_ATTRIBUTES,
      IPP_OP_HOLD_JOB,
      IPP_OP_RELEASE_JOB,
      IPP_OP_RESTART_JOB,
      IPP_OP_PAUSE_PRINTER,
      IPP_OP_RESUME_PRINTER,
      IPP_OP_PURGE_JOBS,
      IPP_OP_SET_JOB_ATTRIBUTES,
      IPP_OP_ENABLE_PRINTER,
      IPP_OP_DISABLE_PRINTER,
      IPP_OP_CANCEL_JOBS,
      IPP_OP_CANCEL_MY_JOBS,
      IPP_OP_CLOSE_JOB,
      IPP_OP_CUPS_GET_DEFAULT,
      IPP_OP_CUPS_GET_PRINTERS,
      IPP_OP_CUPS_ADD_MODIFY_PRINTER,
      IPP_OP_CUPS_DELETE_PRINTER,
      IPP_OP_CUPS_GET_CLASSES,
      IPP_OP_CUPS_ADD_MODIFY_CLASS,
      IPP_OP_CUPS_DELETE_CLASS,
      IPP_OP_CUPS_ACCEPT_JOBS,
      IPP_OP_CUPS_REJECT_JOBS,
      IPP_OP_CUPS_SET_DEFAULT,
      IPP_OP_CUPS_MOVE_JOB,
  };
  return kOperations;
}

IppMessage build_printer_attributes(const PrinterDescription& printer, std::string_view host) {
  IppMessage out;
  add_identity(out, printer, host);
  add_protocol(out, printer);
  add_document_formats(out, printer);
  add_job_template(out, printer);
  add_color_and_resolution(out, printer);
  media::add_media_attributes(out, printer);
  return out;
}

}  // namespace quire
