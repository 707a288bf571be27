// The live cupsd.conf: read, validated replacement, atomic write, change listeners.
#include "quire/server_settings.hpp"

#include <fstream>
#include <sstream>

namespace quire {

ServerSettings::ServerSettings(std::filesystem::path file, ServerConfig current)
    : file_(std::move(file)), current_(std::move(current)) {}

ServerConfig ServerSettings::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::expected<std::string, std::string> ServerSettings::read_text() const {
  std::ifstream in(file_);
  if (!in) return std::unexpected(file_.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::expected<ServerSettings::Replaced, ServerSettings::Refusal> ServerSettings::replace(std::string_view text) {
  auto parsed = parse_server_config(text, file_.filename());
  if (!parsed) return std::unexpected(Refusal{true, parsed.error().to_string()});
  std::vector<ChangeListener> listeners;
  ServerConfig before;
  {
    std::lock_guard lock(mutex_);
    if (auto written = write_file_atomically(file_, text); !written)
      return std::unexpected(Refusal{false, written.error()});
    before = std::exchange(current_, *parsed);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(before, *parsed);
  return Replaced{parsed->warnings, settings_needing_restart(before, *parsed)};
}

void ServerSettings::on_change(ChangeListener listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

std::vector<std::string> settings_needing_restart(const ServerConfig& before, const ServerConfig& after) {
  std::vector<std::string> names;
  auto check = [&](bool changed, const char* name) {
    if (changed) names.emplace_back(name);
  };
  check(before.listen != after.listen, "Listen/Port");
  check(before.lpd_listen != after.lpd_listen || before.lpd_timeout != after.lpd_timeout, "LPDListen/LPDTimeout");
  check(before.max_jobs != after.max_jobs, "MaxJobs");
  check(before.max_jobs_per_printer != after.max_jobs_per_printer, "MaxJobsPerPrinter");
  check(before.preserve_job_history != after.preserve_job_history, "PreserveJobHistory");
  check(before.preserve_job_files != after.preserve_job_files, "PreserveJobFiles");
  check(before.max_request_size != after.max_request_size, "MaxRequestSize");
  check(before.server_name != after.server_name, "ServerName");
  check(before.server_bin_extra != after.server_bin_extra, "ServerBinPath");
  check(before.file_device != after.file_device, "FileDevice");
  return names;
}

}  // namespace quire
