// Loading the rule files and finding filter programs.
#include "quire/filter_catalog.hpp"

#include "pipeline/conversion_graph.hpp"
#include "pipeline/mime_types.hpp"

#include <unistd.h>

#include <algorithm>

namespace quire {
namespace {

std::vector<std::filesystem::path> files_with_extension(const std::filesystem::path& dir, std::string_view ext) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ext) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

FilterCatalog::FilterCatalog(std::shared_ptr<const MimeTypes> types, std::shared_ptr<const ConversionGraph> graph,
                             std::vector<std::filesystem::path> filter_dirs, std::filesystem::path gs_worker_dir)
    : types_(std::move(types)), graph_(std::move(graph)), filter_dirs_(std::move(filter_dirs)),
      gs_worker_dir_(std::move(gs_worker_dir)) {}

std::expected<std::shared_ptr<const FilterCatalog>, std::string> FilterCatalog::load(const Options& options) {
  auto types = std::make_shared<MimeTypes>();
  auto graph = std::make_shared<ConversionGraph>();
  if (auto r = types->add_file(options.data_dir / "mime.types"); !r) return std::unexpected(r.error());
  if (auto r = graph->add_file(options.data_dir / "mime.convs"); !r) return std::unexpected(r.error());
  for (const auto& f : files_with_extension(options.local_dir, ".types"))
    if (auto r = types->add_file(f); !r) return std::unexpected(r.error());
  for (const auto& f : files_with_extension(options.local_dir, ".convs"))
    if (auto r = graph->add_file(f); !r) return std::unexpected(r.error());
  return std::make_shared<const FilterCatalog>(std::move(types), std::move(graph), options.filter_dirs,
                                               options.gs_worker_dir);
}

std::filesystem::path FilterCatalog::find_filter(std::string_view name) const {
  if (name.empty() || name.find('/') != std::string_view::npos || name == "." || name == "..") return {};
  for (const auto& dir : filter_dirs_) {
    auto candidate = dir / std::string(name);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace quire
