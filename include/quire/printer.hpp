// Printer: one queue as the scheduler holds it: its configuration and its state.
// Owned by the Scheduler, touched only on its strand.
//
// Printer states (IPP): idle (3) ◄──► processing (4) while a job runs; stopped (5)
// when disabled (Pause-Printer, "State Stopped"), with "paused" in its reasons.
// Accepting/rejecting is independent of the state.
#pragma once

#include "quire/config.hpp"
#include "quire/ipp_message.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace quire {

struct Printer {
  PrinterConfig config;
  ipp_pstate_t state = IPP_PSTATE_IDLE;
  std::vector<std::string> reasons;        // printer-state-reasons, empty means "none"
  std::string message;                      // printer-state-message
  std::int64_t state_change_time = 0;
  int current_job = 0;                      // job id being processed, 0 if none
  bool holding_new_jobs = false;            // Hold-New-Jobs (cupsdisable --hold)
  // What filters and backends reported on ATTR: lines (marker-*, printer-alert*,
  // printer-supply*; quire/device_attributes.hpp), all IPP_TAG_PRINTER. Not persisted
  // (CUPS keeps them in printers.conf): after a restart the next job reports afresh.
  IppMessage device_attributes;
  std::int64_t marker_change_time = 0;      // when a marker-* attribute last changed

  // Static attributes encoded per host name the printer was reached by; rebuilt
  // when the configuration changes (cleared).
  std::map<std::string, IppMessage, std::less<>> attribute_cache;

  const std::string& name() const { return config.description.name; }
  bool is_accepting() const { return config.accepting; }
  bool is_enabled() const { return config.enabled; }
};

}  // namespace quire
