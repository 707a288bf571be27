// InlineFiles: the memory budget for inline documents' files still owed. Past it, the
// committer writes a file at once; whatever is kept is written by place() and let go.
#include "spool/inline_files.hpp"

#include "spool/job_store.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace quire {
namespace {

std::vector<std::byte> bytes_of(std::string_view text) {
  auto b = std::as_bytes(std::span(text.data(), text.size()));
  return {b.begin(), b.end()};
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(InlineFiles, KeepsBytesWithinTheBudgetAndRefusesWhatWouldPassIt) {
  const auto dir = std::filesystem::temp_directory_path() / ("quire-inline-files-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto store = open_sqlite_job_store(dir / "jobs.db");
  ASSERT_TRUE(store) << store.error();
  InlineFiles files(dir, 10);

  auto first = bytes_of("12345678");
  ASSERT_TRUE(files.keep("d00001-001", first));
  EXPECT_TRUE(first.empty());  // taken
  auto second = bytes_of("abcdefgh");
  EXPECT_FALSE(files.keep("d00002-001", second));  // 16 bytes > 10: the caller writes it now
  EXPECT_EQ(second, bytes_of("abcdefgh"));         // and still has the bytes to do so
  EXPECT_TRUE(files.owes("d00001-001"));
  EXPECT_FALSE(files.owes("d00002-001"));

  files.forget("d00001-001");  // its job went: the budget is free again
  EXPECT_FALSE(files.owes("d00001-001"));
  ASSERT_TRUE(files.keep("d00002-001", second));

  ASSERT_TRUE(files.place("d00002-001", **store));  // written from memory, and no longer owed
  EXPECT_EQ(read_file(dir / "d00002-001"), "abcdefgh");
  EXPECT_FALSE(files.owes("d00002-001"));
  auto third = bytes_of("0123456789");
  EXPECT_TRUE(files.keep("d00003-001", third));  // placing gave its bytes back to the budget

  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace quire
