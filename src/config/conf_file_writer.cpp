// ConfFileWriter: whole configuration files written atomically off the scheduler strand,
// newer texts of a file replacing older ones still waiting (see the header).
#include "quire/conf_file_writer.hpp"

#include "quire/config.hpp"

namespace quire {

ConfFileWriter::ConfFileWriter() : thread_([this] { run(); }) {}

ConfFileWriter::~ConfFileWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ConfFileWriter::write(std::filesystem::path file, std::string text, Done done) {
  {
    std::lock_guard lock(mutex_);
    Pending& pending = queue_[std::move(file)];
    pending.text = std::move(text);
    pending.waiters.push_back(std::move(done));
  }
  wake_.notify_one();
}

std::uint64_t ConfFileWriter::files_written() const {
  std::lock_guard lock(mutex_);
  return files_written_;
}

void ConfFileWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to write
    auto batch = std::move(queue_);
    queue_.clear();
    lock.unlock();
    for (auto& [file, pending] : batch) {
      auto written = write_file_atomically(file, pending.text);
      for (auto& done : pending.waiters) done(written);
    }
    lock.lock();
    files_written_ += batch.size();
  }
}

}  // namespace quire
