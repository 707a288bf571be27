// SpoolLock: an exclusive flock on DIR/spool.lock, held for as long as a Spool is open,
// so two daemons (or two Spools in one process) never recover or commit the same
// directory at once. The kernel drops it when the process dies, kill -9 included.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

namespace quire {

class SpoolLock {
 public:
  // Fails at once, without waiting, if another open file description holds the lock.
  static std::expected<SpoolLock, std::string> acquire(const std::filesystem::path& directory);

  SpoolLock() = default;
  SpoolLock(SpoolLock&& other) noexcept;
  SpoolLock& operator=(SpoolLock&& other) noexcept;
  ~SpoolLock();

 private:
  explicit SpoolLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace quire
