// A log file that rolls over as CUPS's do: once it would grow past MaxLogSize, NAME
// becomes NAME.O (replacing the previous one) and a new NAME starts.
#pragma once

#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>

#include <cstdint>
#include <filesystem>
#include <mutex>

namespace quire::log {

// An spdlog sink; thread-safe (spdlog's base_sink mutex guards every member).
class RollingFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RollingFileSink(std::filesystem::path path, std::uint64_t max_size);
  // 0: never roll. Takes effect with the next line.
  void set_max_size(std::uint64_t bytes);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  void roll();

  std::filesystem::path path_;
  std::uint64_t max_size_;
  std::uint64_t size_ = 0;
  spdlog::details::file_helper file_;
};

}  // namespace quire::log
