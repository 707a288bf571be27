// job-hold-until: when a held job becomes due, for CUPS's keywords and times.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace quire {

// The Unix time at which a job held with `hold_until` (set at `now`) may print:
//   no-hold → now; indefinite (or unknown) → nullopt (never, until released);
//   day-time 06:00–18:00, evening/night 18:00–06:00, second-shift 16:00–24:00,
//   third-shift 00:00–08:00, weekend Saturday and Sunday — in local time, `now` itself
//   when already inside the period, else the period's next start;
//   "HH:MM" or "HH:MM:SS" — that time of day in UTC (as CUPS reads it), today if still
//   ahead, else tomorrow.
std::optional<std::int64_t> hold_release_time(std::string_view hold_until, std::int64_t now);

// True for the keywords and time forms above (what job-hold-until-supported allows).
bool is_valid_hold_until(std::string_view hold_until);

}  // namespace quire
