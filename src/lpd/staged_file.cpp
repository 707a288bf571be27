// StagedFile: unnamed temporary files for data files that wait for their job.
#include "lpd/staged_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace quire::lpd {
namespace {

std::string describe_errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// O_TMPFILE where the file system has it; otherwise a named file unlinked at once.
int open_unnamed(const std::filesystem::path& directory) {
  int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
  std::string pattern = (directory / "lpd-XXXXXX").string();
  fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(pattern.c_str());
  return fd;
}

}  // namespace

std::expected<StagedFile, std::string> StagedFile::create(const std::filesystem::path& directory) {
  const int fd = open_unnamed(directory);
  if (fd < 0) return std::unexpected(describe_errno(("temporary file in " + directory.string()).c_str()));
  return StagedFile(fd);
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(std::exchange(other.size_, 0)) {}

StagedFile& StagedFile::operator=(StagedFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

StagedFile::~StagedFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::expected<void, std::string> StagedFile::append(std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(size_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(describe_errno("staging a data file"));
    size_ += static_cast<std::uint64_t>(n);
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

std::expected<std::size_t, std::string> StagedFile::read_at(std::uint64_t offset, std::span<std::byte> buffer) const {
  for (;;) {
    const ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(describe_errno("reading a staged data file"));
    return static_cast<std::size_t>(n);
  }
}

}  // namespace quire::lpd
