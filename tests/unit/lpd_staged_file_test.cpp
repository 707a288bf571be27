// StagedFile tests: a small data file stays in memory, a large one moves to an unnamed
// file when it passes the memory limit, and both read back whole.
#include "lpd/staged_file.hpp"

#include "spool_test_support.hpp"

#include <gtest/gtest.h>

namespace quire::test {
namespace {

std::string read_back(const lpd::StagedFile& file, std::size_t piece) {
  std::string out;
  std::vector<std::byte> buffer(piece);
  for (std::uint64_t offset = 0;;) {
    auto n = file.read_at(offset, buffer);
    EXPECT_TRUE(n);
    if (!n || *n == 0) return out;
    out.append(reinterpret_cast<const char*>(buffer.data()), *n);
    offset += *n;
  }
}

TEST(LpdStagedFile, SmallFileStaysInMemoryAndCreatesNoFile) {
  TempDir dir;
  auto file = lpd::StagedFile::create(dir.path(), 16);
  ASSERT_TRUE(file) << file.error();
  ASSERT_TRUE(file->append(bytes_of("0123456789")));
  ASSERT_TRUE(file->append(bytes_of("abcdef")));  // exactly the limit
  EXPECT_EQ(file->size(), 16u);
  EXPECT_EQ(file->bytes_in_memory(), 16u);
  EXPECT_TRUE(list_files(dir.path()).empty());
  EXPECT_EQ(read_back(*file, 5), "0123456789abcdef");
}

TEST(LpdStagedFile, FilePastTheLimitMovesToAnUnnamedFileAndReadsBackWhole) {
  TempDir dir;
  auto file = lpd::StagedFile::create(dir.path(), 16);
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->append(bytes_of("0123456789")));
  ASSERT_TRUE(file->append(bytes_of("abcdefghij")));  // passes 16: spills
  ASSERT_TRUE(file->append(bytes_of("KLM")));
  EXPECT_EQ(file->size(), 23u);
  EXPECT_EQ(file->bytes_in_memory(), 0u);
  EXPECT_TRUE(list_files(dir.path()).empty());  // the file has no name
  EXPECT_EQ(read_back(*file, 7), "0123456789abcdefghijKLM");
}

TEST(LpdStagedFile, NoMemoryLeftGoesStraightToAFileAndAMissingDirectoryIsAnError) {
  TempDir dir;
  auto file = lpd::StagedFile::create(dir.path(), 0);
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->append(bytes_of("x")));
  EXPECT_EQ(file->bytes_in_memory(), 0u);
  EXPECT_EQ(read_back(*file, 4), "x");
  auto missing = lpd::StagedFile::create(dir.path() / "gone", 0);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("temporary file in"), std::string::npos) << missing.error();
}

}  // namespace
}  // namespace quire::test
