// DocumentPlan: how one document reaches one printer — its real type, the filters to
// chain (cheapest route), and the printer format at the end. Planning reads only the
// document's first bytes; it is cheap enough for the scheduler strand.
#pragma once

#include "pipeline/job_options.hpp"
#include "quire/drivers.hpp"
#include "quire/filter_catalog.hpp"

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace quire {

struct FilterStep {
  std::string name;               // as in mime.convs / the PPD
  std::filesystem::path program;  // resolved executable
  std::string source_type;        // CONTENT_TYPE for this filter
  std::string destination_type;   // what it writes (QUIRE_OUTPUT_TYPE; the PPD's final type for PPD filters)
};

struct DocumentPlan {
  std::string type;        // what the document is processed as
  std::string detected;    // what its bytes say
  std::string final_type;  // FINAL_CONTENT_TYPE
  std::vector<FilterStep> steps;  // empty: the backend gets the document as it is
  bool raw = false;               // a raw queue: no typing checks, no filters
  // Pages are counted by a separate quire-pagecount process (no filter counts them).
  bool count_separately = false;
};

// Why a document cannot be planned; `document_format_error` failures end the job
// with job-state-reasons document-format-error.
struct PlanError {
  std::string message;
  bool document_format_error = true;
};

std::expected<DocumentPlan, PlanError> plan_document(const FilterCatalog& catalog, const DriverInfo& driver,
                                                     const std::filesystem::path& document, std::string_view claimed_format,
                                                     const JobOptions& options);

}  // namespace quire
