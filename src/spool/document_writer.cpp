// DocumentWriter: holds one small document in memory, or streams a large one into a
// temporary spool file; the committer stores the first in the job's row and seals the
// second (fdatasync, rename into its final name) when the job that owns it commits.
#include "quire/spool.hpp"

#include "spool/document_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace quire {

DocumentWriter::DocumentWriter(std::filesystem::path temp, std::filesystem::path final, int job_id, int number,
                               std::size_t inline_limit)
    : inline_limit_(inline_limit),
      temp_path_(std::move(temp)),
      final_path_(std::move(final)),
      job_id_(job_id),
      number_(number) {}

DocumentWriter::DocumentWriter(DocumentWriter&& other) noexcept
    : state_(std::exchange(other.state_, State::kBroken)),
      fd_(std::exchange(other.fd_, -1)),
      contents_(std::exchange(other.contents_, {})),
      inline_limit_(other.inline_limit_),
      temp_path_(std::exchange(other.temp_path_, {})),
      final_path_(std::exchange(other.final_path_, {})),
      size_(std::exchange(other.size_, 0)),
      job_id_(other.job_id_),
      number_(other.number_) {}

DocumentWriter& DocumentWriter::operator=(DocumentWriter&& other) noexcept {
  if (this != &other) {
    discard();
    state_ = std::exchange(other.state_, State::kBroken);
    fd_ = std::exchange(other.fd_, -1);
    contents_ = std::exchange(other.contents_, {});
    inline_limit_ = other.inline_limit_;
    temp_path_ = std::exchange(other.temp_path_, {});
    final_path_ = std::exchange(other.final_path_, {});
    size_ = std::exchange(other.size_, 0);
    job_id_ = other.job_id_;
    number_ = other.number_;
  }
  return *this;
}

DocumentWriter::~DocumentWriter() { discard(); }

void DocumentWriter::close_fd() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

// Frees what an uncommitted writer holds: its memory, or its temporary file.
void DocumentWriter::discard() {
  close_fd();
  if (!temp_path_.empty() && state_ != State::kSealed) ::unlink(temp_path_.c_str());
  contents_ = {};
}

std::expected<void, std::string> DocumentWriter::write(std::span<const std::byte> bytes) {
  auto fail = [this](const std::string& what) {
    state_ = State::kBroken;
    discard();
    return std::unexpected(document_context(job_id_, number_) + ": " + what);
  };
  if (state_ == State::kInMemory && contents_.size() + bytes.size() <= inline_limit_) {
    std::size_t needed = contents_.size() + bytes.size();
    // Grow by doubling, but never past the limit: memory per upload stays bounded.
    if (needed > contents_.capacity()) contents_.reserve(std::min(inline_limit_, std::max(needed, 2 * contents_.capacity())));
    contents_.insert(contents_.end(), bytes.begin(), bytes.end());
    size_ += bytes.size();
    return {};
  }
  if (state_ == State::kInMemory) {
    if (auto spilled = spill(); !spilled) return fail(spilled.error());
  }
  if (state_ != State::kSpilled) {
    return std::unexpected(document_context(job_id_, number_) + ": write: document is not open");
  }
  if (int error_number = write_fully(fd_, bytes); error_number != 0) {
    // Part of `bytes` may be on disk: the document is broken, so refuse to seal it.
    return fail(errno_message("write", error_number));
  }
  size_ += bytes.size();
  return {};
}

// The document outgrew the inline limit: what is in memory goes to a temporary file.
std::expected<void, std::string> DocumentWriter::spill() {
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    auto error = errno_message("open " + temp_path_.string(), errno);
    temp_path_.clear();  // not ours: never unlink a file this writer did not create
    return std::unexpected(error);
  }
  state_ = State::kSpilled;
  if (int error_number = write_fully(fd_, contents_); error_number != 0) {
    return std::unexpected(errno_message("write", error_number));
  }
  contents_ = {};
  return {};
}

std::expected<void, std::string> DocumentWriter::seal() {
  auto fail = [this](std::string what) {
    return std::unexpected(document_context(job_id_, number_) + ": " + what);
  };
  if (state_ != State::kSpilled) return fail("seal: document is not open (a write failed, or it was sealed)");
  if (::close(std::exchange(fd_, -1)) != 0) return fail(errno_message("close", errno));
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) return fail(errno_message("rename", errno));
  state_ = State::kSealed;
  temp_path_.clear();
  return {};
}

}  // namespace quire
