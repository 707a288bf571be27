// Ghostscript command lines for each printer language, and the page events they emit.
#include "pipeline/ghostscript_command.hpp"

#include <algorithm>
#include <cctype>
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

struct Grid {
  int columns = 1;
  int rows = 1;
};

Grid nup_grid(int up) {
  switch (up) {
    case 2: return {2, 1};
    case 4: return {2, 2};
    case 6: return {2, 3};
    case 9: return {3, 3};
    case 16: return {4, 4};
    default: return {1, 1};
  }
}

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

std::vector<int> nup_page_order(const std::vector<int>& pages, int number_up, std::string_view layout) {
  static const std::string_view kLayouts[] = {"lrtb", "lrbt", "rltb", "rlbt", "tblr", "tbrl", "btlr", "btrl"};
  if (std::find(std::begin(kLayouts), std::end(kLayouts), layout) == std::end(kLayouts)) return {};
  Grid g = nup_grid(number_up);
  int per_sheet = g.columns * g.rows;
  bool horizontal_first = layout[0] == 'l' || layout[0] == 'r';
  bool right_to_left = layout.find("rl") != std::string_view::npos;
  bool bottom_to_top = layout.find("bt") != std::string_view::npos;
  std::vector<int> order;
  for (std::size_t sheet = 0; sheet * per_sheet < pages.size(); ++sheet) {
    std::vector<int> slots(static_cast<std::size_t>(per_sheet), 0);
    for (int k = 0; k < per_sheet && sheet * per_sheet + k < pages.size(); ++k) {
      int col = horizontal_first ? k % g.columns : k / g.rows;
      int row = horizontal_first ? k / g.columns : k % g.rows;
      if (right_to_left) col = g.columns - 1 - col;
      if (bottom_to_top) row = g.rows - 1 - row;
      slots[static_cast<std::size_t>(row * g.columns + col)] = pages[sheet * per_sheet + static_cast<std::size_t>(k)];
    }
    // Trailing blanks of the last sheet need not be shown.
    while (!slots.empty() && slots.back() == 0 && (sheet + 1) * per_sheet >= pages.size()) slots.pop_back();
    order.insert(order.end(), slots.begin(), slots.end());
  }
  return order;
}

std::string pdf_page_order_program(const std::string& pdf_path, const std::vector<int>& order) {
  std::string ps = "(";
  for (char c : pdf_path) {
    if (c == '(' || c == ')' || c == '\\') ps += '\\';
    ps += c;
  }
  ps += ") (r) file runpdfbegin\n[";
  for (int p : order) ps += " " + std::to_string(p);
  ps += " ] { dup 0 eq { pop showpage } { pdfgetpage pdfshowpage } ifelse } forall\nrunpdfend\n";
  return ps;
}

std::optional<int> media_position(std::string_view device, std::string_view source) {
  // IPP keyword, PCL XL MediaSource, PCL 5 "ESC&l#H" paper source.
  struct Tray {
    std::string_view keyword;
    int pclxl;
    int pcl5;
  };
  static constexpr Tray kTrays[] = {{"auto", 1, 7},         {"main", 4, 1},     {"tray-1", 4, 1},
                                    {"top", 4, 1},          {"manual", 2, 2},   {"by-pass-tray", 3, 8},
                                    {"tray-2", 5, 4},       {"bottom", 5, 4},   {"envelope", 6, 6},
                                    {"tray-3", 7, 5}};
  bool pclxl = device.starts_with("pxl");
  if (!pclxl && !device.starts_with("ljet")) return std::nullopt;
  std::string key;  // "Tray2" (a PPD's InputSlot) reads as tray-2
  for (char c : source) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::isdigit(static_cast<unsigned char>(l)) && !key.empty() && std::isalpha(static_cast<unsigned char>(key.back())))
      key += '-';
    key += l;
  }
  for (const auto& t : kTrays)
    if (t.keyword == key) return pclxl ? t.pclxl : t.pcl5;
  return std::nullopt;
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
  if (auto tray = media_position(job.device, o.media_source)) a.push_back("-dMediaPosition=" + std::to_string(*tray));
  for (const auto& f : job.readable_files) a.push_back("--permit-file-read=" + f);
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
  // A tray is a device parameter a reused device does not take from setpagedevice.
  return device_ok && o.page_ranges.empty() && o.number_up == 1 && !o.fit_to_page && o.orientation <= 3 &&
         o.media_width_pt == 0 && !media_position(job.device, o.media_source) && job.input_type != "image/x-eps";
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
