// InlineFiles: the files of inline documents, written when a job is about to be read
// (it starts printing), not on the commit's path. Creating a file costs more CPU than
// a whole small job on a busy ext4 (inode allocation skips recently deleted inodes), and
// a job on a stopped queue, or canceled first, never needs its file at all.
#pragma once

#include "spool/job_store.hpp"

#include <cstddef>
#include <expected>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace quire {

// Owned by Spool::Impl. Holds the bytes of committed inline documents whose files are
// not written yet, up to a memory budget; past it the committer writes the file at
// once. Thread-safe: the committer keeps and forgets, the scheduler's strand places.
class InlineFiles {
 public:
  InlineFiles(std::filesystem::path directory, std::size_t budget_bytes)
      : directory_(std::move(directory)), budget_bytes_(budget_bytes) {}

  // Takes the bytes of committed document file `name` to write later; false (bytes
  // untouched) if they do not fit the budget, and the caller writes the file now.
  bool keep(const std::string& name, std::vector<std::byte>& bytes);
  // True while `name`'s file is owed.
  bool owes(const std::string& name) const;
  // The job or document is gone: its file is no longer owed.
  void forget(const std::string& name);
  // Makes sure document file `name` exists: from the bytes kept, else (the file was
  // removed behind the spool's back) from the store's row; a spilled document whose
  // file is gone is an error. Errors name the file.
  std::expected<void, std::string> place(const std::string& name, JobStore& store);

 private:
  const std::filesystem::path directory_;
  const std::size_t budget_bytes_;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<std::byte>> owed_;  // guarded by mutex_
  std::size_t owed_bytes_ = 0;                          // guarded by mutex_
};

// The memory budget of the files owed: 32 MiB is 32,000 queued 1 KiB jobs, or 512 of
// the largest inline documents.
inline constexpr std::size_t kOwedFileBudgetBytes = 32 * 1024 * 1024;

}  // namespace quire
