// StagedFile: a data file held until its job can be submitted (it came before its
// control file, or it is one of several): in memory while small, else in an unnamed
// temporary file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace quire::lpd {

// Keeps up to `memory_limit` bytes in memory (small files, the common case, then cost
// no file at all); the append that would pass it moves everything to a file that has
// no name (O_TMPFILE, or unlinked right after creation) in `directory`, so a crash
// leaves nothing behind and closing frees the space. Not thread-safe: one owner, like
// any value.
class StagedFile {
 public:
  static std::expected<StagedFile, std::string> create(const std::filesystem::path& directory,
                                                       std::size_t memory_limit);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&& other) noexcept;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();

  std::expected<void, std::string> append(std::span<const std::byte> bytes);
  // Reads up to buffer.size() bytes from `offset`; 0 at the end.
  std::expected<std::size_t, std::string> read_at(std::uint64_t offset, std::span<std::byte> buffer) const;
  std::uint64_t size() const { return size_; }
  // Bytes held in memory (0 once the file spilled to disk).
  std::size_t bytes_in_memory() const { return memory_.size(); }

 private:
  StagedFile(std::filesystem::path directory, std::size_t memory_limit)
      : directory_(std::move(directory)), memory_limit_(memory_limit) {}
  std::expected<void, std::string> spill();
  std::expected<void, std::string> write_at_end(std::span<const std::byte> bytes);
  std::filesystem::path directory_;
  std::size_t memory_limit_ = 0;
  std::vector<std::byte> memory_;  // the file while fd_ < 0
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace quire::lpd
