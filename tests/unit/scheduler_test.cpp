// Scheduler: job order, one job at a time per printer, state changes, recovery.
#include "scheduler_test_support.hpp"

#include <algorithm>
#include <future>

namespace quire {
namespace {

using testing::SchedulerFixture;

class Scheduler_ : public SchedulerFixture {};

int print(SchedulerFixture& t, const std::string& title, int priority = 50, const std::string& printer = "office") {
  IppMessage rq = SchedulerFixture::request(IPP_OP_PRINT_JOB, printer);
  rq.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", title);
  rq.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-priority", priority);
  IppMessage response = t.send(std::move(rq), "document " + title + "\n");
  EXPECT_EQ(response.status(), IPP_STATUS_OK) << ippErrorString(response.status());
  return response.find_integer("job-id").value_or(0);
}

TEST_F(Scheduler_, PrintsADocumentThroughTheBackend) {
  start({printer("office", "record://x")});
  int id = print(*this, "hello");
  ASSERT_GT(id, 0);
  ASSERT_TRUE(eventually([&] { return scheduler_->find_job(id)->state() == IPP_JSTATE_COMPLETED; }));
  EXPECT_EQ(read(dir_ / ("job-" + std::to_string(id) + ".out")), "document hello\n");
  EXPECT_TRUE(on_strand([&] { return scheduler_->find_printer("office")->state == IPP_PSTATE_IDLE; }));
}

TEST_F(Scheduler_, StartsJobsByPriorityThenArrival) {
  start({printer("office", "record://x", /*enabled=*/false)});
  int low = print(*this, "low", 10);
  int first_high = print(*this, "high1", 90);
  int normal = print(*this, "normal", 50);
  int second_high = print(*this, "high2", 90);
  ASSERT_TRUE(set_enabled("office", true));
  ASSERT_TRUE(eventually([&] { return scheduler_->find_job(low)->state() == IPP_JSTATE_COMPLETED; }));
  std::string expected;
  for (auto [id, title] : {std::pair{first_high, "high1"}, {second_high, "high2"}, {normal, "normal"}, {low, "low"}})
    expected += std::to_string(id) + " " + title + "\n";
  EXPECT_EQ(read(dir_ / "printed"), expected);
}

TEST_F(Scheduler_, FailedBackendAbortsTheJobWithItsReason) {
  start({printer("office", "fail://x")});
  int id = print(*this, "doomed");
  ASSERT_TRUE(eventually([&] { return scheduler_->find_job(id)->state() == IPP_JSTATE_ABORTED; }));
  std::string message = on_strand([&] { return scheduler_->find_job(id)->record.state_message; });
  EXPECT_NE(message.find("paper on fire"), std::string::npos) << message;
  EXPECT_NE(message.find("exit status 1"), std::string::npos) << message;
}

TEST_F(Scheduler_, HeldJobWaitsUntilReleased) {
  start({printer("office", "record://x")});
  IppMessage rq = request(IPP_OP_PRINT_JOB);
  rq.add_string(IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-hold-until", "indefinite");
  int id = send(std::move(rq), "held\n").find_integer("job-id").value_or(0);
  EXPECT_EQ(on_strand([&] { return scheduler_->find_job(id)->state(); }), IPP_JSTATE_HELD);
  IppMessage release = request(IPP_OP_RELEASE_JOB);
  release.add_integer(IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", id);
  EXPECT_EQ(send(std::move(release)).status(), IPP_STATUS_OK);
  ASSERT_TRUE(eventually([&] { return scheduler_->find_job(id)->state() == IPP_JSTATE_COMPLETED; }));
}

TEST_F(Scheduler_, RecoveredProcessingJobPrintsAgainAfterRestart) {
  start({printer("office", "record://x", false)});
  int id = print(*this, "interrupted");
  // Mark it processing in the store, as if the daemon died mid-print.
  on_strand([&] {
    Job* job = scheduler_->find_job(id);
    job->record.state = IPP_JSTATE_PROCESSING;
    std::vector<SpoolChange> changes(1);
    changes[0].job = job->record;
    return spool_->commit_and_wait(std::move(changes)).has_value();
  });
  stop();
  auto jobs = spool_->load_jobs();
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(jobs->front().state, IPP_JSTATE_PROCESSING);

  boost::asio::io_context io2;
  Scheduler second(io2, *spool_, {{}, dir_, {dir_ / "backend"}});
  second.load({printer("office", "record://x")}, std::move(*jobs));
  second.start();
  io2.run_for(std::chrono::seconds(10));  // returns once the job has printed and nothing is left to do
  EXPECT_EQ(read(dir_ / "printed"), std::to_string(id) + " interrupted\n");
  // Let commits still in flight report to `second` before it goes.
  ASSERT_TRUE(spool_->commit_and_wait({}));
  io2.restart();
  io2.poll();
}

TEST_F(Scheduler_, HistoryIsTrimmedToMaxJobs) {
  ServerConfig server;
  server.max_jobs = 2;
  start({printer("office", "record://x")}, server);
  std::vector<int> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(print(*this, "j" + std::to_string(i)));
    ASSERT_TRUE(eventually([&] { return scheduler_->find_job(ids.back())->state() == IPP_JSTATE_COMPLETED; }));
  }
  EXPECT_TRUE(eventually([&] { return scheduler_->find_job(ids[0]) == nullptr && scheduler_->find_job(ids[1]) == nullptr; }));
  EXPECT_TRUE(on_strand([&] { return scheduler_->find_job(ids[3]) != nullptr; }));
}

TEST_F(Scheduler_, RestartedJobIsQueuedAgainAndItsFilesGoOnlyWhenItFinishesAgain) {
  ServerConfig server;
  server.preserve_job_files = ServerConfig::kForever;
  start({printer("office", "record://x")}, server);
  int id = print(*this, "twice");
  ASSERT_TRUE(eventually([&] { return scheduler_->find_job(id)->state() == IPP_JSTATE_COMPLETED; }));
  ASSERT_TRUE(set_enabled("office", false));
  std::promise<bool> restarted;
  on_strand([&] {
    scheduler_->restart_job(id, [&](std::expected<void, std::string> r) { restarted.set_value(r.has_value()); });
    return true;
  });
  ASSERT_TRUE(restarted.get_future().get());
  auto queued = [&] {
    auto jobs = scheduler_->list_jobs("office", WhichJobs::kNotCompleted, "");
    return jobs.size() == 1 && jobs[0]->id() == id && scheduler_->queued_job_count("office") == 1 &&
           scheduler_->queued_job_counts().at("office") == 1;
  };
  EXPECT_TRUE(on_strand(queued));
  EXPECT_TRUE(on_strand([&] { return scheduler_->list_jobs("office", WhichJobs::kCompleted, "").empty(); }));
  ASSERT_TRUE(set_enabled("office", true));
  ASSERT_TRUE(eventually([&] { return scheduler_->find_job(id)->state() == IPP_JSTATE_COMPLETED; }));
  EXPECT_TRUE(on_strand([&] { return scheduler_->list_jobs("", WhichJobs::kNotCompleted, "").empty(); }));
  EXPECT_EQ(read(dir_ / "printed"), std::to_string(id) + " twice\n" + std::to_string(id) + " twice\n");
}

TEST_F(Scheduler_, FinishedJobsLoseTheirFilesUnlessPreserved) {
  ServerConfig server;
  server.preserve_job_files = 0;  // PreserveJobFiles No
  start({printer("office", "record://x")}, server);
  int first = print(*this, "a");
  int second = print(*this, "b");
  ASSERT_TRUE(eventually([&] {
    return scheduler_->find_job(first)->record.documents.empty() && scheduler_->find_job(second)->record.documents.empty();
  }));
  // The store follows once the removal commits (asynchronously: no client waits on it).
  auto stored_without_files = [&] {
    auto jobs = spool_->load_jobs();
    return jobs && jobs->size() == 2 &&
           std::all_of(jobs->begin(), jobs->end(), [](const JobRecord& j) { return j.documents.empty(); });
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!stored_without_files() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(stored_without_files());
}

TEST_F(Scheduler_, AJobSentToAClassGoesToAFreeMemberAndQueuesOnBusyOnes) {
  PrinterConfig cls = printer("floor", "");
  cls.description.is_class = true;
  cls.members = {"left", "right"};
  start({printer("left", "record://x", false), printer("right", "record://x"), cls});
  int id = print(*this, "to-class", 50, "floor");
  ASSERT_TRUE(eventually([&] { return scheduler_->find_job(id)->state() == IPP_JSTATE_COMPLETED; }));
  EXPECT_EQ(read(dir_ / "printed"), std::to_string(id) + " to-class\n");
}

}  // namespace
}  // namespace quire
