// cupsd.conf: the server settings Quire understands, with file:line diagnostics.
// Directive names are case-insensitive, as in CUPS. A bad value of a known directive or
// a malformed access section is fatal; an unknown directive is a warning.
#include "quire/config.hpp"

#include "config/access_sections.hpp"
#include "config/conf_lines.hpp"

#include <grp.h>

#include <charconv>
#include <functional>
#include <map>

namespace quire {
namespace {

using Setter = std::function<std::optional<std::string>(ServerConfig&, const std::string&)>;

struct IgnoringCase {
  bool operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
      return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
    });
  }
};

std::optional<std::string> parse_int(const std::string& value, int min, int& out) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || v < min)
    return "expected a whole number of at least " + std::to_string(min) + ", got \"" + value + "\"";
  out = v;
  return std::nullopt;
}

// "1m", "512k", "2g", "4096" (bytes), as CUPS reads MaxLogSize.
std::optional<std::string> parse_size(const std::string& value, std::uint64_t& out) {
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  std::string_view unit(ptr, value.data() + value.size());
  std::uint64_t scale = 1;
  if (unit == "k" || unit == "K") scale = 1024;
  else if (unit == "m" || unit == "M") scale = 1024 * 1024;
  else if (unit == "g" || unit == "G") scale = 1024 * 1024 * 1024;
  else if (!unit.empty()) ec = std::errc::invalid_argument;
  if (ec != std::errc() || ptr == value.data()) return "expected a size such as 1m, 512k or 0, got \"" + value + "\"";
  out = v * scale;
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

Setter text(std::string ServerConfig::*member) {
  return [member](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
    if (v.empty()) return "needs a value";
    c.*member = v;
    return std::nullopt;
  };
}

Setter words(std::vector<std::string> ServerConfig::*member) {
  return [member](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
    if (v.empty()) return "needs a value";
    for (auto& w : conf::split_words(v)) (c.*member).push_back(std::move(w));
    return std::nullopt;
  };
}

std::optional<std::string> set_log_level(ServerConfig& c, const std::string& v) {
  static const char* kLevels[] = {"none", "emerg", "alert", "crit", "error", "warn",
                                  "notice", "info", "debug", "debug2"};
  for (const char* l : kLevels)
    if (conf::equals_ignoring_case(v, l)) {
      c.log_level = l;
      return std::nullopt;
    }
  return "unknown LogLevel \"" + v + "\"";
}

std::optional<std::string> set_access_log_level(ServerConfig& c, const std::string& v) {
  for (const char* l : {"none", "config", "actions", "all"})
    if (conf::equals_ignoring_case(v, l)) {
      c.access_log_level = l;
      return std::nullopt;
    }
  return "unknown AccessLogLevel \"" + v + "\" (none, config, actions or all)";
}

std::optional<std::string> set_default_auth_type(ServerConfig& c, const std::string& v) {
  if (conf::equals_ignoring_case(v, "Basic")) c.default_auth_type = AuthType::kBasic;
  else if (conf::equals_ignoring_case(v, "None")) c.default_auth_type = AuthType::kNone;
  else if (conf::equals_ignoring_case(v, "Negotiate")) return "Negotiate (Kerberos) is not supported; use Basic";
  else return "unknown DefaultAuthType \"" + v + "\"; expected Basic";
  return std::nullopt;
}

const std::map<std::string, Setter, IgnoringCase>& directives() {
  static const std::map<std::string, Setter, IgnoringCase> table = {
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
      {"LogLevel", set_log_level},
      {"AccessLogLevel", set_access_log_level},
      {"MaxJobs", integer(&ServerConfig::max_jobs, 0)},
      {"MaxJobsPerPrinter", integer(&ServerConfig::max_jobs_per_printer, 0)},
      {"FileDevice", boolean(&ServerConfig::file_device)},
      {"PreserveJobHistory", boolean(&ServerConfig::preserve_job_history)},
      {"PreserveJobFiles", [](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
         if (auto b = conf::parse_bool(v)) {
           c.preserve_job_files = *b ? ServerConfig::kForever : 0;
           return std::nullopt;
         }
         if (parse_int(v, 0, c.preserve_job_files)) return "expected Yes, No or seconds, got \"" + v + "\"";
         return std::nullopt;
       }},
      {"MaxRequestSize", [](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
         int kb = 0;
         if (auto err = parse_int(v, 0, kb)) return err;
         c.max_request_size = static_cast<std::uint64_t>(kb);
         return std::nullopt;
       }},
      {"ServerName", text(&ServerConfig::server_name)},
      {"ServerBinPath", words(&ServerConfig::server_bin_extra)},
      {"ServerAlias", words(&ServerConfig::server_alias)},
      {"DefaultPolicy", text(&ServerConfig::default_policy)},
      {"DefaultAuthType", set_default_auth_type},
      {"WebInterface", boolean(&ServerConfig::web_interface)},
      {"Browsing", boolean(&ServerConfig::browsing)},
      {"BrowseLocalProtocols", [](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
         c.browse_local_protocols = v;
         return std::nullopt;
       }},
      {"FilterTimeout", integer(&ServerConfig::filter_timeout, 1)},
      {"JobRetryInterval", integer(&ServerConfig::job_retry_interval, 0)},
      {"JobRetryLimit", integer(&ServerConfig::job_retry_limit, 1)},
      {"LPDListen", [](ServerConfig& c, const std::string& v) -> std::optional<std::string> {
         if (v.empty()) return "LPDListen needs an address:port";
         c.lpd_listen.push_back(v);
         return std::nullopt;
       }},
      {"LPDTimeout", integer(&ServerConfig::lpd_timeout, 1)},
      {"MaxLogSize", [](ServerConfig& c, const std::string& v) { return parse_size(v, c.max_log_size); }},
  };
  return table;
}

// Directives CUPS has that Quire accepts without acting on them yet.
bool is_inert(std::string_view d) {
  static const char* kInert[] = {"DefaultShared", "IdleExitTimeout", "PageLogFormat", "DefaultEncryption",
                                 "BrowseWebIF", "BrowseDNSSDSubTypes", "DNSSDHostName", "HostNameLookups",
                                 "KeepAlive", "Timeout", "ErrorPolicy", "JobRetryInterval",
                                 "JobRetryLimit", "JobKillDelay", "MaxClients", "MaxClientsPerHost",
                                 "ServerAdmin", "ServerTokens", "StrictConformance"};
  for (const char* i : kInert)
    if (conf::equals_ignoring_case(d, i)) return true;
  return false;
}

// SystemGroup lines replace the default list; groups the system does not know are a
// warning (root stays an administrator whatever the list says).
void add_system_groups(ServerConfig& config, bool& seen, const conf::Line& line, const std::filesystem::path& file) {
  if (!seen) config.system_groups.clear();
  seen = true;
  for (auto& group : conf::split_words(line.value)) {
    if (::getgrnam(group.c_str()) == nullptr)
      config.warnings.push_back({file, line.number, "SystemGroup: no group \"" + group + "\" on this system", false});
    config.system_groups.push_back(std::move(group));
  }
}

const std::vector<Policy>& builtin_policies();

// Without any <Policy>, or without the one DefaultPolicy names when that is the
// implicit "default", operations follow CUPS's default policy.
std::optional<ConfigDiagnostic> settle_policies(ServerConfig& config, const std::filesystem::path& file,
                                                bool add_defaults) {
  auto named = [&](std::string_view name) {
    for (const auto& p : config.access.policies)
      if (conf::equals_ignoring_case(p.name, name)) return true;
    return false;
  };
  if (!add_defaults || named(config.default_policy)) return std::nullopt;
  if (!config.access.policies.empty() && !conf::equals_ignoring_case(config.default_policy, "default"))
    return ConfigDiagnostic{file, 0, "DefaultPolicy \"" + config.default_policy + "\" names no <Policy> section"};
  for (const auto& p : builtin_policies())
    if (!named(p.name)) config.access.policies.push_back(p);
  if (!named(config.default_policy))
    return ConfigDiagnostic{file, 0, "DefaultPolicy \"" + config.default_policy + "\" names no <Policy> section"};
  return std::nullopt;
}

std::expected<ServerConfig, ConfigDiagnostic> parse(const std::vector<conf::Line>& lines,
                                                    const std::filesystem::path& file, bool add_defaults) {
  ServerConfig config;
  conf::AccessSectionParser sections(file, config.access, config.warnings);
  bool seen_system_group = false;
  for (const auto& line : lines) {
    if (sections.is_open() || conf::AccessSectionParser::opens(line)) {
      if (auto fatal = sections.feed(line)) return std::unexpected(*fatal);
      continue;
    }
    if (line.opens_section() || line.closes_section())
      return std::unexpected(ConfigDiagnostic{file, line.number, "unexpected section line <" + line.directive.substr(1) + ">"});
    if (conf::equals_ignoring_case(line.directive, "SystemGroup")) {
      add_system_groups(config, seen_system_group, line, file);
      continue;
    }
    auto it = directives().find(line.directive);
    if (it == directives().end()) {
      if (!is_inert(line.directive))
        config.warnings.push_back({file, line.number, "unknown directive \"" + line.directive + "\" ignored", false});
      continue;
    }
    if (auto err = it->second(config, line.value))
      return std::unexpected(ConfigDiagnostic{file, line.number, it->first + ": " + *err});
  }
  if (auto fatal = sections.finish()) return std::unexpected(*fatal);
  if (auto fatal = settle_policies(config, file, add_defaults)) return std::unexpected(*fatal);
  return config;
}

const std::vector<Policy>& builtin_policies() {
  static const std::vector<Policy> policies = [] {
    auto lines = conf::parse_lines(default_cupsd_conf(), "(built-in cupsd.conf)");
    auto config = lines ? parse(*lines, "(built-in cupsd.conf)", false) : std::unexpected(lines.error());
    if (!config) throw std::logic_error("built-in cupsd.conf: " + config.error().to_string());
    return config->access.policies;
  }();
  return policies;
}

}  // namespace

std::expected<ServerConfig, ConfigDiagnostic> load_server_config(const std::filesystem::path& file) {
  auto lines = conf::read_lines(file);
  if (!lines) return std::unexpected(lines.error());
  return parse(*lines, file, true);
}

std::expected<ServerConfig, ConfigDiagnostic> parse_server_config(std::string_view text,
                                                                  const std::filesystem::path& file) {
  auto lines = conf::parse_lines(text, file);
  if (!lines) return std::unexpected(lines.error());
  return parse(*lines, file, true);
}

}  // namespace quire
