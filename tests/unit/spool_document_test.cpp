// Spool document tests: bytes arrive intact, an unsealed writer leaves nothing, and
// recovery removes what no committed job owns while keeping what one does.
#include "quire/spool.hpp"

#include "spool_test_support.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace quire::test {
namespace {

TEST(SpoolDocument, BytesAreIntactAfterCommitAndReopen) {
  TempDir dir;
  std::vector<std::byte> sent(3 * 1024 * 1024 + 17);
  std::mt19937 random(12345);
  for (auto& b : sent) b = static_cast<std::byte>(random());
  {
    auto spool = open_spool(dir.path());
    ASSERT_TRUE(spool);
    auto writer = spool->create_document(1, 1);
    ASSERT_TRUE(writer) << writer.error();
    std::span<const std::byte> rest(sent);
    for (std::size_t piece = 1; !rest.empty(); piece = piece * 3 + 1) {  // uneven pieces, as a socket gives them
      auto n = std::min(piece, rest.size());
      ASSERT_TRUE(writer->write(rest.first(n)));
      rest = rest.subspan(n);
    }
    EXPECT_EQ(writer->size(), sent.size());
    EXPECT_EQ(writer->final_path(), dir.path() / "d00001-001");
    SpoolChange change{SpoolChange::Kind::kPutJob, make_job(1), {}};
    change.seal.push_back(std::move(*writer));
    ASSERT_TRUE(commit_one(*spool, std::move(change)));
  }
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  ASSERT_EQ((*jobs)[0].documents.size(), 1u);
  const auto& document = (*jobs)[0].documents[0];
  EXPECT_EQ(document.size, sent.size());
  EXPECT_EQ(document.format, "application/octet-stream");  // the job listed no format for it
  auto stored = read_file(document.path);
  ASSERT_EQ(stored.size(), sent.size());
  EXPECT_EQ(0, std::memcmp(stored.data(), sent.data(), sent.size()));
  EXPECT_TRUE(list_files(dir.path() / "tmp").empty());
}

TEST(SpoolDocument, UnsealedWriterLeavesNothingWhetherInMemoryOrSpilled) {
  for (std::size_t inline_limit : {kInlineDocumentLimit, std::size_t{0}}) {
    TempDir dir;
    auto spool = open_spool(dir.path(), {}, inline_limit);
    ASSERT_TRUE(spool);
    {
      auto writer = spool->create_document(5, 1);
      ASSERT_TRUE(writer);
      ASSERT_TRUE(writer->write(bytes_of("abandoned upload")));
      EXPECT_EQ(list_files(dir.path() / "tmp").size(), inline_limit == 0 ? 1u : 0u);
    }
    EXPECT_TRUE(list_files(dir.path() / "tmp").empty());
    EXPECT_TRUE(document_files(dir.path()).empty());
  }
}

TEST(SpoolDocument, MoveAssigningOverAWriterRemovesItsFile) {
  TempDir dir;
  auto spool = open_spilling_spool(dir.path());
  ASSERT_TRUE(spool);
  auto first = spool->create_document(5, 1);
  auto second = spool->create_document(5, 2);
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->write(bytes_of("first")));
  ASSERT_TRUE(second->write(bytes_of("second")));
  EXPECT_EQ(list_files(dir.path() / "tmp").size(), 2u);
  *first = std::move(*second);
  EXPECT_EQ(first->number(), 2);
  EXPECT_EQ(list_files(dir.path() / "tmp").size(), 1u);
  EXPECT_FALSE(second->write(bytes_of("x")));  // moved-from: closed, owns no file
  *first = DocumentWriter(std::move(*first));
  EXPECT_TRUE(first->write(bytes_of("still mine")));
}

TEST(SpoolDocument, CreateDocumentRejectsInvalidNumbers) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  auto bad_job = spool->create_document(0, 1);
  ASSERT_FALSE(bad_job);
  EXPECT_EQ(bad_job.error(), "job 0 document 1: not a valid job id or document number");
  EXPECT_FALSE(spool->create_document(1, 0));
}

TEST(SpoolDocument, RecoveryRemovesTempFilesAndOrphansButKeepsCommittedFiles) {
  TempDir dir;
  {
    auto spool = open_spool(dir.path());
    ASSERT_TRUE(spool);
    ASSERT_TRUE(commit_job_with_document(*spool, 1));
    ASSERT_TRUE(commit_job_with_document(*spool, 2));
  }
  // What a crash leaves: uploads in tmp/, and files renamed by a batch whose
  // transaction never committed.
  std::ofstream(dir.path() / "tmp" / "d00003-001.1") << "half an upload";
  std::ofstream(dir.path() / "tmp" / "d00004-001.2") << "another";
  std::ofstream(dir.path() / "d00003-001") << "sealed, never committed";
  std::ofstream(dir.path() / "d00001-002") << "a second document job 1 never committed";
  std::ofstream(dir.path() / "notes.txt") << "not ours to remove";

  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  EXPECT_TRUE(list_files(dir.path() / "tmp").empty());
  EXPECT_EQ(document_files(dir.path()), (std::vector<std::string>{"d00001-001", "d00002-001"}));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "notes.txt"));
  EXPECT_EQ(read_file(dir.path() / "d00001-001"), document_text(1));
  EXPECT_EQ(read_file(dir.path() / "d00002-001"), document_text(2));
}

}  // namespace
}  // namespace quire::test
