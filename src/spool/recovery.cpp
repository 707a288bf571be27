// Spool recovery: removes what no committed job owns, keeps everything that one does.
#include "spool/recovery.hpp"

#include "spool/document_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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

// True when `path` holds exactly `contents`. Inline documents are at most
// kInlineDocumentLimit bytes, so reading one whole is cheap.
bool holds(const fs::path& path, std::span<const std::byte> contents) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat status;
  bool same = ::fstat(fd, &status) == 0 && static_cast<std::uint64_t>(status.st_size) == contents.size();
  std::vector<std::byte> stored(same ? contents.size() : 0);
  std::size_t got = 0;
  while (same && got < stored.size()) {
    ssize_t n = ::read(fd, stored.data() + got, stored.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) same = false;
    else got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return same && (contents.empty() || std::memcmp(stored.data(), contents.data(), contents.size()) == 0);
}

std::expected<void, std::string> restore_inline_files(const fs::path& directory, JobStore& store,
                                                      RecoveryReport& report) {
  return store.visit_inline_documents([&](const std::string& name, std::span<const std::byte> contents) {
    if (!is_document_file_name(name)) {  // never write outside the spool, whatever the row says
      report.failures.push_back(name + ": not a document file name");
      return;
    }
    auto path = directory / name;
    if (holds(path, contents)) return;
    if (int error_number = write_unsynced_file(path, contents, false); error_number != 0)
      report.failures.push_back(name + ": " + errno_message("write", error_number));
    else report.rewritten.push_back(name);
  });
}

}  // namespace

std::expected<RecoveryReport, std::string> recover_files(const fs::path& directory, JobStore& store) {
  RecoveryReport report;
  if (auto done = remove_temporary_files(directory / kTempDirectoryName, report); !done) {
    return std::unexpected(done.error());
  }
  auto committed = store.load_document_names();
  if (!committed) return std::unexpected(committed.error());
  std::unordered_set<std::string> committed_names(committed->begin(), committed->end());
  if (auto done = remove_orphans(directory, committed_names, report); !done) return std::unexpected(done.error());
  if (auto done = restore_inline_files(directory, store, report); !done) return std::unexpected(done.error());
  for (const std::string& name : *committed) {
    std::error_code error;
    if (!fs::exists(directory / name, error)) report.missing.push_back(name);
  }
  std::sort(report.removed_orphans.begin(), report.removed_orphans.end());
  std::sort(report.removed_temporary.begin(), report.removed_temporary.end());
  return report;
}

}  // namespace quire
