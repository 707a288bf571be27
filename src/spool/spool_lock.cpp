// SpoolLock: one process per spool directory.
#include "spool/spool_lock.hpp"

#include "spool/document_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace quire {

std::expected<SpoolLock, std::string> SpoolLock::acquire(const std::filesystem::path& directory) {
  auto path = directory / "spool.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(path.string() + ": " + errno_message("open", errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error_number = errno;
    ::close(fd);
    if (error_number == EWOULDBLOCK) {
      return std::unexpected(directory.string() + ": spool is in use by another Spool (spool.lock is held)");
    }
    return std::unexpected(path.string() + ": " + errno_message("flock", error_number));
  }
  return SpoolLock(fd);
}

SpoolLock::SpoolLock(SpoolLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

SpoolLock& SpoolLock::operator=(SpoolLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

SpoolLock::~SpoolLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace quire
