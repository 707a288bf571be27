// StagedFile: a data file held in an unnamed temporary file until its job can be
// submitted (it came before its control file, or it is one of several).
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <span>
#include <string>

namespace quire::lpd {

// Owns one descriptor of a file that has no name (O_TMPFILE, or unlinked right after
// creation), so a crash leaves nothing behind and closing frees the space. Not
// thread-safe: one owner, like any value.
class StagedFile {
 public:
  static std::expected<StagedFile, std::string> create(const std::filesystem::path& directory);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&& other) noexcept;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();

  std::expected<void, std::string> append(std::span<const std::byte> bytes);
  // Reads up to buffer.size() bytes from `offset`; 0 at the end.
  std::expected<std::size_t, std::string> read_at(std::uint64_t offset, std::span<std::byte> buffer) const;
  std::uint64_t size() const { return size_; }

 private:
  explicit StagedFile(int fd) : fd_(fd) {}
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace quire::lpd
