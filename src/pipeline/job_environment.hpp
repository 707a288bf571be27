// JobEnvironment: the environment CUPS gives filters and backends (CONTENT_TYPE,
// FINAL_CONTENT_TYPE, DEVICE_URI, PPD, PRINTER, TMPDIR, CUPS_* ...), built once per
// document run, plus the run's private temporary directory (owned by the user the
// filters run as). Values come from configuration and the plan, never from a client
// except the sanitised ones CUPS also passes (none here: titles go in argv).
#pragma once

#include "pipeline/document_plan.hpp"
#include "quire/drivers.hpp"
#include "quire/running_job.hpp"

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace quire {

struct JobEnvironment {
  std::vector<std::string> common;
  std::string final_type;
  std::filesystem::path temp_dir;

  // Creates the run's temporary directory under STATE/tmp (reusing `temp_dir` when set).
  static std::expected<JobEnvironment, std::string> from(const JobRunSpec& spec, const DriverInfo& driver,
                                                         const DocumentPlan& plan, const std::filesystem::path& temp_dir);
  std::vector<std::string> for_filter(const std::string& content_type, const std::string& output_type = "") const;
  std::vector<std::string> for_backend() const;
};

}  // namespace quire
