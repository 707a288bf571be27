// Spool document file names and the POSIX write/sync helpers behind DocumentWriter
// and the committer.
#include "spool/document_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <system_error>

namespace quire {

std::string document_file_name(int job_id, int number) {
  char name[32];
  std::snprintf(name, sizeof name, "d%05d-%03d", job_id, number);
  return name;
}

bool is_document_file_name(std::string_view name) {
  auto is_digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!name.starts_with('d')) return false;
  auto dash = name.find('-');
  if (dash == std::string_view::npos) return false;
  return is_digits(name.substr(1, dash - 1)) && is_digits(name.substr(dash + 1));
}

std::string document_context(int job_id, int number) {
  return "job " + std::to_string(job_id) + " document " + std::to_string(number);
}

std::string errno_message(std::string_view call, int error_number) {
  return std::string(call) + ": " + std::system_category().message(error_number);
}

int write_fully(int fd, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return 0;
}

int write_unsynced_file(const std::filesystem::path& path, std::span<const std::byte> bytes, bool exclusive) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC);
  int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) return errno;
  int error_number = write_fully(fd, bytes);
  if (::close(fd) != 0 && error_number == 0) error_number = errno;
  if (error_number != 0) ::unlink(path.c_str());
  return error_number;
}

std::expected<void, std::string> sync_directory(const std::filesystem::path& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(directory.string() + ": " + errno_message("open", errno));
  int result = ::fsync(fd);
  int error_number = errno;
  ::close(fd);
  if (result != 0) return std::unexpected(directory.string() + ": " + errno_message("fsync", error_number));
  return {};
}

}  // namespace quire
