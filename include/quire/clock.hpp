// Clock: where the scheduler gets the time, so tests can advance it (job-hold-until
// day-time, night, weekend, HH:MM ...). The daemon uses the system clock.
#pragma once

#include <cstdint>
#include <ctime>

namespace quire {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now() const = 0;  // Unix seconds
};

class SystemClock final : public Clock {
 public:
  std::int64_t now() const override { return static_cast<std::int64_t>(std::time(nullptr)); }
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

}  // namespace quire
