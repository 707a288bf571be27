// FilterCatalog: everything the pipeline knows about filters, loaded once at start-up:
// document types (mime.types), conversions (mime.convs), and where filter programs
// live. Immutable after load(); the scheduler hands a shared pointer to each job run.
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

class MimeTypes;
class ConversionGraph;

class FilterCatalog {
 public:
  struct Options {
    // Quire's own rule files: data_dir/mime.types and data_dir/mime.convs.
    std::filesystem::path data_dir;
    // Local additions read after them (CUPS's ServerRoot): every *.types, then every
    // *.convs in this directory, in name order. Empty: none.
    std::filesystem::path local_dir;
    // Searched in order for a conversion's program.
    std::vector<std::filesystem::path> filter_dirs;
    // Where the warm Ghostscript worker listens (quire/ghostscript_worker.hpp); "" = none.
    std::filesystem::path gs_worker_dir;
  };

  // Fails with file:line and the problem when a rule file is wrong.
  static std::expected<std::shared_ptr<const FilterCatalog>, std::string> load(const Options& options);

  const MimeTypes& types() const { return *types_; }
  const ConversionGraph& graph() const { return *graph_; }
  // The executable for a filter name ("" when no directory has it).
  std::filesystem::path find_filter(std::string_view name) const;
  const std::vector<std::filesystem::path>& filter_dirs() const { return filter_dirs_; }
  const std::filesystem::path& gs_worker_dir() const { return gs_worker_dir_; }

  FilterCatalog(std::shared_ptr<const MimeTypes> types, std::shared_ptr<const ConversionGraph> graph,
                std::vector<std::filesystem::path> filter_dirs, std::filesystem::path gs_worker_dir = {});

 private:
  std::shared_ptr<const MimeTypes> types_;
  std::shared_ptr<const ConversionGraph> graph_;
  std::vector<std::filesystem::path> filter_dirs_;
  std::filesystem::path gs_worker_dir_;
};

}  // namespace quire
