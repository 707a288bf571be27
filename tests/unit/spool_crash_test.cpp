// Spool crash test: a child process commits jobs from several threads and reports each
// acknowledged id through a pipe; the parent SIGKILLs it mid-stream, reopens the spool
// and must find every acknowledged job with its document, and nothing unowned.
#include "quire/spool.hpp"

#include "spool_test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>
#include <thread>

namespace quire::test {
namespace {

// Runs in the forked child; never returns. Exit codes other than death by SIGKILL tell
// the parent what went wrong.
[[noreturn]] void commit_until_killed(const std::filesystem::path& directory, int ack_fd) {
  auto spool = Spool::open({directory});
  if (!spool) ::_exit(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&spool, ack_fd] {
      for (int i = 0; i < 100000; ++i) {
        std::int32_t id = (*spool)->reserve_job_id();
        if (!commit_job_with_document(**spool, id)) ::_exit(3);
        // Four bytes to a pipe are written atomically, even from several threads.
        if (::write(ack_fd, &id, sizeof id) != sizeof id) ::_exit(4);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ::_exit(5);
}

bool read_id(int fd, std::int32_t& id) {
  auto* out = reinterpret_cast<char*>(&id);
  std::size_t got = 0;
  while (got < sizeof id) {
    ssize_t n = ::read(fd, out + got, sizeof id - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

// Forks the committing child, kills it after `kill_after` acknowledgements, and adds
// every id it acknowledged before dying (including those still in the pipe).
void run_round(const std::filesystem::path& directory, std::size_t kill_after, std::set<std::int32_t>& acknowledged) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::fflush(nullptr);  // the child must not repeat buffered output
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    commit_until_killed(directory, fds[1]);
  }
  ::close(fds[1]);
  std::size_t this_round = 0;
  std::int32_t id = 0;
  while (read_id(fds[0], id)) {  // ends at EOF, once the child is dead
    acknowledged.insert(id);
    if (++this_round == kill_after) ::kill(child, SIGKILL);
  }
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child stopped on its own with status " << status << " after " << this_round << " commits";
  std::printf("[ crash ] killed the committer after %zu acknowledged commits (%zu in all rounds)\n", this_round,
              acknowledged.size());
}

TEST(SpoolCrash, EveryAcknowledgedJobSurvivesKill9) {
  TempDir dir;
  std::set<std::int32_t> acknowledged;
  for (int round = 0; round < 6; ++round) {  // one directory: each round recovers the last
    run_round(dir.path(), 15 + 20 * static_cast<std::size_t>(round), acknowledged);
    if (HasFatalFailure()) return;

    auto spool = open_spool(dir.path());
    ASSERT_TRUE(spool);
    auto jobs = spool->load_jobs();
    ASSERT_TRUE(jobs) << jobs.error();
    std::map<std::int32_t, const JobRecord*> by_id;
    std::set<std::string> owned_files;
    for (const JobRecord& job : *jobs) {
      by_id[job.id] = &job;
      for (const auto& document : job.documents) owned_files.insert(document.path.filename().string());
    }
    for (std::int32_t id : acknowledged) {
      auto found = by_id.find(id);
      ASSERT_NE(found, by_id.end()) << "acknowledged job " << id << " is lost (round " << round << ")";
      ASSERT_EQ(found->second->documents.size(), 1u) << "job " << id;
      EXPECT_EQ(read_file(found->second->documents[0].path), document_text(id)) << "job " << id;
    }
    auto files = document_files(dir.path());
    EXPECT_EQ(std::set<std::string>(files.begin(), files.end()), owned_files) << "round " << round;
    EXPECT_TRUE(list_files(dir.path() / "tmp").empty());
    std::printf("[ crash ] round %d: %zu jobs in the spool, all %zu acknowledged present\n", round, jobs->size(),
                acknowledged.size());
  }
}

}  // namespace
}  // namespace quire::test
