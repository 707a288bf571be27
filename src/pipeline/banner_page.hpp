// Banner pages (job-sheets "standard"): a one-page PostScript document naming the job,
// printed ahead of the job's documents through the same filters, as CUPS does.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

namespace quire {

struct BannerInfo {
  int job_id = 0;
  std::string title;
  std::string user;
  std::string printer;
  long long submitted = 0;  // unix seconds, 0 = now
};

// The banner's PostScript text. Client-supplied strings are escaped for PostScript
// strings (they can never close the string or run code).
std::string banner_postscript(const BannerInfo& info);

// Writes the banner to `file` (mode 0644).
std::expected<void, std::string> write_banner(const std::filesystem::path& file, const BannerInfo& info);

}  // namespace quire
