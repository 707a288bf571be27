// StagedFile: data files that wait for their job, in memory or in unnamed temporary files.
#include "lpd/staged_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
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

std::expected<StagedFile, std::string> StagedFile::create(const std::filesystem::path& directory,
                                                          std::size_t memory_limit) {
  StagedFile file(directory, memory_limit);
  if (memory_limit == 0) {
    if (auto spilled = file.spill(); !spilled) return std::unexpected(spilled.error());
  }
  return file;
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : directory_(std::move(other.directory_)),
      memory_limit_(other.memory_limit_),
      memory_(std::exchange(other.memory_, {})),
      fd_(std::exchange(other.fd_, -1)),
      size_(std::exchange(other.size_, 0)) {}

StagedFile& StagedFile::operator=(StagedFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    directory_ = std::move(other.directory_);
    memory_limit_ = other.memory_limit_;
    memory_ = std::exchange(other.memory_, {});
    fd_ = std::exchange(other.fd_, -1);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

StagedFile::~StagedFile() {
  if (fd_ >= 0) ::close(fd_);
}

// The file outgrew memory: what is held goes to an unnamed file, and so does the rest.
std::expected<void, std::string> StagedFile::spill() {
  fd_ = open_unnamed(directory_);
  if (fd_ < 0) return std::unexpected(describe_errno(("temporary file in " + directory_.string()).c_str()));
  std::vector<std::byte> held = std::exchange(memory_, {});
  size_ = 0;
  return write_at_end(held);
}

std::expected<void, std::string> StagedFile::append(std::span<const std::byte> bytes) {
  if (fd_ < 0 && memory_.size() + bytes.size() <= memory_limit_) {
    memory_.insert(memory_.end(), bytes.begin(), bytes.end());
    size_ += bytes.size();
    return {};
  }
  if (fd_ < 0) {
    if (auto spilled = spill(); !spilled) return spilled;
  }
  return write_at_end(bytes);
}

std::expected<void, std::string> StagedFile::write_at_end(std::span<const std::byte> bytes) {
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
  if (fd_ < 0) {
    if (offset >= memory_.size()) return 0;
    const std::size_t n = std::min<std::uint64_t>(buffer.size(), memory_.size() - offset);
    std::memcpy(buffer.data(), memory_.data() + offset, n);
    return n;
  }
  for (;;) {
    const ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(describe_errno("reading a staged data file"));
    return static_cast<std::size_t>(n);
  }
}

}  // namespace quire::lpd
