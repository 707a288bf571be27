// The attribute groups a client can name in requested-attributes ("job-template",
// "printer-description", ...) and which attribute names belong to each: the one table
// that RequestedAttributes and the job template check share. Immutable; any thread.
#pragma once

#include <string_view>

namespace quire {

// Bits of a group set. "all" is not one of them: it is not a finite list.
enum AttributeGroupBit : unsigned {
  kJobTemplateGroup = 1u << 0,         // copies, sides ... and copies-default, sides-supported ...
  kJobDescriptionGroup = 1u << 1,      // RFC 8011 job description: job-id ... plus status and actuals
  kJobStatusGroup = 1u << 2,           // job-state, time-at-*, *-completed ...: set by the printer only
  kJobActualsGroup = 1u << 3,          // copies-actual, media-col-actual ...
  kPrinterDescriptionGroup = 1u << 4,  // printer-name, operations-supported, printer-state ...
};

// The bit for a group keyword ("job-template"), or 0 when `keyword` names no group.
unsigned attribute_group_bit(std::string_view keyword);

// Whether `name` belongs to one of the groups in `groups` (a set of AttributeGroupBit).
// Explicit-only attributes belong to none.
bool is_in_attribute_groups(unsigned groups, std::string_view name);

// Job status attributes: only the printer sets them, a job creation request must not.
bool is_job_status_attribute(std::string_view name);

// Attributes that neither "all" nor a group includes: a client gets them only by name.
bool is_explicit_only_attribute(std::string_view name);

}  // namespace quire
