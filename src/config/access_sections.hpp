// cupsd.conf's access-control sections: <Location path> (with <Limit methods> and
// <LimitExcept methods> inside) and <Policy name> with <Limit operations> inside.
// Fed one line at a time by the cupsd.conf reader, which owns the top level.
#pragma once

#include "config/conf_lines.hpp"
#include "quire/config.hpp"

#include <optional>
#include <vector>

namespace quire::conf {

// Lives for one parse of one file; writes what it reads into `out`. Problems that make
// a rule mean something else than written are fatal; the rest become warnings.
class AccessSectionParser {
 public:
  AccessSectionParser(std::filesystem::path file, AccessConfig& out, std::vector<ConfigDiagnostic>& warnings)
      : file_(std::move(file)), out_(out), warnings_(warnings) {}

  // True while a section is open: every line until its close belongs to this parser.
  bool is_open() const { return !stack_.empty(); }
  // Whether this parser handles a section line at the top level (<Location>, <Policy>).
  static bool opens(const Line& line);
  // One line of (or opening) a section. A fatal problem comes back as a diagnostic.
  std::optional<ConfigDiagnostic> feed(const Line& line);
  // At end of file: a section still open is fatal.
  std::optional<ConfigDiagnostic> finish() const;

 private:
  enum class Frame { kLocation, kLocationLimit, kPolicy, kPolicyLimit };
  struct Open {
    Frame frame;
    int line;
    std::size_t index;  // into out_.locations (location frames) or out_.policies
  };

  std::optional<ConfigDiagnostic> open_section(const Line& line);
  std::optional<ConfigDiagnostic> close_section(const Line& line);
  std::optional<ConfigDiagnostic> open_location_limit(const Line& line);
  std::optional<ConfigDiagnostic> open_policy_limit(const Line& line);
  std::optional<ConfigDiagnostic> apply_policy_setting(const Line& line);
  AccessRule& current_rule();
  ConfigDiagnostic fatal(const Line& line, std::string message) const;
  void warn(const Line& line, std::string message);

  std::filesystem::path file_;
  AccessConfig& out_;
  std::vector<ConfigDiagnostic>& warnings_;
  std::vector<Open> stack_;
};

// Applies one Order/Allow/Deny/AuthType/Require/Satisfy/Encryption line to `rule`.
// nullopt when applied; otherwise the problem ("unknown directive" for anything else).
std::optional<std::string> apply_access_directive(AccessRule& rule, const Line& line);

}  // namespace quire::conf
