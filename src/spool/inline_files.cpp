// InlineFiles: inline documents' files, written from memory or the store on demand.
#include "spool/inline_files.hpp"

#include "spool/document_files.hpp"

#include <sys/stat.h>

#include <cerrno>

namespace quire {

bool InlineFiles::keep(const std::string& name, std::vector<std::byte>& bytes) {
  std::lock_guard lock(mutex_);
  if (owed_bytes_ + bytes.size() > budget_bytes_) return false;
  owed_bytes_ += bytes.size();
  bytes.shrink_to_fit();  // an upload's buffer grew by doubling; queued jobs keep only their bytes
  owed_[name] = std::move(bytes);
  return true;
}

bool InlineFiles::owes(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return owed_.contains(name);
}

void InlineFiles::forget(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto owed = owed_.find(name); owed != owed_.end()) {
    owed_bytes_ -= owed->second.size();
    owed_.erase(owed);
  }
}

std::expected<void, std::string> InlineFiles::place(const std::string& name, JobStore& store) {
  auto path = directory_ / name;
  std::unique_lock lock(mutex_);
  auto owed = owed_.find(name);
  if (owed == owed_.end()) {
    lock.unlock();
    struct stat existing;
    if (::stat(path.c_str(), &existing) == 0) return {};
    auto stored = store.load_inline_document(name);
    if (!stored) return std::unexpected(name + ": " + stored.error());
    if (!*stored) return std::unexpected(name + ": spool file missing");
    if (int error_number = write_unsynced_file(path, **stored, false); error_number != 0)
      return std::unexpected(name + ": " + errno_message("write", error_number));
    return {};
  }
  // Written under the lock: a second place() of the same job must not find neither
  // the bytes nor the file. Only one job starts at a time per printer, so it is short.
  if (int error_number = write_unsynced_file(path, owed->second, false); error_number != 0)
    return std::unexpected(name + ": " + errno_message("write", error_number));  // still owed: a retry may work
  owed_bytes_ -= owed->second.size();
  owed_.erase(owed);
  return {};
}

}  // namespace quire
