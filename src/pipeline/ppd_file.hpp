// PpdFile: the few things Quire reads from a PPD file — who made the printer and the
// filters its driver brings (*cupsFilter / *cupsFilter2), which become conversions to
// the virtual type "printer/ppd". A plain text scan; options stay for the filters
// themselves to read through the PPD environment variable.
#pragma once

#include "pipeline/conversion_graph.hpp"

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace quire {

inline constexpr std::string_view kPpdPrinterType = "printer/ppd";

struct PpdFile {
  std::string manufacturer;
  std::string nickname;
  std::string device_id;
  std::string default_page_size;  // *DefaultPageSize, e.g. "Letter"
  // src -> printer/ppd; for *cupsFilter2 lines `final_types` keeps the real output
  // type of each (same index), used as FINAL_CONTENT_TYPE.
  std::vector<Conversion> filters;
  std::vector<std::string> final_types;
};

std::expected<PpdFile, std::string> read_ppd(const std::filesystem::path& file);

}  // namespace quire
