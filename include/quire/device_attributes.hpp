// The printer attributes a filter or backend may set with an "ATTR:" status line, as
// CUPS allows: supply levels (marker-*), printer-alert*, printer-supply*. A whitelist;
// anything else a process reports is named back to the caller to log, never applied.
// Pure functions over values; the scheduler owns the printer they end up on.
#pragma once

#include "quire/ipp_message.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace quire {

// What one ATTR: line did.
struct DeviceAttributeUpdate {
  std::vector<std::string> applied;   // names set (replacing earlier values)
  std::vector<std::string> rejected;  // "name: why" for unknown names and bad values
  bool markers_changed = false;       // a marker-* attribute was set (marker-change-time)
};

// Applies the text after "ATTR:" — CUPS's option syntax, `name=value name='a,b' …`,
// values separated by commas (double quotes keep a comma inside a value) — to
// `attributes` (all IPP_TAG_PRINTER): each whitelisted name replaces the attribute of
// that name, with the value tag CUPS uses (marker-levels integer, marker-names name,
// marker-types keyword, printer-alert octetString, …). Integers must be whole numbers
// in -3..100 (levels) or 0..100 (low/high levels); texts are cut to IPP's limits; at
// most 64 values. A bad value rejects that attribute only.
DeviceAttributeUpdate apply_attr_line(std::string_view text, IppMessage& attributes);

}  // namespace quire
