// The built-in drivers and PPD-described ones (see quire/drivers.hpp).
#include "quire/drivers.hpp"

#include "pipeline/conversion_graph.hpp"
#include "pipeline/mime_types.hpp"
#include "pipeline/ppd_file.hpp"
#include "quire/filter_catalog.hpp"

#include <cups/cups.h>

#include <algorithm>
#include <system_error>

namespace quire {
namespace {

const std::filesystem::path kPpdRoot = "/usr/share/ppd";

DriverInfo builtin(std::string id, std::string model, std::vector<std::string> formats, std::string gs_color = "",
                   std::string gs_mono = "") {
  DriverInfo d;
  d.id = std::move(id);
  d.make = "Generic";
  d.make_and_model = std::move(model);
  d.formats = std::move(formats);
  d.gs_device = std::move(gs_color);
  d.gs_device_mono = std::move(gs_mono);
  return d;
}

}  // namespace

const std::vector<DriverInfo>& builtin_drivers() {
  static const std::vector<DriverInfo> drivers = {
      builtin("quire/generic-pcl6", "Generic PCL 6/PCL XL Printer", {"application/vnd.hp-pclxl"}, "pxlcolor", "pxlmono"),
      builtin("quire/generic-pcl5e", "Generic PCL 5e Laser Printer", {"application/vnd.hp-pcl"}, "ljet4", "ljet4"),
      builtin("quire/generic-postscript", "Generic PostScript Printer", {"application/postscript"}, "ps2write", "ps2write"),
      builtin("quire/generic-pdf", "Generic PDF Printer", {"application/pdf"}, "pdfwrite", "pdfwrite"),
      builtin("everywhere", "Generic IPP Everywhere Printer", {"application/pdf", "image/pwg-raster", "image/urf"}),
      builtin("raw", "Raw Queue", {}),
  };
  return drivers;
}

std::expected<DriverInfo, std::string> driver_from_ppd(const std::filesystem::path& ppd) {
  auto file = read_ppd(ppd);
  if (!file) return std::unexpected(file.error());
  DriverInfo d;
  std::error_code ec;
  auto relative = std::filesystem::relative(ppd, kPpdRoot, ec);
  d.id = !ec && !relative.empty() && !relative.string().starts_with("..") ? "lsb/usr/" + relative.string() : ppd.string();
  d.make = file->manufacturer;
  d.make_and_model = file->nickname;
  d.device_id = file->device_id;
  d.ppd = ppd;
  d.formats = {"printer/ppd"};
  if (pwg_media_t* media = pwgMediaForPPD(file->default_page_size.c_str())) d.media_default = media->pwg;
  return d;
}

std::expected<DriverInfo, std::string> find_driver(std::string_view id) {
  for (const auto& d : builtin_drivers())
    if (d.id == id) return d;
  if (id.starts_with("lsb/usr/")) return driver_from_ppd(kPpdRoot / std::filesystem::path(std::string(id.substr(8))));
  if (id.starts_with("/")) return driver_from_ppd(std::filesystem::path(std::string(id)));
  return std::unexpected("unknown driver \"" + std::string(id) + "\"");
}

DriverCapabilities driver_capabilities(const DriverInfo& driver, const FilterCatalog& catalog, bool color, bool duplex) {
  DriverCapabilities c;
  if (driver.is_raw()) {
    c.document_formats = {std::string(kOctetStream)};
    c.number_up = {1};
    c.number_up_layouts = {"lrtb"};
    c.sides = {"one-sided"};
    c.color_modes = {color ? "color" : "monochrome"};
    c.job_sheets = {"none"};
    return c;
  }
  std::vector<Conversion> extra;
  if (!driver.ppd.empty())
    if (auto ppd = read_ppd(driver.ppd)) extra = ppd->filters;
  c.document_formats = {std::string(kOctetStream)};
  for (const auto& type : catalog.types().types())
    if (type != kOctetStream && catalog.graph().cheapest_chain(type, driver.formats, extra)) c.document_formats.push_back(type);
  c.number_up = {1, 2, 4, 6, 9, 16};
  c.number_up_layouts = {"lrtb", "lrbt", "rltb", "rlbt", "tblr", "tbrl", "btlr", "btrl"};
  c.sides = {"one-sided"};
  if (duplex) c.sides.insert(c.sides.end(), {"two-sided-long-edge", "two-sided-short-edge"});
  c.color_modes = {"monochrome"};
  if (color) c.color_modes.push_back("color");
  c.resolutions_dpi = driver.formats == std::vector<std::string>{"application/vnd.hp-pclxl"}
                          ? std::vector<int>{300, 600, 1200}
                          : std::vector<int>{300, 600};
  c.job_sheets = {"none", "standard"};
  c.page_ranges = true;
  c.fit_to_page = true;
  return c;
}

std::vector<DriverInfo> list_drivers(const std::vector<std::filesystem::path>& ppd_dirs) {
  std::vector<DriverInfo> out = builtin_drivers();
  std::vector<DriverInfo> ppds;
  for (const auto& dir : ppd_dirs) {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file(ec) || it->path().extension() != ".ppd") continue;
      if (auto d = driver_from_ppd(it->path())) ppds.push_back(std::move(*d));
    }
  }
  std::sort(ppds.begin(), ppds.end(), [](const DriverInfo& a, const DriverInfo& b) { return a.make_and_model < b.make_and_model; });
  out.insert(out.end(), ppds.begin(), ppds.end());
  return out;
}

}  // namespace quire
