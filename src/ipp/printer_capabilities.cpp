// The configuration-dependent value sets of printer_capabilities.hpp.
#include "ipp/printer_capabilities.hpp"

#include <algorithm>

namespace quire::capabilities {

std::vector<std::string_view> sides(const PrinterDescription& printer) {
  if (!printer.duplex) return {"one-sided"};
  return {"one-sided", "two-sided-long-edge", "two-sided-short-edge"};
}

std::vector<std::string_view> color_modes(const PrinterDescription& printer) {
  if (!printer.color) return {"auto", "monochrome"};
  return {"auto", "monochrome", "color"};
}

std::string_view color_mode_default(const PrinterDescription& printer) {
  return printer.color ? "color" : "monochrome";
}

std::vector<std::string> document_formats(const PrinterDescription& printer) {
  std::vector<std::string> formats;
  for (const auto& f : printer.document_formats)
    if (!f.empty() && !contains(formats, f)) formats.push_back(f);
  if (formats.empty()) formats.emplace_back(kOctetStream);
  if (!contains(formats, std::string(kCupsRaw))) formats.emplace_back(kCupsRaw);  // to the printer as it is, as in CUPS
  return formats;
}

std::string document_format_default(const PrinterDescription& printer) {
  auto formats = document_formats(printer);
  // Auto-typing is the friendliest default when the printer takes any format.
  if (contains(formats, std::string(kOctetStream))) return std::string(kOctetStream);
  return formats.front();
}

std::vector<int> resolutions(const PrinterDescription& printer) {
  std::vector<int> dpi;
  for (int r : printer.resolutions_dpi)
    if (r > 0 && !contains(dpi, r)) dpi.push_back(r);
  if (dpi.empty()) dpi.push_back(300);
  return dpi;
}

}  // namespace quire::capabilities
