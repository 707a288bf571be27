// Spool fault injection: a document that cannot be written or sealed, and a transaction
// that cannot commit, report errors with context and leave nothing durable; the spool
// keeps working afterwards. "Disk full" is RLIMIT_FSIZE, set in a forked child, so it
// bites as root too and never limits the test runner itself.
#include "quire/spool.hpp"

#include "spool_test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

namespace quire::test {
namespace {

// Runs `body` in a forked child and returns what it returned, or a note of how it died.
std::string run_in_child(const std::function<std::string()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  std::fflush(nullptr);
  pid_t child = ::fork();
  if (child < 0) return "fork failed";
  if (child == 0) {
    ::close(fds[0]);
    std::string report = body();
    std::size_t written = 0;
    while (written < report.size()) {
      ssize_t n = ::write(fds[1], report.data() + written, report.size() - written);
      if (n <= 0) ::_exit(3);
      written += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string report;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) report += "\nchild died with status " + std::to_string(status);
  return report;
}

// Files written past `bytes` fail with EFBIG ("File too large") instead of a signal.
void limit_file_size(rlim_t bytes) {
  ::signal(SIGXFSZ, SIG_IGN);
  rlimit limit{};
  ::getrlimit(RLIMIT_FSIZE, &limit);
  limit.rlim_cur = bytes;
  ::setrlimit(RLIMIT_FSIZE, &limit);
}

void lift_file_size_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_FSIZE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_FSIZE, &limit);
}

std::string outcome(const std::expected<void, std::string>& result) { return result ? "ok" : result.error(); }

TEST(SpoolFault, SealFailsWhenTheTemporaryFileVanishedAndLaterCommitsWork) {
  TempDir dir;
  auto spool = open_spilling_spool(dir.path());
  ASSERT_TRUE(spool);
  auto change = job_with_document(*spool, 12);
  ASSERT_TRUE(change);
  auto temp_files = list_files(dir.path() / "tmp");
  ASSERT_EQ(temp_files.size(), 1u);
  std::filesystem::remove(dir.path() / "tmp" / temp_files[0]);  // behind the writer's back

  auto result = commit_one(*spool, std::move(*change));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), "job 12 document 1: rename: No such file or directory");
  EXPECT_EQ(spool->transactions_committed(), 0u);
  EXPECT_TRUE(document_files(dir.path()).empty());

  ASSERT_TRUE(commit_job_with_document(*spool, 13));
  spool.reset();
  spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].id, 13);
}

TEST(SpoolFault, WriteOnAFullDiskNamesJobAndDocumentAndTheDocumentCannotCommit) {
  TempDir dir;
  std::string report = run_in_child([&] {
    auto spool = Spool::open({dir.path(), {}, 0});  // documents go to files: that is what fills the disk
    if (!spool) return spool.error();
    auto writer = (*spool)->create_document(12, 1);
    if (!writer) return writer.error();
    limit_file_size(64 * 1024);
    std::vector<std::byte> big(256 * 1024, std::byte{'x'});
    std::string written = outcome(writer->write(big));
    lift_file_size_limit();
    std::string again = outcome(writer->write(bytes_of("more")));
    SpoolChange change{SpoolChange::Kind::kPutJob, make_job(12), {}};
    change.seal.push_back(std::move(*writer));
    std::string committed = outcome(commit_one(**spool, std::move(change)));
    std::string later = outcome(commit_job_with_document(**spool, 13));
    return written + "\n" + again + "\n" + committed + "\n" + later;
  });
  EXPECT_EQ(report,
            "job 12 document 1: write: File too large\n"
            "job 12 document 1: write: document is not open\n"
            "job 12 document 1: seal: document is not open (a write failed, or it was sealed)\n"
            "ok");
  EXPECT_TRUE(list_files(dir.path() / "tmp").empty());
  EXPECT_EQ(document_files(dir.path()), std::vector<std::string>{"d00013-001"});
}

TEST(SpoolFault, FailedTransactionLeavesNothingDurableAndLaterCommitsWork) {
  TempDir dir;
  auto wal = dir.path() / "jobs.db-wal";
  std::string report = run_in_child([&] {
    auto spool = Spool::open({dir.path()});
    if (!spool) return spool.error();
    std::string first = outcome(commit_job_with_document(**spool, 1));
    auto doomed = job_with_document(**spool, 2);  // its document is written in full
    if (!doomed) return doomed.error();
    // The WAL cannot grow: the document seals, the transaction cannot commit.
    limit_file_size(std::filesystem::file_size(wal));
    std::string second = outcome(commit_one(**spool, std::move(*doomed)));
    bool sealed_file_left = std::filesystem::exists(dir.path() / "d00002-001");
    lift_file_size_limit();
    std::string third = outcome(commit_job_with_document(**spool, 3));
    return first + "\n" + second + "\n" + (sealed_file_left ? "d00002-001 left" : "d00002-001 removed") + "\n" +
           third;
  });
  std::printf("[ fault ] child reported:\n%s\n", report.c_str());
  auto db = (dir.path() / "jobs.db").string();
  EXPECT_TRUE(report.starts_with("ok\n" + db + ": ")) << report;
  EXPECT_TRUE(report.ends_with("\nd00002-001 removed\nok")) << report;

  auto spool = open_spool(dir.path());
  ASSERT_TRUE(spool);
  auto jobs = spool->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].id, 1);
  EXPECT_EQ((*jobs)[1].id, 3);
  EXPECT_EQ(document_files(dir.path()), (std::vector<std::string>{"d00001-001", "d00003-001"}));
  EXPECT_EQ(spool->reserve_job_id(), 4);
}

}  // namespace
}  // namespace quire::test
