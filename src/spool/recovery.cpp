// Spool recovery: removes what no committed job owns, keeps everything that one does.
#include "spool/recovery.hpp"

#include "spool/document_files.hpp"

#include <algorithm>
#include <system_error>
#include <unordered_set>

namespace quire {
namespace {

namespace fs = std::filesystem;

void remove_into(const fs::path& path, const std::string& label, std::vector<std::string>& removed,
                 std::vector<std::string>& failures) {
  std::error_code error;
  fs::remove_all(path, error);
  if (error) failures.push_back(label + ": " + error.message());
  else removed.push_back(label);
}

std::expected<void, std::string> remove_temporary_files(const fs::path& temp, RecoveryReport& report) {
  std::error_code error;
  for (fs::directory_iterator entry(temp, error), end; !error && entry != end; entry.increment(error)) {
    auto label = std::string(kTempDirectoryName) + "/" + entry->path().filename().string();
    remove_into(entry->path(), label, report.removed_temporary, report.failures);
  }
  if (error) return std::unexpected(temp.string() + ": " + error.message());
  return {};
}

std::expected<void, std::string> remove_orphans(const fs::path& directory,
                                                const std::unordered_set<std::string>& committed,
                                                RecoveryReport& report) {
  std::error_code error;
  for (fs::directory_iterator entry(directory, error), end; !error && entry != end; entry.increment(error)) {
    auto name = entry->path().filename().string();
    if (!is_document_file_name(name) || committed.contains(name)) continue;
    remove_into(entry->path(), name, report.removed_orphans, report.failures);
  }
  if (error) return std::unexpected(directory.string() + ": " + error.message());
  return {};
}

}  // namespace

std::expected<RecoveryReport, std::string> recover_files(const fs::path& directory,
                                                         const std::vector<std::string>& committed) {
  RecoveryReport report;
  if (auto done = remove_temporary_files(directory / kTempDirectoryName, report); !done) {
    return std::unexpected(done.error());
  }
  std::unordered_set<std::string> committed_names(committed.begin(), committed.end());
  if (auto done = remove_orphans(directory, committed_names, report); !done) return std::unexpected(done.error());
  for (const std::string& name : committed) {
    std::error_code error;
    if (!fs::exists(directory / name, error)) report.missing.push_back(name);
  }
  std::sort(report.removed_orphans.begin(), report.removed_orphans.end());
  std::sort(report.removed_temporary.begin(), report.removed_temporary.end());
  return report;
}

}  // namespace quire
