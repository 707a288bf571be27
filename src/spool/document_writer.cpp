// DocumentWriter: streams one document into a temporary spool file; the committer
// seals it (fdatasync, rename into its final name) when the job that owns it commits.
#include "quire/spool.hpp"

#include "spool/document_files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

namespace quire {
namespace {

void remove_file(const std::filesystem::path& path) {
  if (!path.empty()) ::unlink(path.c_str());
}

}  // namespace

DocumentWriter::DocumentWriter(int fd, std::filesystem::path temp, std::filesystem::path final, int job_id,
                               int number)
    : fd_(fd), temp_path_(std::move(temp)), final_path_(std::move(final)), job_id_(job_id), number_(number) {}

DocumentWriter::DocumentWriter(DocumentWriter&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      temp_path_(std::exchange(other.temp_path_, {})),
      final_path_(std::exchange(other.final_path_, {})),
      size_(std::exchange(other.size_, 0)),
      job_id_(other.job_id_),
      number_(other.number_) {}

DocumentWriter& DocumentWriter::operator=(DocumentWriter&& other) noexcept {
  if (this != &other) {
    close_fd();
    remove_file(temp_path_);
    fd_ = std::exchange(other.fd_, -1);
    temp_path_ = std::exchange(other.temp_path_, {});
    final_path_ = std::exchange(other.final_path_, {});
    size_ = std::exchange(other.size_, 0);
    job_id_ = other.job_id_;
    number_ = other.number_;
  }
  return *this;
}

DocumentWriter::~DocumentWriter() {
  close_fd();
  remove_file(temp_path_);
}

void DocumentWriter::close_fd() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

std::expected<void, std::string> DocumentWriter::write(std::span<const std::byte> bytes) {
  if (fd_ < 0) {
    return std::unexpected(document_context(job_id_, number_) + ": write: document is not open");
  }
  if (int error_number = write_fully(fd_, bytes); error_number != 0) {
    // Part of `bytes` may be on disk: the document is broken, so refuse to seal it.
    close_fd();
    return std::unexpected(document_context(job_id_, number_) + ": " + errno_message("write", error_number));
  }
  size_ += bytes.size();
  return {};
}

int DocumentWriter::sync_data() {
  if (fd_ < 0) return EBADF;
  if (::fdatasync(fd_) != 0) return errno;
  data_synced_ = true;
  return 0;
}

std::expected<void, std::string> DocumentWriter::seal() {
  auto fail = [this](std::string what) {
    return std::unexpected(document_context(job_id_, number_) + ": " + what);
  };
  if (fd_ < 0) return fail("seal: document is not open (a write failed, or it was sealed)");
  if (!data_synced_ && sync_data() != 0) return fail(errno_message("fdatasync", errno));
  if (::close(std::exchange(fd_, -1)) != 0) return fail(errno_message("close", errno));
  // Only the committer thread renames into final names, so checking first is not racy;
  // replacing a committed file would destroy it even if this commit then failed.
  struct stat existing;
  if (::lstat(final_path_.c_str(), &existing) == 0) return fail(final_path_.filename().string() + " already exists");
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) return fail(errno_message("rename", errno));
  temp_path_.clear();
  return {};
}

}  // namespace quire
