// PPD scanning: main keywords and filter lines (gzip-compressed PPDs are not read).
#include "pipeline/ppd_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace quire {
namespace {

// The quoted value of a "*Keyword: "value"" line.
std::string quoted_value(const std::string& line) {
  auto open = line.find('"');
  auto close = line.rfind('"');
  if (open == std::string::npos || close <= open) {
    auto colon = line.find(':');
    std::string v = colon == std::string::npos ? "" : line.substr(colon + 1);
    auto first = v.find_first_not_of(" \t");
    return first == std::string::npos ? "" : v.substr(first, v.find_last_not_of(" \t\r") - first + 1);
  }
  return line.substr(open + 1, close - open - 1);
}

}  // namespace

std::expected<PpdFile, std::string> read_ppd(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::unexpected(file.string() + ": " + std::strerror(errno));
  PpdFile ppd;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first && !line.starts_with("*PPD-Adobe:")) return std::unexpected(file.string() + ": not a PPD file");
    first = false;
    if (line.starts_with("*Manufacturer:")) ppd.manufacturer = quoted_value(line);
    else if (line.starts_with("*NickName:")) ppd.nickname = quoted_value(line);
    else if (line.starts_with("*1284DeviceID:")) ppd.device_id = quoted_value(line);
    else if (line.starts_with("*DefaultPageSize:")) ppd.default_page_size = quoted_value(line);
    else if (line.starts_with("*cupsFilter:") || line.starts_with("*cupsFilter2:")) {
      bool v2 = line.starts_with("*cupsFilter2:");
      std::istringstream fields(quoted_value(line));
      Conversion c;
      std::string final_type = std::string(kPpdPrinterType);
      if (!(fields >> c.source)) continue;
      if (v2 && !(fields >> final_type)) continue;
      if (!(fields >> c.cost >> c.program)) continue;
      // A filter may be named by absolute path in CUPS PPDs; keep its name only and
      // look it up in the filter directories like every other.
      c.program = std::filesystem::path(c.program).filename().string();
      c.destination = std::string(kPpdPrinterType);
      ppd.filters.push_back(std::move(c));
      ppd.final_types.push_back(std::move(final_type));
    }
  }
  if (ppd.nickname.empty()) ppd.nickname = file.stem().string();
  // CUPS's rule for PPDs without filters: the printer takes PostScript.
  if (ppd.filters.empty()) {
    ppd.filters.push_back({"application/vnd.cups-postscript", std::string(kPpdPrinterType), 0, "-"});
    ppd.final_types.push_back("application/postscript");
  }
  return ppd;
}

}  // namespace quire
