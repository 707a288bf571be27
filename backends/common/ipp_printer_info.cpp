// Reading Get-Printer-Attributes responses.
#include "ipp_printer_info.hpp"

#include <cstring>

#include "backend_status.hpp"

namespace quire::backend {

const char* const kPrinterAttributes[] = {"operations-supported",  "printer-is-accepting-jobs",
                                          "printer-state",         "printer-state-reasons",
                                          "printer-state-message", "document-format-supported",
                                          "copies-supported"};
const int kPrinterAttributeCount = sizeof kPrinterAttributes / sizeof kPrinterAttributes[0];

namespace {

bool supports(ipp_t* response, ipp_op_t operation) {
  ipp_attribute_t* ops = ippFindAttribute(response, "operations-supported", IPP_TAG_ENUM);
  return ops && ippContainsInteger(ops, operation);
}

std::string choose_format(ipp_t* response, const std::string& wanted) {
  ipp_attribute_t* formats =
      ippFindAttribute(response, "document-format-supported", IPP_TAG_MIMETYPE);
  if (!formats) return "";
  // CUPS's internal types ("application/vnd.cups-raw", "printer/...") mean nothing remotely.
  bool internal =
      wanted.empty() || wanted.starts_with("printer/") || wanted == "application/vnd.cups-raw";
  if (!internal && ippContainsString(formats, wanted.c_str())) return wanted;
  if (ippContainsString(formats, "application/octet-stream")) return "application/octet-stream";
  return "";
}

bool is_device_condition(const char* reason) {
  std::string_view r(reason);
  return r.ends_with("-error") || r.ends_with("-warning") || r.ends_with("-report");
}

}  // namespace

PrinterInfo read_printer_info(ipp_t* response, const std::string& wanted_format) {
  PrinterInfo info;
  info.create_job =
      supports(response, IPP_OP_CREATE_JOB) && supports(response, IPP_OP_SEND_DOCUMENT);
  info.validate_job = supports(response, IPP_OP_VALIDATE_JOB);
  info.get_job_attributes = supports(response, IPP_OP_GET_JOB_ATTRIBUTES);
  if (ipp_attribute_t* a =
          ippFindAttribute(response, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN)) {
    info.accepting = ippGetBoolean(a, 0);
  }
  if (ipp_attribute_t* a = ippFindAttribute(response, "copies-supported", IPP_TAG_RANGE)) {
    ippGetRange(a, 0, &info.max_copies);
  }
  if (ipp_attribute_t* a = ippFindAttribute(response, "printer-state-message", IPP_TAG_TEXT)) {
    info.state_message = ippGetString(a, 0, nullptr);
  }
  info.document_format = choose_format(response, wanted_format);
  return info;
}

void RemoteReasons::update(ipp_t* response) {
  std::set<std::string> now;
  ipp_attribute_t* a = ippFindAttribute(response, "printer-state-reasons", IPP_TAG_KEYWORD);
  for (int i = 0; a && i < ippGetCount(a); ++i) {
    const char* reason = ippGetString(a, i, nullptr);
    if (reason && is_device_condition(reason)) now.insert(reason);
  }
  for (const std::string& r : reported_) {
    if (!now.count(r)) report_state("-" + r);
  }
  for (const std::string& r : now) {
    if (!reported_.count(r)) report_state("+" + r);
  }
  reported_ = std::move(now);
}

void RemoteReasons::clear() {
  for (const std::string& r : reported_) report_state("-" + r);
  reported_.clear();
}

}  // namespace quire::backend
