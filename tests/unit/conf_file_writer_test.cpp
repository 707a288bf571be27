// ConfFileWriter: configuration files written off the caller's thread, newest text
// wins, every waiter answered, failures reported, nothing queued lost at destruction.
#include "quire/conf_file_writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>

namespace quire {
namespace {

class ConfFileWriter_ : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("quire-confwriter-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::filesystem::path dir_;
};

TEST_F(ConfFileWriter_, ManyTextsOfOneFileEndWithTheNewestAndAnswerEveryone) {
  std::atomic<int> ok = 0, failed = 0;
  std::promise<void> all;
  constexpr int kWrites = 200;
  {
    ConfFileWriter writer;
    for (int i = 0; i < kWrites; ++i) {
      writer.write(dir_ / "printers.conf", "text " + std::to_string(i) + "\n", [&](std::expected<void, std::string> r) {
        (r ? ok : failed)++;
        if (ok + failed == kWrites) all.set_value();
      });
    }
    all.get_future().wait();
    EXPECT_LE(writer.files_written(), static_cast<std::uint64_t>(kWrites));
    EXPECT_GE(writer.files_written(), 1u);
  }
  EXPECT_EQ(ok, kWrites);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(read(dir_ / "printers.conf"), "text 199\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "printers.conf.N"));
}

TEST_F(ConfFileWriter_, AFailedWriteIsReportedAndLeavesTheOldFile) {
  std::ofstream(dir_ / "classes.conf") << "old\n";
  std::filesystem::create_directories(dir_ / "classes.conf.N");  // the temp file cannot be created
  ConfFileWriter writer;
  std::promise<std::expected<void, std::string>> result;
  writer.write(dir_ / "classes.conf", "new\n", [&](std::expected<void, std::string> r) { result.set_value(r); });
  auto r = result.get_future().get();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("classes.conf.N"), std::string::npos) << r.error();
  EXPECT_EQ(read(dir_ / "classes.conf"), "old\n");
}

TEST_F(ConfFileWriter_, WhatIsQueuedIsWrittenBeforeTheWriterGoes) {
  bool answered = false;
  {
    ConfFileWriter writer;
    writer.write(dir_ / "a.conf", "a\n", [&](std::expected<void, std::string> r) { answered = r.has_value(); });
    writer.write(dir_ / "b.conf", "b\n", [](std::expected<void, std::string>) {});
  }
  EXPECT_TRUE(answered);
  EXPECT_EQ(read(dir_ / "a.conf"), "a\n");
  EXPECT_EQ(read(dir_ / "b.conf"), "b\n");
}

}  // namespace
}  // namespace quire
