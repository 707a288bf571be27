// The CUPS environment of filters and backends, and the per-run temporary directory.
#include "pipeline/job_environment.hpp"

#include "pipeline/child_process.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace quire {

std::expected<JobEnvironment, std::string> JobEnvironment::from(const JobRunSpec& spec, const DriverInfo& driver,
                                                                const DocumentPlan& plan,
                                                                const std::filesystem::path& existing) {
  JobEnvironment env;
  env.final_type = plan.final_type;
  env.temp_dir = existing;
  auto account = unprivileged_account();
  if (env.temp_dir.empty()) {
    // Filters running as lp may not be able to reach the state directory (a private
    // parent directory); they get a directory of their own in the system's.
    std::error_code ec;
    auto parent = account ? std::filesystem::temp_directory_path(ec) : spec.state_dir / "tmp";
    std::string pattern = (parent / ("quire-job-" + std::to_string(spec.job_id) + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) return std::unexpected(pattern + ": " + std::strerror(errno));
    env.temp_dir = pattern;
    if (account && ::chown(env.temp_dir.c_str(), account->uid, account->gid) != 0)
      return std::unexpected(env.temp_dir.string() + ": chown: " + std::strerror(errno));
  }
  // The PPD is copied where the filters can read it, as CUPS keeps its own copy.
  std::filesystem::path ppd;
  if (!driver.ppd.empty()) {
    ppd = env.temp_dir / "printer.ppd";
    std::error_code ec;
    std::filesystem::copy_file(driver.ppd, ppd, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) return std::unexpected(driver.ppd.string() + ": " + ec.message());
    ::chmod(ppd.c_str(), 0644);
  }
  std::string path;
  if (spec.catalog)
    for (const auto& dir : spec.catalog->filter_dirs()) path += dir.string() + ":";
  path += "/usr/bin:/bin";
  const char* tz = std::getenv("TZ");
  env.common = {
      "CHARSET=utf-8",
      "CUPS_DATADIR=/usr/share/cups",
      "CUPS_FONTPATH=/usr/share/cups/fonts",
      "CUPS_MAX_MESSAGE=2047",
      "CUPS_SERVERBIN=/usr/lib/cups",
      "CUPS_SERVERROOT=" + spec.state_dir.string(),
      "CUPS_STATEDIR=" + (spec.state_dir / "run").string(),
      "CUPS_REQUESTROOT=" + (spec.state_dir / "spool").string(),
      "CUPS_FILETYPE=document",
      "DEVICE_URI=" + spec.device_uri,
      "PRINTER=" + spec.printer,
      "PRINTER_INFO=" + spec.printer_info,
      "PRINTER_LOCATION=" + spec.printer_location,
      "PATH=" + path,
      "LANG=C.UTF-8",
      "RIP_MAX_CACHE=128m",
      "SOFTWARE=CUPS/2.4 Quire/0.1",
      "TMPDIR=" + env.temp_dir.string(),
      "HOME=" + env.temp_dir.string(),
      "FINAL_CONTENT_TYPE=" + plan.final_type,
  };
  if (tz) env.common.push_back(std::string("TZ=") + tz);
  if (!ppd.empty()) env.common.push_back("PPD=" + ppd.string());
  if (!driver.gs_device.empty()) env.common.push_back("QUIRE_GS_DEVICE=" + driver.gs_device);
  if (spec.catalog && !spec.catalog->gs_worker_dir().empty())
    env.common.push_back("QUIRE_GS_WORKER=" + spec.catalog->gs_worker_dir().string());
  return env;
}

std::vector<std::string> JobEnvironment::for_filter(const std::string& content_type, const std::string& output_type) const {
  auto env = common;
  env.push_back("CONTENT_TYPE=" + content_type);
  if (!output_type.empty()) env.push_back("QUIRE_OUTPUT_TYPE=" + output_type);
  return env;
}

std::vector<std::string> JobEnvironment::for_backend() const {
  auto env = common;
  env.push_back("CONTENT_TYPE=" + final_type);
  return env;
}

}  // namespace quire
