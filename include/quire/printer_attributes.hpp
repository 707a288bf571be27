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
  int job_priority_default = 50;              // lpadmin -o job-priority-default=N
};

// copies-supported is 1..kMaxCopies (CUPS's default MaxCopies).
inline constexpr int kMaxCopies = 9999;

// The attributes of a printer that only change with its configuration, for a request
// that reached the server as `host` ("localhost:631"): printer-uri-supported etc. are
// built from it. All in IPP_TAG_PRINTER. The attributes that change with the printer's
// state (printer-state, queued-job-count, ...) are the scheduler's to add: the list is
// at the top of src/ipp/printer_attributes.cpp.
IppMessage build_printer_attributes(const PrinterDescription& printer, std::string_view host);

// The operations Quire implements, in operation-id order: operations-supported is built
// from this list and the dispatcher's table must have a handler for each entry.
const std::vector<ipp_op_t>& supported_operations();

// Which attributes a client asked for (requested-attributes), with the group names
// expanded: "all", "job-template", "job-description", "job-status", "job-actuals",
// "printer-description" (the tables are in src/ipp/attribute_groups.cpp). Names that
// are neither groups nor known attributes are kept as they are and simply match
// nothing. "all" and the groups leave out media-col-database, which a client gets
// only by naming it (as CUPS does: it is large). A plain value; copy it freely.
class RequestedAttributes {
 public:
  // Absent requested-attributes (or one not tagged keyword, which CUPS also ignores)
  // means `default_group`: a comma-separated list in the same vocabulary, e.g.
  // kDefaultRequestedAll or kGetJobsDefaultRequested.
  static RequestedAttributes from_request(const IppMessage& request, std::string_view default_group);
  // Parses a comma-separated list of attribute and group names.
  static RequestedAttributes from_list(std::string_view names);
  bool wants(std::string_view name) const;
  bool wants_all() const { return all_; }

 private:
  void add(std::string_view keyword);

  bool all_ = false;
  unsigned groups_ = 0;  // bit set of the groups named (see attribute_groups.hpp)
  std::set<std::string, std::less<>> names_;
};

inline constexpr std::string_view kDefaultRequestedAll = "all";
// RFC 8011: Get-Jobs without requested-attributes returns job-uri and job-id only.
inline constexpr std::string_view kGetJobsDefaultRequested = "job-id,job-uri";

// Copies from `source` into `dest` (group `group`; IPP_TAG_ZERO keeps each attribute's
// own) every attribute `requested` wants, in source order. The copies share nothing with
// `source`: collections are copied deeply, because libcups shares collection values
// between messages through a reference count that is not thread-safe. Reading `source`
// moves its libcups attribute cursor, so two threads must not copy from the same
// message at once: give each reader its own snapshot or serialise the calls.
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
//
// Also checked: the operation attributes ipp-attribute-fidelity, job-name, compression
// (client-error-compression-not-supported) and document-format
// (client-error-document-format-not-supported), which win over fidelity as RFC 8011
// says. Job status attributes a client must not supply (job-id, job-state, ...) count
// as unsupported. Attributes Quire does not know are left alone, not reported: CUPS
// clients send driver options (lp -o fit-to-page) as job attributes and the filters
// read them. media may carry several values, CUPS-style (size, source, type); a request
// with both media and media-col is a bad request (PWG 5100.3). A status message (e.g.
// "Unsupported copies value \"0\".") is added to `unsupported_out` as status-message,
// in the operation group ahead of the unsupported group (so call this before adding
// any later group), and also stored in `status_message` if given.
// With fidelity false, the job must not take the values reported as unsupported.
ipp_status_t check_job_template(const IppMessage& request, const PrinterDescription& printer,
                                IppMessage& unsupported_out, std::string* status_message = nullptr);

}  // namespace quire
