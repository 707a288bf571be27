// job-hold-until: periods in local time, HH:MM in UTC, and the scheduler releasing
// held jobs when an advanced clock reaches their time.
#include "quire/hold_until.hpp"

#include "scheduler_test_support.hpp"

#include <atomic>
#include <cstdlib>

namespace quire {
namespace {

// Times below are built in UTC; the tests run with TZ=UTC so local time is UTC too.
class HoldUntil : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
  // 2026-11-25 is a Wednesday.
  static std::int64_t at(int day, int hour, int minute = 0) {
    std::tm tm{};
    tm.tm_year = 126;
    tm.tm_mon = 10;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    return static_cast<std::int64_t>(timegm(&tm));
  }
};

TEST_F(HoldUntil, NoHoldIsNowAndIndefiniteIsNever) {
  EXPECT_EQ(hold_release_time("no-hold", at(25, 10)), at(25, 10));
  EXPECT_EQ(hold_release_time("indefinite", at(25, 10)), std::nullopt);
  EXPECT_EQ(hold_release_time("whenever", at(25, 10)), std::nullopt);
}

TEST_F(HoldUntil, DayTimeIsSixToSix) {
  EXPECT_EQ(hold_release_time("day-time", at(25, 10)), at(25, 10));
  EXPECT_EQ(hold_release_time("day-time", at(25, 3)), at(25, 6));
  EXPECT_EQ(hold_release_time("day-time", at(25, 20)), at(26, 6));
}

TEST_F(HoldUntil, NightAndEveningWrapPastMidnight) {
  EXPECT_EQ(hold_release_time("night", at(25, 12)), at(25, 18));
  EXPECT_EQ(hold_release_time("night", at(25, 23)), at(25, 23));
  EXPECT_EQ(hold_release_time("evening", at(25, 2)), at(25, 2));
}

TEST_F(HoldUntil, Shifts) {
  EXPECT_EQ(hold_release_time("second-shift", at(25, 9)), at(25, 16));
  EXPECT_EQ(hold_release_time("second-shift", at(25, 17)), at(25, 17));
  EXPECT_EQ(hold_release_time("third-shift", at(25, 9)), at(26, 0));
  EXPECT_EQ(hold_release_time("third-shift", at(25, 7)), at(25, 7));
}

TEST_F(HoldUntil, WeekendStartsSaturday) {
  EXPECT_EQ(hold_release_time("weekend", at(25, 9)), at(28, 0));  // Wednesday → Saturday
  EXPECT_EQ(hold_release_time("weekend", at(29, 9)), at(29, 9));  // Sunday
}

TEST_F(HoldUntil, TimeOfDayIsUtcTodayOrTomorrow) {
  EXPECT_EQ(hold_release_time("14:30", at(25, 9)), at(25, 14, 30));
  EXPECT_EQ(hold_release_time("08:15", at(25, 9)), at(26, 8, 15));
  EXPECT_EQ(hold_release_time("23:00:30", at(25, 9)), at(25, 23) + 30);
  EXPECT_FALSE(is_valid_hold_until("25:00"));
  EXPECT_FALSE(is_valid_hold_until("12:60"));
  EXPECT_TRUE(is_valid_hold_until("12:59"));
}

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t t) : now_(t) {}
  std::int64_t now() const override { return now_; }
  void advance(std::int64_t seconds) { now_ += seconds; }

 private:
  std::atomic<std::int64_t> now_;
};

class HoldUntilScheduler : public testing::SchedulerFixture {};

TEST_F(HoldUntilScheduler, HeldJobPrintsWhenTheAdvancedClockReachesItsTime) {
  setenv("TZ", "UTC", 1);
  tzset();
  std::tm tm{};
  tm.tm_year = 126, tm.tm_mon = 10, tm.tm_mday = 25, tm.tm_hour = 9;
  FakeClock clock(timegm(&tm));  // Wednesday 09:00
  ServerConfig server;
  clock_ = &clock;
  start({printer("office", "record://x")}, server);
  IppMessage rq = request(IPP_OP_PRINT_JOB);
  rq.add_string(IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-hold-until", "night");
  int id = send(std::move(rq), "night job\n").find_integer("job-id").value_or(0);
  ASSERT_GT(id, 0);
  on_strand([&] { scheduler_->release_due_holds(); });
  EXPECT_EQ(on_strand([&] { return scheduler_->find_job(id)->state(); }), IPP_JSTATE_HELD);
  clock.advance(8 * 3600);  // 17:00: still day
  on_strand([&] { scheduler_->release_due_holds(); });
  EXPECT_EQ(on_strand([&] { return scheduler_->find_job(id)->state(); }), IPP_JSTATE_HELD);
  clock.advance(3600);  // 18:00: night begins
  on_strand([&] { scheduler_->release_due_holds(); });
  EXPECT_TRUE(eventually([&] { return scheduler_->find_job(id)->state() == IPP_JSTATE_COMPLETED; }));
}

}  // namespace
}  // namespace quire
