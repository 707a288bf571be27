// The Ghostscript route: one gs process from PDF/PostScript/EPS straight to the
// printer's language, with the job's options as gs parameters, and page counting by
// an EndPage hook (exact, no second rendering). Used by the quire-gs filter
// (filters/quire-gs.cpp), which runs in the job's process group, never in the daemon.
#pragma once

#include "pipeline/job_options.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace quire {

struct GhostscriptJob {
  std::string device;       // gs -sDEVICE, from ghostscript_device()
  std::string input_type;   // application/pdf, application/postscript, image/x-eps
  std::string input = "-";  // a file, or "-" for standard input
  JobOptions options;
  std::string gs = "gs";
};

// The gs device for a final type. `driver_device` (the driver's choice, e.g. pxlcolor)
// wins when set; monochrome jobs turn colour devices into their grey twins, duplex
// PCL 5 uses ljet4d. Empty when gs cannot write `final_type`.
std::string ghostscript_device(std::string_view final_type, std::string_view driver_device, const JobOptions& options);

// Whether `device` makes copies itself (-dNumCopies lands in the printer language).
bool device_makes_copies(std::string_view device);

// The complete argv (argv[0] = gs). Always -dSAFER, -dBATCH, -dNOPAUSE, output on
// standard output. Each input page writes "QUIRE-PAGE" to stderr; each run of the
// input starts with "QUIRE-DOC".
std::vector<std::string> ghostscript_argv(const GhostscriptJob& job);

// Whether a warm worker (quire-gsd) can run `job`: PCL XL or PDF output, and options
// that are all page-device parameters (no page selection, N-up, fitting, fixed media
// or rotation, which are command-line switches of a fresh gs).
bool worker_can_run(const GhostscriptJob& job);

// The PostScript a warm worker runs before the document: device, output, resolution,
// copies, duplex, and the page events of ghostscript_argv().
std::string worker_setup(const GhostscriptJob& job);

// Turns gs's page events into CUPS PAGE: lines for the impressions that come out
// (page ranges and N-up applied). Feed it every stderr line of gs.
class GhostscriptPageCounter {
 public:
  GhostscriptPageCounter(const JobOptions& options, bool input_is_pdf, int device_copies)
      : options_(options), pdf_(input_is_pdf), device_copies_(device_copies) {}
  // Returns a "PAGE: n copies" line when `line` starts a new impression, "" when it
  // is a page event that does not, and nullopt when it is not a page event at all.
  std::optional<std::string> feed(std::string_view line);
  int impressions() const { return impressions_; }

 private:
  JobOptions options_;
  bool pdf_;
  int device_copies_;
  int page_in_doc_ = 0;
  int selected_in_doc_ = 0;
  int impressions_ = 0;
};

}  // namespace quire
