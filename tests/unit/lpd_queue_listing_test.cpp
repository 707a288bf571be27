// Queue state in BSD lpq's columns, and which jobs lpq and lprm lists name.
#include "lpd/queue_listing.hpp"

#include <gtest/gtest.h>

namespace quire::lpd {
namespace {

QueueInfo queue(ipp_pstate_t state = IPP_PSTATE_IDLE, bool accepting = true) {
  return QueueInfo{"demo", state, "", accepting, {}};
}

QueuedJob job(int id, std::string user, std::string name, ipp_jstate_t state = IPP_JSTATE_PENDING,
              std::uint64_t bytes = 1024) {
  return QueuedJob{id, std::move(user), "client.example", std::move(name), state, bytes, 1};
}

TEST(LpdQueueListing, ShortFormatHasBsdColumns) {
  const std::string text = render_queue_state(queue(IPP_PSTATE_PROCESSING),
                                              {job(30, "root", "standard input", IPP_JSTATE_PROCESSING, 5),
                                               job(31, "root", "standard input"), job(32, "bob", "x", IPP_JSTATE_HELD),
                                               job(33, "bob", "y")},
                                              {}, false);
  EXPECT_EQ(text,
            "demo is ready and printing\n"
            "Rank   Owner      Job  Files                                 Total Size\n"
            "active root       30   standard input                        5 bytes\n"
            "1st    root       31   standard input                        1024 bytes\n"
            "hold   bob        32   x                                     1024 bytes\n"
            "2nd    bob        33   y                                     1024 bytes\n");
}

TEST(LpdQueueListing, LongFormatHasBsdColumns) {
  QueuedJob copies = job(31, "root", "standard input");
  copies.copies = 2;
  const std::string text = render_queue_state(queue(), {job(30, "root", "standard input"), copies}, {}, true);
  EXPECT_EQ(text,
            "demo is ready\n"
            "\n"
            "root: 1st                                [job 030client.example]\n"
            "\tstandard input                   1024 bytes\n"
            "\n"
            "root: 2nd                                [job 031client.example]\n"
            "\t2  copies of standard input      1024 bytes\n");
}

TEST(LpdQueueListing, RanksCountTheWholeQueueWhenTheListShowsPart) {
  const std::string text =
      render_queue_state(queue(), {job(1, "ann", "a"), job(2, "bob", "b"), job(3, "ann", "c")}, {"bob"}, false);
  EXPECT_NE(text.find("2nd    bob        2 "), std::string::npos) << text;
  EXPECT_EQ(text.find("ann"), std::string::npos) << text;
}

TEST(LpdQueueListing, EmptyQueueSaysNoEntries) {
  EXPECT_EQ(render_queue_state(queue(), {}, {}, false), "demo is ready\nno entries\n");
  EXPECT_EQ(render_queue_state(queue(), {job(1, "ann", "a")}, {"zed"}, false), "demo is ready\nno entries\n");
}

TEST(LpdQueueListing, StoppedAndRejectingQueuesWarnAsBsdDoes) {
  QueueInfo stopped = queue(IPP_PSTATE_STOPPED, false);
  stopped.state_message = "paper jam";
  EXPECT_EQ(render_queue_state(stopped, {}, {}, false),
            "Warning: demo is down: paper jam\nWarning: demo queue is turned off\nno entries\n");
}

TEST(LpdQueueListing, LongFileNamesAreCutBeforeTheSizeColumn) {
  const std::string text = render_queue_state(queue(), {job(5, "ann", std::string(80, 'n'))}, {}, false);
  const std::string line = text.substr(text.rfind("1st"));
  EXPECT_EQ(line.find(" ...") + 4 <= 61, true) << line;
  EXPECT_EQ(line.substr(61), "1024 bytes\n");
}

TEST(LpdQueueListing, ControlCharactersInNamesCannotBreakLines) {
  const std::string text = render_queue_state(queue(), {job(5, "ann", "evil\nname")}, {}, false);
  EXPECT_NE(text.find("evil?name"), std::string::npos);
}

TEST(LpdJobSelection, ListsNameJobsByNumberAndUser) {
  EXPECT_TRUE(is_named(job(12, "ann", "a"), {}));
  EXPECT_TRUE(is_named(job(12, "ann", "a"), {"012"}));
  EXPECT_TRUE(is_named(job(12, "ann", "a"), {"bob", "ann"}));
  EXPECT_FALSE(is_named(job(12, "ann", "a"), {"13", "bob"}));
  EXPECT_FALSE(is_named(job(12, "ann", "a"), {"99999999999999999999999"}));
}

TEST(LpdJobSelection, RemoveTakesTheNamedJobsOrTheAgentsFirst) {
  const std::vector<QueuedJob> jobs = {job(1, "ann", "a"), job(2, "bob", "b"), job(3, "bob", "c"), job(4, "ann", "d")};
  EXPECT_EQ(jobs_to_remove(jobs, "ann", {"3", "bob"}), (std::vector<int>{2, 3}));
  EXPECT_EQ(jobs_to_remove(jobs, "bob", {}), (std::vector<int>{2}));
  EXPECT_EQ(jobs_to_remove(jobs, "ann", {"-"}), (std::vector<int>{1, 4}));
  EXPECT_TRUE(jobs_to_remove(jobs, "zed", {}).empty());
}

}  // namespace
}  // namespace quire::lpd
