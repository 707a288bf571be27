// What the ipp backend needs to know about the remote printer, read from one
// Get-Printer-Attributes response, and the printer-state-reasons it passes on.
#pragma once

#include <cups/ipp.h>

#include <set>
#include <string>

namespace quire::backend {

// The attributes the backend asks for.
extern const char* const kPrinterAttributes[];
extern const int kPrinterAttributeCount;

struct PrinterInfo {
  bool create_job = false;  // else Print-Job
  bool validate_job = false;
  bool get_job_attributes = false;  // else the job cannot be followed
  bool accepting = true;
  int max_copies = 1;
  std::string document_format;  // what to send the document as ("" = say nothing)
  std::string state_message;
};

// `wanted_format` is the job's final MIME type (FINAL_CONTENT_TYPE); it is used when the
// printer lists it, else application/octet-stream.
PrinterInfo read_printer_info(ipp_t* response, const std::string& wanted_format);

// Forwards the remote printer's device conditions (reasons ending in -error, -warning or
// -report, such as media-empty-error) as STATE: lines, adding and removing as they change.
class RemoteReasons {
 public:
  void update(ipp_t* response);
  void clear();  // removes every reason this backend added

 private:
  std::set<std::string> reported_;
};

}  // namespace quire::backend
