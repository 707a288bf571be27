// Spool commit tests: concurrent commits share transactions (group commit), a change
// set is all or nothing, and a bad change set does not fail its batch companions.
#include "quire/spool.hpp"

#include "spool_test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <thread>

namespace quire::test {
namespace {

using namespace std::chrono_literals;

TEST(SpoolCommit, ConcurrentCommitsShareTransactions) {
  constexpr int kThreads = 8;
  constexpr int kCommitsPerThread = 50;
  constexpr int kCommits = kThreads * kCommitsPerThread;
  TempDir dir;
  std::atomic<int> failures{0};
  std::uint64_t transactions = 0;
  {
    auto spool = open_spool(dir.path());
    ASSERT_TRUE(spool);
    auto start = std::chrono::steady_clock::now();
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
          for (int i = 0; i < kCommitsPerThread; ++i) {
            auto committed = commit_job_with_document(*spool, spool->reserve_job_id());
            if (!committed) {
              ADD_FAILURE() << committed.error();
              ++failures;
            }
          }
        });
      }
    }
    auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
    transactions = spool->transactions_committed();
    std::printf("[ group commit ] %d commits (each a job and a document) from %d threads: %llu transactions, "
                "%.1f commits per transaction, %.0f ms, %.0f commits/s\n",
                kCommits, kThreads, static_cast<unsigned long long>(transactions),
                static_cast<double>(kCommits) / static_cast<double>(transactions), elapsed.count(),
                kCommits / (elapsed.count() / 1000.0));
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LT(transactions, static_cast<std::uint64_t>(kCommits));

  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), static_cast<std::size_t>(kCommits));
  for (std::size_t i = 0; i < jobs->size(); ++i) {
    const JobRecord& job = (*jobs)[i];
    EXPECT_EQ(job.id, static_cast<std::int32_t>(i + 1));
    ASSERT_EQ(job.documents.size(), 1u);
    EXPECT_EQ(read_file(job.documents[0].path), document_text(job.id));
  }
}

TEST(SpoolCommit, BadChangeSetFailsAloneInItsBatch) {
  TempDir dir;
  auto spool = open_spool(dir.path(), 200ms);  // long enough that both land in one batch
  ASSERT_TRUE(spool);
  std::promise<std::expected<void, std::string>> bad_result, good_result;

  auto stray = spool->create_document(99, 1);  // belongs to another job
  ASSERT_TRUE(stray);
  SpoolChange bad{SpoolChange::Kind::kPutJob, make_job(1), {}};
  bad.seal.push_back(std::move(*stray));
  std::vector<SpoolChange> bad_changes;
  bad_changes.push_back(std::move(bad));
  spool->commit(std::move(bad_changes), [&](auto r) { bad_result.set_value(std::move(r)); });
  auto good = job_with_document(*spool, 2);
  ASSERT_TRUE(good);
  std::vector<SpoolChange> good_changes;
  good_changes.push_back(std::move(*good));
  spool->commit(std::move(good_changes), [&](auto r) { good_result.set_value(std::move(r)); });

  auto bad_outcome = bad_result.get_future().get();
  ASSERT_FALSE(bad_outcome);
  EXPECT_EQ(bad_outcome.error(), "job 1: document writer belongs to job 99");
  EXPECT_TRUE(good_result.get_future().get());
  EXPECT_EQ(spool->transactions_committed(), 1u);
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].id, 2);
  EXPECT_TRUE(list_files(dir.path() / "tmp").empty());  // the stray writer's file went with its change set
}

TEST(SpoolCommit, ChangeSetIsAllOrNothing) {
  TempDir dir;
  auto spool = open_spilling_spool(dir.path());
  ASSERT_TRUE(spool);
  auto first = job_with_document(*spool, 1);
  auto second = job_with_document(*spool, 2);
  ASSERT_TRUE(first && second);
  // Job 2's document cannot be sealed: its temporary file vanished.
  for (const auto& name : list_files(dir.path() / "tmp")) {
    if (name.starts_with("d00002")) std::filesystem::remove(dir.path() / "tmp" / name);
  }
  std::vector<SpoolChange> changes;
  changes.push_back(std::move(*first));
  changes.push_back(std::move(*second));
  auto result = spool->commit_and_wait(std::move(changes));
  ASSERT_FALSE(result);
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  EXPECT_TRUE(jobs->empty());
  EXPECT_TRUE(document_files(dir.path()).empty());  // job 1's file was sealed, then removed
  EXPECT_TRUE(list_files(dir.path() / "tmp").empty());
}

TEST(SpoolCommit, ClosingFinishesQueuedCommits) {
  TempDir dir;
  constexpr int kJobs = 30;
  std::atomic<int> succeeded{0};
  {
    auto spool = open_spool(dir.path());
    ASSERT_TRUE(spool);
    for (std::int32_t id = 1; id <= kJobs; ++id) {
      auto change = job_with_document(*spool, id);
      ASSERT_TRUE(change);
      std::vector<SpoolChange> changes;
      changes.push_back(std::move(*change));
      spool->commit(std::move(changes), [&](auto r) { succeeded += r ? 1 : 0; });
    }
  }  // the destructor runs with commits still queued
  EXPECT_EQ(succeeded.load(), kJobs);
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  EXPECT_EQ(jobs->size(), static_cast<std::size_t>(kJobs));
}

TEST(SpoolCommit, RefusesToSealOverACommittedDocument) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  ASSERT_TRUE(commit_job_with_document(*spool, 1));
  auto again = spool->create_document(1, 1);
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->write(bytes_of("replacement")));
  SpoolChange change{SpoolChange::Kind::kPutJob, make_job(1), {}};
  change.seal.push_back(std::move(*again));
  auto result = commit_one(*spool, std::move(change));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), "job 1 document 1: d00001-001 already exists");
  place_all_files(*spool);
  EXPECT_EQ(read_file(dir.path() / "d00001-001"), document_text(1));
}

}  // namespace
}  // namespace quire::test
