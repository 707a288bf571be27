// MaxLogSize: log files roll over to NAME.O as CUPS's do, and 0 turns that off.
#include "core/rolling_file_sink.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace quire::log {
namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RollingFileSink, RollsToDotOPastMaxLogSizeAndKeepsEveryLine) {
  const auto dir = std::filesystem::temp_directory_path() / ("quire-roll-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto sink = std::make_shared<RollingFileSink>(dir / "error_log", 100);
  spdlog::logger logger("roll", sink);
  logger.set_pattern("%v");
  for (int i = 0; i < 10; ++i) logger.info("line {:02} of the log", i);  // 20 bytes each
  logger.flush();
  const std::string current = read(dir / "error_log");
  const std::string old = read(dir / "error_log.O");
  EXPECT_LE(current.size(), 100u);
  EXPECT_LE(old.size(), 100u);
  EXPECT_TRUE(current.ends_with("line 09 of the log\n")) << current;
  EXPECT_TRUE((old + current).find("line 05 of the log\nline 06") != std::string::npos);

  sink->set_max_size(0);
  for (int i = 10; i < 20; ++i) logger.info("line {:02} of the log", i);
  logger.flush();
  EXPECT_GT(std::filesystem::file_size(dir / "error_log"), 100u);  // no longer rolls
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace quire::log
