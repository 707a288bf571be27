// Ghostscript command lines for each printer language, and the page events they emit.
#include "pipeline/ghostscript_command.hpp"

#include <cstdio>

namespace quire {
namespace {

// Each input page writes QUIRE-PAGE on stderr. Global VM: a document's save/restore
// cannot undo it. With NupControl or PageList, EndPage still runs once per input page
// (for PostScript even for the pages PageList skips; PDF skips them entirely), so the
// filter turns these events into impressions itself.
constexpr const char* kPageHook =
    "<< /EndPage { exch pop 2 ne dup { (%stderr) (w) file dup (QUIRE-PAGE\\n) writestring flushfile } if } "
    ">> setpagedevice";
constexpr const char* kDocMarker = "(%stderr) (w) file dup (QUIRE-DOC\\n) writestring flushfile";

std::string nup_control(int up) {
  switch (up) {
    case 2: return "2x1";
    case 4: return "2x2";
    case 6: return "2x3";
    case 9: return "3x3";
    case 16: return "4x4";
    default: return "";
  }
}

bool is_raster_device(std::string_view d) { return d == "pwgraster" || d == "urf" || d == "cups"; }

int resolution_for(std::string_view device, const JobOptions& o) {
  if (o.resolution_dpi > 0) return o.resolution_dpi;
  if (device == "pdfwrite" || device == "ps2write") return 720;
  if (is_raster_device(device)) return o.quality == 3 ? 150 : o.quality == 5 ? 600 : 300;
  if (device.starts_with("ljet")) return o.quality == 3 ? 300 : 600;
  return o.quality == 3 ? 300 : o.quality == 5 ? 1200 : 600;  // pxlmono / pxlcolor
}

// Rotates each page for orientation-requested landscape (4) and reverse-landscape (5).
std::string orientation_hook(const JobOptions& o) {
  if (o.orientation == 4)
    return "<< /BeginPage { pop currentpagedevice /PageSize get aload pop pop 0 translate 90 rotate } >> setpagedevice";
  if (o.orientation == 5)
    return "<< /BeginPage { pop currentpagedevice /PageSize get aload pop exch pop 0 exch translate -90 rotate } >> setpagedevice";
  if (o.orientation == 6)
    return "<< /BeginPage { pop currentpagedevice /PageSize get aload pop translate 180 rotate } >> setpagedevice";
  return "";
}

}  // namespace

std::string ghostscript_device(std::string_view final_type, std::string_view driver_device, const JobOptions& o) {
  std::string device(driver_device);
  if (device.empty()) {
    if (final_type == "application/vnd.hp-pclxl") device = "pxlmono";
    else if (final_type == "application/vnd.hp-pcl") device = "ljet4";
    else if (final_type == "application/postscript" || final_type == "application/vnd.cups-postscript") device = "ps2write";
    else if (final_type == "application/pdf" || final_type == "application/vnd.cups-pdf") device = "pdfwrite";
    else if (final_type == "image/pwg-raster") device = "pwgraster";
    else if (final_type == "image/urf") device = "urf";
    else if (final_type == "application/vnd.cups-raster") device = "cups";
  }
  if (o.color_mode == "monochrome" && device == "pxlcolor") device = "pxlmono";
  if (o.is_duplex() && device == "ljet4") device = "ljet4d";
  return device;
}

bool device_makes_copies(std::string_view device) { return device.starts_with("pxl") || device.starts_with("ljet"); }

std::vector<std::string> ghostscript_argv(const GhostscriptJob& job) {
  const JobOptions& o = job.options;
  std::vector<std::string> a = {job.gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOINTERPOLATE",
                                "-sDEVICE=" + job.device, "-sOutputFile=%stdout",
                                // PostScript's own stdout (error reports, print) must not join the output
                                "-sstdout=%stderr"};
  if (job.device == "pdfwrite" || job.device == "ps2write") a.emplace_back("-dAutoRotatePages=/None");
  a.push_back("-r" + std::to_string(resolution_for(job.device, o)));
  if (o.media_width_pt > 0 && o.media_length_pt > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "-dDEVICEWIDTHPOINTS=%.2f", o.media_width_pt);
    a.emplace_back(buf);
    std::snprintf(buf, sizeof buf, "-dDEVICEHEIGHTPOINTS=%.2f", o.media_length_pt);
    a.emplace_back(buf);
    a.emplace_back("-dFIXEDMEDIA");
  }
  if (o.fit_to_page) {
    a.emplace_back(job.input_type == "application/pdf" ? "-dPDFFitPage" : "-dFitPage");
  }
  if (job.input_type == "image/x-eps") a.emplace_back("-dEPSFitPage");
  if (!o.page_ranges.empty()) a.push_back("-sPageList=" + page_list_text(o.page_ranges));
  if (auto nup = nup_control(o.number_up); !nup.empty()) a.push_back("-sNupControl=" + nup);
  if (o.is_duplex() && (job.device.starts_with("pxl") || job.device == "ljet4d" || job.device == "ps2write")) {
    a.emplace_back("-dDuplex=true");
    if (o.sides == "two-sided-short-edge") a.emplace_back("-dTumble=true");
  }
  if (is_raster_device(job.device)) {
    bool gray = o.color_mode == "monochrome";
    a.push_back(gray ? "-dcupsColorSpace=18" : "-dcupsColorSpace=19");
    a.emplace_back("-dcupsBitsPerColor=8");
  }
  int device_copies = 1;
  if (device_makes_copies(job.device) && !o.collate) device_copies = o.copies;
  if (device_copies > 1) a.push_back("-dNumCopies=" + std::to_string(device_copies));
  std::string setup = kPageHook;
  if (auto rotate = orientation_hook(o); !rotate.empty()) setup += " " + rotate;
  a.emplace_back("-c");
  a.push_back(setup);
  a.emplace_back("-c");
  a.emplace_back(kDocMarker);
  a.emplace_back("-f");
  a.push_back(job.input);
  return a;
}

bool worker_can_run(const GhostscriptJob& job) {
  const JobOptions& o = job.options;
  // Devices measured to start a fresh, complete stream each time they are reused;
  // ljet4 writes its printer reset only on the instance's first page ever, and
  // ps2write's reused instance lost its pages.
  bool device_ok = job.device == "pxlmono" || job.device == "pxlcolor" || job.device == "pdfwrite";
  return device_ok && o.page_ranges.empty() && o.number_up == 1 && !o.fit_to_page && o.orientation <= 3 &&
         o.media_width_pt == 0 && job.input_type != "image/x-eps";
}

std::string worker_setup(const GhostscriptJob& job) {
  const JobOptions& o = job.options;
  int dpi = resolution_for(job.device, o);
  std::string ps = "<< /OutputDevice /" + job.device + " /OutputFile (%stdout) /HWResolution [" + std::to_string(dpi) +
                   " " + std::to_string(dpi) + "]";
  if (device_makes_copies(job.device) && !o.collate && o.copies > 1) ps += " /NumCopies " + std::to_string(o.copies);
  if (o.is_duplex() && job.device.starts_with("pxl"))
    ps += std::string(" /Duplex true /Tumble ") + (o.sides == "two-sided-short-edge" ? "true" : "false");
  ps += " >> setpagedevice ";
  ps += kPageHook;
  ps += " ";
  ps += kDocMarker;
  return ps;
}

std::optional<std::string> GhostscriptPageCounter::feed(std::string_view line) {
  if (line == "QUIRE-DOC") {
    page_in_doc_ = 0;
    selected_in_doc_ = 0;
    return std::string();
  }
  if (line != "QUIRE-PAGE") return std::nullopt;
  ++page_in_doc_;
  bool selected = pdf_ || options_.selects(page_in_doc_);
  if (!selected) return std::string();
  if (selected_in_doc_++ % options_.number_up != 0) return std::string();
  ++impressions_;
  return "PAGE: " + std::to_string(impressions_) + " " + std::to_string(device_copies_);
}

}  // namespace quire
