// RollingFileSink: append, count, roll to NAME.O.
#include "core/rolling_file_sink.hpp"

#include <cstdio>

namespace quire::log {

RollingFileSink::RollingFileSink(std::filesystem::path path, std::uint64_t max_size)
    : path_(std::move(path)), max_size_(max_size) {
  file_.open(path_.string(), false);
  size_ = file_.size();
}

void RollingFileSink::set_max_size(std::uint64_t bytes) {
  std::lock_guard lock(mutex_);
  max_size_ = bytes;
}

void RollingFileSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  formatter_->format(msg, line);
  if (max_size_ > 0 && size_ > 0 && size_ + line.size() > max_size_) roll();
  file_.write(line);
  size_ += line.size();
}

void RollingFileSink::flush_() { file_.flush(); }

// A failed rename leaves the old file growing: losing log lines would be worse.
void RollingFileSink::roll() {
  file_.close();
  std::filesystem::path old = path_;
  old += ".O";
  const bool renamed = std::rename(path_.c_str(), old.c_str()) == 0;
  file_.open(path_.string(), false);
  size_ = renamed ? 0 : file_.size();
}

}  // namespace quire::log
