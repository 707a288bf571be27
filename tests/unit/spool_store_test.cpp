// Spool store tests: what commit() writes comes back from load_jobs() after a reopen,
// job ids never repeat, and a damaged database is refused rather than "recovered".
#include "quire/spool.hpp"

#include "spool_test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <set>
#include <thread>

namespace quire::test {
namespace {

JobRecord job_with_every_field(std::int32_t id) {
  JobRecord job;
  job.id = id;
  job.printer = "office-laser";
  job.state = 6;
  job.state_reasons = "job-printing,job-incoming";
  job.state_message = "Printing page 3 — ünïcode";
  job.user = "alice";
  job.name = "quarterly report.pdf";
  job.origin_host = "10.0.0.7";
  job.priority = 87;
  job.hold_until = "night";
  job.created = 1700000123;
  job.processing = 1700000456;
  job.completed = 8000000000;  // past 2038: needs 64 bits
  job.impressions_completed = 12;
  job.sheets_completed = 6;
  job.documents_complete = false;
  job.attributes = {std::byte{0x01}, std::byte{0x00}, std::byte{0xff}, std::byte{0x42}, std::byte{0x00}};
  return job;
}

void expect_same_job(const JobRecord& got, const JobRecord& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.printer, want.printer);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.state_reasons, want.state_reasons);
  EXPECT_EQ(got.state_message, want.state_message);
  EXPECT_EQ(got.user, want.user);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.origin_host, want.origin_host);
  EXPECT_EQ(got.priority, want.priority);
  EXPECT_EQ(got.hold_until, want.hold_until);
  EXPECT_EQ(got.created, want.created);
  EXPECT_EQ(got.processing, want.processing);
  EXPECT_EQ(got.completed, want.completed);
  EXPECT_EQ(got.impressions_completed, want.impressions_completed);
  EXPECT_EQ(got.sheets_completed, want.sheets_completed);
  EXPECT_EQ(got.documents_complete, want.documents_complete);
  EXPECT_EQ(got.attributes, want.attributes);
}

TEST(SpoolStore, RoundTripsEveryJobFieldAndDocumentThroughReopen) {
  TempDir dir;
  JobRecord full = job_with_every_field(7);
  full.documents = {{1, "application/pdf", "report.pdf", 0, {}}, {2, "text/plain", "", 0, {}}};
  JobRecord sparse;  // defaults: empty strings, empty attributes, no documents
  sparse.id = 9;
  {
    auto spool = open_spool(dir.path());
    ASSERT_TRUE(spool);
    SpoolChange change;
    change.job = full;
    for (int number : {1, 2}) {
      auto writer = spool->create_document(7, number);
      ASSERT_TRUE(writer) << writer.error();
      ASSERT_TRUE(writer->write(bytes_of(document_text(7, number))));
      change.seal.push_back(std::move(*writer));
    }
    std::vector<SpoolChange> changes;
    changes.push_back(std::move(change));
    changes.push_back(SpoolChange{SpoolChange::Kind::kPutJob, sparse, {}});
    ASSERT_TRUE(spool->commit_and_wait(std::move(changes)));
  }
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs) << jobs.error();
  ASSERT_EQ(jobs->size(), 2u);
  expect_same_job((*jobs)[0], full);
  expect_same_job((*jobs)[1], sparse);
  EXPECT_TRUE((*jobs)[1].documents.empty());

  const auto& documents = (*jobs)[0].documents;
  ASSERT_EQ(documents.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(documents[i].number, i + 1);
    EXPECT_EQ(documents[i].format, full.documents[i].format);
    EXPECT_EQ(documents[i].name, full.documents[i].name);
    EXPECT_EQ(documents[i].size, document_text(7, i + 1).size());
    EXPECT_EQ(documents[i].path, dir.path() / ("d00007-00" + std::to_string(i + 1)));
    EXPECT_EQ(read_file(documents[i].path), document_text(7, i + 1));
  }
}

TEST(SpoolStore, PutJobWithoutDocumentsKeepsCommittedDocuments) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  ASSERT_TRUE(commit_job_with_document(*spool, 3));
  JobRecord update = make_job(3);  // a state change that does not carry documents
  update.state = 9;
  ASSERT_TRUE(commit_one(*spool, SpoolChange{SpoolChange::Kind::kPutJob, update, {}}));

  place_all_files(*spool);
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].state, 9);
  ASSERT_EQ((*jobs)[0].documents.size(), 1u);
  EXPECT_EQ((*jobs)[0].documents[0].format, "text/plain");
  EXPECT_EQ(read_file((*jobs)[0].documents[0].path), document_text(3));
}

TEST(SpoolStore, RemoveJobDeletesItsRowAndFiles) {
  TempDir dir;
  auto spool = open_spilling_spool(dir.path());
  ASSERT_TRUE(spool);
  ASSERT_TRUE(commit_job_with_document(*spool, 1));
  ASSERT_TRUE(commit_job_with_document(*spool, 2));
  ASSERT_TRUE(commit_one(*spool, removal(SpoolChange::Kind::kRemoveJob, 1)));

  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].id, 2);
  EXPECT_EQ(document_files(dir.path()), std::vector<std::string>{"d00002-001"});
}

TEST(SpoolStore, RemoveDocumentsKeepsTheJob) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  ASSERT_TRUE(commit_job_with_document(*spool, 4));
  ASSERT_TRUE(commit_one(*spool, removal(SpoolChange::Kind::kRemoveDocuments, 4)));

  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].id, 4);
  EXPECT_TRUE((*jobs)[0].documents.empty());
  EXPECT_TRUE(document_files(dir.path()).empty());
}

TEST(SpoolStore, JobIdsIncreaseAcrossReopen) {
  TempDir dir;
  std::int32_t committed = 0;
  {
    auto spool = open_spool(dir.path());
    ASSERT_TRUE(spool);
    std::int32_t first = spool->reserve_job_id();
    committed = spool->reserve_job_id();
    EXPECT_EQ(first, 1);
    EXPECT_GT(committed, first);
    ASSERT_TRUE(commit_job_with_document(*spool, committed));
  }
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  EXPECT_GT(spool->reserve_job_id(), committed);
}

TEST(SpoolStore, JobIdsNeverRepeatAfterEveryJobIsRemoved) {
  TempDir dir;
  std::int32_t highest = 0;
  {
    auto spool = open_spool(dir.path());
    ASSERT_TRUE(spool);
    for (int i = 0; i < 3; ++i) {
      highest = spool->reserve_job_id();
      ASSERT_TRUE(commit_job_with_document(*spool, highest));
    }
    for (std::int32_t id = 1; id <= highest; ++id) {
      ASSERT_TRUE(commit_one(*spool, removal(SpoolChange::Kind::kRemoveJob, id)));
    }
    auto jobs = spool->load_jobs();
    ASSERT_TRUE(jobs);
    EXPECT_TRUE(jobs->empty());
  }
  for (int reopen = 0; reopen < 2; ++reopen) {
    auto spool = open_spool(dir.path());
    ASSERT_TRUE(spool);
    EXPECT_EQ(spool->reserve_job_id(), highest + 1);
  }
}

TEST(SpoolStore, ReserveJobIdHandsOutUniqueIdsToConcurrentCallers) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  std::vector<std::vector<std::int32_t>> ids(4);
  {
    std::vector<std::jthread> threads;
    for (auto& mine : ids) {
      threads.emplace_back([&spool, &mine] {
        for (int i = 0; i < 1000; ++i) mine.push_back(spool->reserve_job_id());
      });
    }
  }
  std::set<std::int32_t> all;
  for (const auto& mine : ids) {
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
    all.insert(mine.begin(), mine.end());
  }
  EXPECT_EQ(all.size(), 4000u);
}

TEST(SpoolStore, RefusesSecondOpenOfTheSameDirectory) {
  TempDir dir;
  auto first = open_spool(dir.path());
  ASSERT_TRUE(first);
  auto second = Spool::open({dir.path()});
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
}

TEST(SpoolStore, RefusesAFileThatIsNotADatabaseAndKeepsTheDocuments) {
  TempDir dir;
  {
    auto spool = open_spilling_spool(dir.path());  // the files are the documents the refusal keeps
    ASSERT_TRUE(spool);
    ASSERT_TRUE(commit_job_with_document(*spool, 1));
  }
  std::filesystem::remove(dir.path() / "jobs.db-wal");
  std::filesystem::remove(dir.path() / "jobs.db-shm");
  {
    std::ofstream garbage(dir.path() / "jobs.db", std::ios::binary | std::ios::trunc);
    garbage << std::string(8192, 'x');
  }
  auto spool = Spool::open({dir.path()});
  ASSERT_FALSE(spool);
  EXPECT_EQ(spool.error(), (dir.path() / "jobs.db").string() + ": file is not a database");
  EXPECT_EQ(document_files(dir.path()), std::vector<std::string>{"d00001-001"});
}

TEST(SpoolStore, RefusesADatabaseItCannotWrite) {
  if (::geteuid() == 0) GTEST_SKIP() << "file permissions do not bind root";
  TempDir dir;
  {
    auto spool = open_spilling_spool(dir.path());  // the files are the documents the refusal keeps
    ASSERT_TRUE(spool);
    ASSERT_TRUE(commit_job_with_document(*spool, 1));
  }
  auto db = dir.path() / "jobs.db";
  std::filesystem::permissions(db, std::filesystem::perms::owner_read);
  auto spool = Spool::open({dir.path()});
  ASSERT_FALSE(spool);
  EXPECT_EQ(spool.error(), db.string() + ": not writable (opened read-only)");
  EXPECT_EQ(document_files(dir.path()), std::vector<std::string>{"d00001-001"});
}

TEST(SpoolStore, RefusesADatabaseWithACorruptPage) {
  TempDir dir;
  {
    auto spool = open_spilling_spool(dir.path());  // the files are the documents the refusal keeps
    ASSERT_TRUE(spool);
    for (std::int32_t id = 1; id <= 40; ++id) ASSERT_TRUE(commit_job_with_document(*spool, id));
  }
  // The last connection's close checkpointed the WAL into jobs.db; spoil page 2 on.
  auto db = dir.path() / "jobs.db";
  ASSERT_GE(std::filesystem::file_size(db), 3 * 4096u);
  int fd = ::open(db.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  std::string junk(4096, '\x5a');
  ASSERT_EQ(::pwrite(fd, junk.data(), junk.size(), 4096), 4096);
  ::close(fd);

  auto spool = Spool::open({dir.path()});
  ASSERT_FALSE(spool);
  EXPECT_TRUE(spool.error().starts_with(db.string() + ": database disk image is malformed")) << spool.error();
  EXPECT_EQ(document_files(dir.path()).size(), 40u);
}

}  // namespace
}  // namespace quire::test
