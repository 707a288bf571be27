// cupsd.conf: the server settings Quire understands, with file:line diagnostics.
#include "quire/config.hpp"

#include "config/conf_lines.hpp"

#include <charconv>
#include <functional>
#include <map>

namespace quire {
namespace {

using Setter = std::function<std::optional<std::string>(ServerConfig&, const std::string&)>;

std::optional<std::string> parse_int(const std::string& value, int min, int& out) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || v < min)
    return "expected a whole number of at least " + std::to_string(min) + ", got \"" + value + "\"";
  out = v;
  return std::nullopt;
}

Setter boolean(bool ServerConfig::*member) {
  return [member](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
    auto b = conf::parse_bool(v);
    if (!b) return "expected Yes or No, got \"" + v + "\"";
    c.*member = *b;
    return std::nullopt;
  };
}

Setter integer(int ServerConfig::*member, int min) {
  return [member, min](ServerConfig& c, const std::string& v) { return parse_int(v, min, c.*member); };
}

const std::map<std::string, Setter, std::less<>>& directives() {
  static const std::map<std::string, Setter, std::less<>> table = {
      {"Listen", [](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
         if (v.empty()) return "Listen needs an address:port or a socket path";
         c.listen.push_back(v);
         return std::nullopt;
       }},
      {"Port", [](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
         int port = 0;
         if (auto err = parse_int(v, 0, port)) return err;
         if (port > 65535) return "port out of range: " + v;
         c.listen.push_back("*:" + v);
         return std::nullopt;
       }},
      {"LogLevel", [](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
         static const char* kLevels[] = {"none", "emerg", "alert", "crit", "error", "warn",
                                         "notice", "info", "debug", "debug2"};
         for (const char* l : kLevels)
           if (v == l) {
             c.log_level = v;
             return std::nullopt;
           }
         return "unknown LogLevel \"" + v + "\"";
       }},
      {"MaxJobs", integer(&ServerConfig::max_jobs, 0)},
      {"MaxJobsPerPrinter", integer(&ServerConfig::max_jobs_per_printer, 0)},
      {"PreserveJobHistory", boolean(&ServerConfig::preserve_job_history)},
      {"PreserveJobFiles", boolean(&ServerConfig::preserve_job_files)},
      {"MaxRequestSize", [](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
         int kb = 0;
         if (auto err = parse_int(v, 0, kb)) return err;
         c.max_request_size = static_cast<std::uint64_t>(kb);
         return std::nullopt;
       }},
      {"ServerName", [](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
         c.server_name = v;
         return std::nullopt;
       }},
      {"FilterTimeout", integer(&ServerConfig::filter_timeout, 1)},
      {"JobRetryInterval", integer(&ServerConfig::job_retry_interval, 0)},
      {"JobRetryLimit", integer(&ServerConfig::job_retry_limit, 1)},
      {"ServerBinPath", [](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
         c.server_bin_extra.push_back(v);
         return std::nullopt;
       }},
  };
  return table;
}

// Directives CUPS has that Quire accepts without acting on them yet.
bool is_inert(std::string_view d) {
  static const char* kInert[] = {"Browsing", "BrowseLocalProtocols", "DefaultAuthType", "WebInterface",
                                 "ServerAlias", "DefaultPolicy", "MaxLogSize", "SystemGroup",
                                 "DefaultShared", "JobPrivateAccess", "JobPrivateValues",
                                 "SubscriptionPrivateAccess", "SubscriptionPrivateValues",
                                 "DefaultEncryption", "IdleExitTimeout", "PageLogFormat"};
  for (const char* i : kInert)
    if (d == i) return true;
  return false;
}

}  // namespace

std::expected<ServerConfig, ConfigDiagnostic> load_server_config(const std::filesystem::path& file) {
  auto lines = conf::read_lines(file);
  if (!lines) return std::unexpected(lines.error());
  ServerConfig config;
  int depth = 0;
  for (const auto& line : *lines) {
    // <Location>, <Policy> and <Limit> blocks are access control: accepted as written
    // and skipped here (the policy engine reads them).
    if (line.opens_section()) {
      ++depth;
      continue;
    }
    if (line.closes_section()) {
      if (--depth < 0) return std::unexpected(ConfigDiagnostic{file, line.number, "unexpected " + line.directive + ">"});
      continue;
    }
    if (depth > 0) continue;
    auto it = directives().find(line.directive);
    if (it == directives().end()) {
      if (!is_inert(line.directive))
        config.warnings.push_back({file, line.number, "unknown directive \"" + line.directive + "\" ignored", false});
      continue;
    }
    if (auto err = it->second(config, line.value))
      return std::unexpected(ConfigDiagnostic{file, line.number, line.directive + ": " + *err});
  }
  if (depth != 0) return std::unexpected(ConfigDiagnostic{file, 0, "a section is not closed at end of file"});
  return config;
}

std::string default_cupsd_conf() {
  return R"(# Quire server configuration (cupsd.conf syntax).
# Listen lines are used when quired is started without --listen.
Listen localhost:631
LogLevel warn
MaxJobs 500
PreserveJobHistory Yes
PreserveJobFiles No
MaxRequestSize 0
)";
}

}  // namespace quire
