// Deadlines and exponential backoff for backends that wait on a device: connecting,
// waiting for a busy printer, polling a remote job.
#pragma once

#include <algorithm>
#include <chrono>
#include <limits>

namespace quire::backend {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

class Deadline {
 public:
  static Deadline after(Clock::duration d) { return Deadline(Clock::now() + d); }
  static Deadline never() { return Deadline(Clock::time_point::max()); }

  bool expired() const { return Clock::now() >= at_; }
  milliseconds left() const {
    if (at_ == Clock::time_point::max()) return milliseconds::max();
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(at_ - Clock::now()));
  }
  // A poll() timeout: the time left, at most `cap` (and at most what an int holds).
  int poll_timeout(milliseconds cap) const {
    milliseconds t = std::min({left(), cap, milliseconds(std::numeric_limits<int>::max())});
    return static_cast<int>(t.count());
  }

 private:
  explicit Deadline(Clock::time_point at) : at_(at) {}
  Clock::time_point at_;
};

// initial, 2*initial, 4*initial, ... up to max.
class Backoff {
 public:
  Backoff(milliseconds initial, milliseconds max) : next_(initial), max_(max) {}
  milliseconds next() {
    milliseconds current = next_;
    next_ = std::min(max_, next_ * 2);
    return current;
  }

 private:
  milliseconds next_;
  milliseconds max_;
};

}  // namespace quire::backend
