// The IPP description of a printer: what it supports (built once per configuration
// change and host name, then reused) and which of a job's template attributes it
// cannot honour. Pure functions over values; no scheduler state.
#pragma once

#include "quire/ipp_message.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

// The configuration of one printer (from printers.conf), as the attribute builder
// needs it.
struct PrinterDescription {
  std::string name;              // "demo"
  std::string info;              // printer-info
  std::string location;          // printer-location
  std::string make_and_model;    // printer-make-and-model
  std::string device_uri;        // device-uri (admins only see it, but we carry it)
  std::string uuid;              // "urn:uuid:..." stable across restarts
  bool is_class = false;
  bool color = true;
  bool duplex = true;
  std::vector<std::string> document_formats;  // document-format-supported
  std::string media_default = "iso_a4_210x297mm";
  std::vector<std::string> media_supported;   // empty: a built-in common list
  std::vector<int> resolutions_dpi = {300, 600};  // square resolutions
  std::int64_t config_change_time = 0;        // unix seconds
};

// The attributes of a printer that only change with its configuration, for a request
// that reached the server as `host` ("localhost:631"): printer-uri-supported etc. are
// built from it. All in IPP_TAG_PRINTER.
IppMessage build_printer_attributes(const PrinterDescription& printer, std::string_view host);

// Which attributes a client asked for (requested-attributes), with CUPS's group
// names expanded: "all", "job-template", "printer-description", "job-description",
// "job-status" ... Absent requested-attributes means the operation's default.
class RequestedAttributes {
 public:
  static RequestedAttributes from_request(const IppMessage& request, std::string_view default_group);
  bool wants(std::string_view name) const;
  bool wants_all() const { return all_; }

 private:
  bool all_ = false;
  std::set<std::string, std::less<>> names_;
};

// Copies from `source` into `dest` (group `group`) every attribute `requested` wants.
void copy_requested(const IppMessage& source, IppMessage& dest, const RequestedAttributes& requested,
                    ipp_tag_t group);

// Checks a Print-Job / Validate-Job / Create-Job request's job template and operation
// attributes against what `printer` supports (copies, sides, media, media-col,
// print-quality, printer-resolution, orientation-requested, print-color-mode,
// job-priority, job-hold-until, job-sheets, page-ranges, number-up, finishings,
// output-bin, multiple-document-handling, ...). Every unsupported attribute or value
// is copied into `unsupported` (the response's IPP_TAG_UNSUPPORTED_GROUP). Returns
// the status the operation should answer: successful-ok,
// successful-ok-ignored-or-substituted-attributes (ipp-attribute-fidelity false and
// something unsupported), client-error-attributes-or-values-not-supported (fidelity
// true), or client-error-bad-request for a wrong value tag or count.
ipp_status_t check_job_template(const IppMessage& request, const PrinterDescription& printer,
                                IppMessage& unsupported_out);

}  // namespace quire
