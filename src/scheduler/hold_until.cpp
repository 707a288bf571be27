// job-hold-until periods and times, as CUPS's scheduler interprets them.
#include "quire/hold_until.hpp"

#include <ctime>

namespace quire {
namespace {

struct Period {
  std::string_view keyword;
  int start_hour;  // local time
  int end_hour;    // exclusive; may be below start (wraps past midnight)
};

constexpr Period kPeriods[] = {
    {"day-time", 6, 18}, {"evening", 18, 6}, {"night", 18, 6}, {"second-shift", 16, 24}, {"third-shift", 0, 8},
};

bool inside(const Period& p, int hour) {
  return p.start_hour < p.end_hour ? hour >= p.start_hour && hour < p.end_hour
                                   : hour >= p.start_hour || hour < p.end_hour;
}

// The next local time at `hour`:00:00 strictly after `now`'s day start + days.
std::int64_t local_at(std::int64_t now, int days_ahead, int hour) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  tm.tm_mday += days_ahead;
  tm.tm_hour = hour;
  tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return static_cast<std::int64_t>(std::mktime(&tm));
}

// "H:MM", "HH:MM" or "HH:MM:SS" → seconds after midnight. Minutes and seconds take
// exactly two digits.
std::optional<int> parse_time_of_day(std::string_view text) {
  int fields[3] = {0, 0, 0};
  int count = 0;
  std::size_t start = 0;
  while (count < 3) {
    std::size_t colon = text.find(':', start);
    std::string_view digits = text.substr(start, colon == std::string_view::npos ? colon : colon - start);
    std::size_t min_len = count == 0 ? 1 : 2;
    if (digits.size() < min_len || digits.size() > 2) return std::nullopt;
    int value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    fields[count++] = value;
    if (colon == std::string_view::npos) break;
    start = colon + 1;
    if (count == 3) return std::nullopt;  // a fourth field
  }
  if (count < 2 || fields[0] > 23 || fields[1] > 59 || fields[2] > 59) return std::nullopt;
  return fields[0] * 3600 + fields[1] * 60 + fields[2];
}

}  // namespace

std::optional<std::int64_t> hold_release_time(std::string_view hold, std::int64_t now) {
  if (hold.empty() || hold == "no-hold") return now;
  std::time_t t = static_cast<std::time_t>(now);
  std::tm local{};
  localtime_r(&t, &local);
  for (const auto& p : kPeriods) {
    if (hold != p.keyword) continue;
    if (inside(p, local.tm_hour)) return now;
    int days = local.tm_hour >= p.start_hour ? 1 : 0;
    return local_at(now, days, p.start_hour);
  }
  if (hold == "weekend") {
    if (local.tm_wday == 0 || local.tm_wday == 6) return now;
    return local_at(now, 6 - local.tm_wday, 0);
  }
  if (auto seconds = parse_time_of_day(hold)) {
    std::int64_t day_start = now - now % 86400;  // UTC midnight
    std::int64_t at = day_start + *seconds;
    return at > now ? at : at + 86400;
  }
  return std::nullopt;  // indefinite, or a keyword we do not know
}

bool is_valid_hold_until(std::string_view hold) {
  if (hold == "no-hold" || hold == "indefinite" || hold == "weekend") return true;
  for (const auto& p : kPeriods)
    if (hold == p.keyword) return true;
  return parse_time_of_day(hold).has_value();
}

}  // namespace quire
