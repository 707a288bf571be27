// Spool inline document tests: a small document stays in memory until its job commits,
// its bytes are stored in the job's row and its file is written from them; a document
// past the limit spills to a file; recovery rewrites an inline document's lost or
// damaged file from its row; removing a job or its documents removes the stored bytes.
#include "quire/spool.hpp"

#include "spool_test_support.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <fstream>

namespace quire::test {
namespace {

std::vector<std::byte> pattern_bytes(std::size_t size) {
  std::vector<std::byte> bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::byte>((i * 7 + i / 251) & 0xff);
  return bytes;
}

std::string as_text(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// A kPutJob for job `id` whose document 1 is `bytes`, written in pieces of `piece`.
SpoolChange job_with_bytes(DocumentWriter writer, std::int32_t id, const std::vector<std::byte>& bytes,
                           std::size_t piece) {
  std::span<const std::byte> rest(bytes);
  while (!rest.empty()) {
    auto n = std::min(piece, rest.size());
    EXPECT_TRUE(writer.write(rest.first(n)));
    rest = rest.subspan(n);
  }
  SpoolChange change{SpoolChange::Kind::kPutJob, make_job(id), {}};
  change.job.documents.push_back({1, "text/plain", "", 0, {}});
  change.seal.push_back(std::move(writer));
  return change;
}

// Rows of the store's table of inline documents' bytes, read with SQLite itself.
int stored_contents_rows(const std::filesystem::path& spool_directory) {
  sqlite3* db = nullptr;
  int rows = -1;
  if (sqlite3_open_v2((spool_directory / "jobs.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM document_contents", -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      rows = sqlite3_column_int(statement, 0);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return rows;
}

TEST(SpoolInline, SmallDocumentCreatesNoFileUntilItsJobIsPlacedToPrint) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  auto writer = spool->create_document(1, 1);
  ASSERT_TRUE(writer);
  auto sent = pattern_bytes(1024);
  ASSERT_TRUE(writer->write(sent));
  EXPECT_TRUE(writer->is_inline());
  EXPECT_TRUE(list_files(dir.path() / "tmp").empty());
  EXPECT_TRUE(document_files(dir.path()).empty());

  ASSERT_TRUE(commit_one(*spool, job_with_bytes(std::move(*writer), 1, {}, 1)));
  EXPECT_EQ(stored_contents_rows(dir.path()), 1);
  EXPECT_EQ(spool->transactions_committed(), 1u);
  EXPECT_TRUE(document_files(dir.path()).empty());  // durable in its row; no file yet
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  ASSERT_EQ((*jobs)[0].documents.size(), 1u);
  EXPECT_EQ((*jobs)[0].documents[0].size, sent.size());
  EXPECT_EQ((*jobs)[0].documents[0].path, dir.path() / "d00001-001");

  ASSERT_TRUE(spool->place_document_files((*jobs)[0]));  // what the scheduler does as the job starts
  EXPECT_EQ(read_file(dir.path() / "d00001-001"), as_text(sent));
  ASSERT_TRUE(spool->place_document_files((*jobs)[0]));  // again (a restarted job): the file is there
  EXPECT_EQ(read_file(dir.path() / "d00001-001"), as_text(sent));
}

TEST(SpoolInline, PlacingWritesAFileRemovedBehindTheSpoolsBackFromItsRow) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  ASSERT_TRUE(commit_job_with_document(*spool, 1));
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_TRUE(spool->place_document_files((*jobs)[0]));
  std::filesystem::remove(dir.path() / "d00001-001");
  ASSERT_TRUE(spool->place_document_files((*jobs)[0]));
  EXPECT_EQ(read_file(dir.path() / "d00001-001"), document_text(1));
}

TEST(SpoolInline, PlacingAJobWhoseSpilledFileIsGoneNamesTheFile) {
  TempDir dir;
  auto spool = open_spilling_spool(dir.path());
  ASSERT_TRUE(spool);
  ASSERT_TRUE(commit_job_with_document(*spool, 3));
  std::filesystem::remove(dir.path() / "d00003-001");
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  auto placed = spool->place_document_files((*jobs)[0]);
  ASSERT_FALSE(placed);
  EXPECT_EQ(placed.error(), "job 3: d00003-001: spool file missing");
}

TEST(SpoolInline, DocumentOfExactlyTheLimitStaysInlineAndOneByteMoreSpills) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  auto at_limit = pattern_bytes(kInlineDocumentLimit);
  auto past_limit = pattern_bytes(kInlineDocumentLimit + 1);

  auto inline_writer = spool->create_document(1, 1);
  auto spilled_writer = spool->create_document(2, 1);
  ASSERT_TRUE(inline_writer && spilled_writer);
  auto inline_change = job_with_bytes(std::move(*inline_writer), 1, at_limit, 4096);
  EXPECT_TRUE(inline_change.seal[0].is_inline());
  EXPECT_TRUE(list_files(dir.path() / "tmp").empty());
  // The last byte crosses the limit: everything held so far moves to a file.
  auto spilled_change = job_with_bytes(std::move(*spilled_writer), 2, past_limit, 4096);
  EXPECT_FALSE(spilled_change.seal[0].is_inline());
  EXPECT_EQ(list_files(dir.path() / "tmp").size(), 1u);

  ASSERT_TRUE(commit_one(*spool, std::move(inline_change)));
  ASSERT_TRUE(commit_one(*spool, std::move(spilled_change)));
  EXPECT_TRUE(list_files(dir.path() / "tmp").empty());
  EXPECT_EQ(stored_contents_rows(dir.path()), 1);  // only the inline one is in the store
  EXPECT_EQ(document_files(dir.path()), std::vector<std::string>{"d00002-001"});
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  for (const JobRecord& job : *jobs) ASSERT_TRUE(spool->place_document_files(job));
  EXPECT_EQ(read_file(dir.path() / "d00001-001"), as_text(at_limit));
  EXPECT_EQ(read_file(dir.path() / "d00002-001"), as_text(past_limit));
}

TEST(SpoolInline, InlineLimitZeroSpillsEveryDocument) {
  TempDir dir;
  auto spool = open_spilling_spool(dir.path());
  ASSERT_TRUE(spool);
  auto writer = spool->create_document(1, 1);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->write(bytes_of("x")));
  EXPECT_FALSE(writer->is_inline());
  ASSERT_TRUE(commit_one(*spool, job_with_bytes(std::move(*writer), 1, {}, 1)));
  EXPECT_EQ(read_file(dir.path() / "d00001-001"), "x");
  EXPECT_EQ(stored_contents_rows(dir.path()), 0);
}

TEST(SpoolInline, EmptyDocumentIsInlineAndItsFileExists) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  auto writer = spool->create_document(1, 1);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(commit_one(*spool, job_with_bytes(std::move(*writer), 1, {}, 1)));
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_TRUE(spool->place_document_files((*jobs)[0]));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "d00001-001"));
  EXPECT_EQ(std::filesystem::file_size(dir.path() / "d00001-001"), 0u);
  EXPECT_EQ(stored_contents_rows(dir.path()), 1);
}

TEST(SpoolInline, RecoveryRewritesADeletedOrDamagedFileFromItsRow) {
  TempDir dir;
  auto large = pattern_bytes(kInlineDocumentLimit + 100);
  {
    auto spool = open_spool(dir.path());
    ASSERT_TRUE(spool);
    ASSERT_TRUE(commit_job_with_document(*spool, 1));
    ASSERT_TRUE(commit_job_with_document(*spool, 2));
    ASSERT_TRUE(commit_job_with_document(*spool, 3));
    auto writer = spool->create_document(4, 1);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(commit_one(*spool, job_with_bytes(std::move(*writer), 4, large, 8192)));
  }
  {
    auto spool = open_spool(dir.path());  // recovery writes every inline document's file
    ASSERT_TRUE(spool);
    EXPECT_EQ(document_files(dir.path()),
              (std::vector<std::string>{"d00001-001", "d00002-001", "d00003-001", "d00004-001"}));
  }
  // What a power cut can leave of files that were never synced: gone, short, or
  // the right length with the wrong bytes. A spilled document's file is its only copy.
  std::filesystem::remove(dir.path() / "d00001-001");
  std::filesystem::resize_file(dir.path() / "d00002-001", 10);
  {
    std::fstream damaged(dir.path() / "d00003-001", std::ios::in | std::ios::out | std::ios::binary);
    damaged.seekp(5);
    damaged.put('#');
  }
  std::filesystem::remove(dir.path() / "d00004-001");

  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  EXPECT_EQ(read_file(dir.path() / "d00001-001"), document_text(1));
  EXPECT_EQ(read_file(dir.path() / "d00002-001"), document_text(2));
  EXPECT_EQ(read_file(dir.path() / "d00003-001"), document_text(3));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "d00004-001"));  // reported missing, nothing to rewrite it from
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  EXPECT_EQ(jobs->size(), 4u);
}

TEST(SpoolInline, RemovingAJobOrItsDocumentsRemovesTheStoredBytes) {
  TempDir dir;
  {
    auto spool = open_spool(dir.path());
    ASSERT_TRUE(spool);
    ASSERT_TRUE(commit_job_with_document(*spool, 1));
    ASSERT_TRUE(commit_job_with_document(*spool, 2));
    ASSERT_TRUE(commit_job_with_document(*spool, 3));
    EXPECT_EQ(stored_contents_rows(dir.path()), 3);
    ASSERT_TRUE(commit_one(*spool, removal(SpoolChange::Kind::kRemoveJob, 1)));
    ASSERT_TRUE(commit_one(*spool, removal(SpoolChange::Kind::kRemoveDocuments, 2)));
    EXPECT_EQ(stored_contents_rows(dir.path()), 1);
  }
  // Recovery has nothing left to bring back for them.
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  EXPECT_EQ(document_files(dir.path()), std::vector<std::string>{"d00003-001"});
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_TRUE((*jobs)[0].documents.empty());  // job 2 kept, without documents
}

TEST(SpoolInline, ChangeSetWhoseInlineDocumentNameIsTakenFailsWhole) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  // One change set: a good inline document and a second one whose name is taken by a
  // committed document (whose file is owed, not yet written); nothing of the set may remain.
  ASSERT_TRUE(commit_job_with_document(*spool, 7));
  auto good = spool->create_document(8, 1);
  auto clash = spool->create_document(7, 1);
  ASSERT_TRUE(good && clash);
  std::vector<SpoolChange> changes;
  changes.push_back(job_with_bytes(std::move(*good), 8, pattern_bytes(100), 100));
  changes.push_back(job_with_bytes(std::move(*clash), 7, pattern_bytes(100), 100));
  auto result = spool->commit_and_wait(std::move(changes));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), "job 7 document 1: d00007-001 already exists");
  EXPECT_EQ(stored_contents_rows(dir.path()), 1);
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  ASSERT_TRUE(spool->place_document_files((*jobs)[0]));
  EXPECT_EQ(document_files(dir.path()), std::vector<std::string>{"d00007-001"});
  EXPECT_EQ(read_file(dir.path() / "d00007-001"), document_text(7));
}

TEST(SpoolInline, StoreOfSchemaVersionOneIsUpgradedInPlace) {
  TempDir dir;
  {
    auto spool = open_spilling_spool(dir.path());
    ASSERT_TRUE(spool);
    ASSERT_TRUE(commit_job_with_document(*spool, 1));
  }
  {  // make it what an earlier Quire wrote: no table of stored bytes, version 1
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "jobs.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TABLE document_contents;"
                           " UPDATE meta SET value = '1' WHERE key = 'schema_version'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  ASSERT_TRUE(commit_job_with_document(*spool, 2));
  EXPECT_EQ(stored_contents_rows(dir.path()), 1);
  place_all_files(*spool);
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ(read_file((*jobs)[0].documents[0].path), document_text(1));
  EXPECT_EQ(read_file((*jobs)[1].documents[0].path), document_text(2));
}

}  // namespace
}  // namespace quire::test
