// <Location> and <Policy> sections of cupsd.conf, read as CUPS reads them
// (scheduler/conf.c: read_location, read_policy, parse_aaa).
#include "config/access_sections.hpp"

#include <cups/ipp.h>

namespace quire::conf {
namespace {

// Words of a Require line, honouring quotes: user "John Smith" @staff.
std::vector<std::string> require_names(std::string_view rest) {
  std::vector<std::string> names;
  std::size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && std::isspace(static_cast<unsigned char>(rest[i]))) ++i;
    if (i >= rest.size()) break;
    if (rest[i] == '"' || rest[i] == '\'') {
      const char quote = rest[i++];
      std::size_t end = rest.find(quote, i);
      names.emplace_back(rest.substr(i, end - i));
      i = end == std::string_view::npos ? rest.size() : end + 1;
      continue;
    }
    std::size_t start = i;
    while (i < rest.size() && !std::isspace(static_cast<unsigned char>(rest[i]))) ++i;
    names.emplace_back(rest.substr(start, i - start));
  }
  return names;
}

std::optional<std::string> apply_addresses(std::vector<AddressPattern>& into, const std::string& value) {
  for (const auto& word : split_words(value)) {
    if (equals_ignoring_case(word, "from")) continue;
    auto pattern = AddressPattern::parse(word);
    if (!pattern) return pattern.error();
    into.push_back(std::move(*pattern));
  }
  return std::nullopt;
}

std::optional<std::string> apply_auth_type(AccessRule& rule, const std::string& value) {
  if (equals_ignoring_case(value, "None")) {
    rule.auth_type = AuthType::kNone;
    rule.level = RequireLevel::kAnonymous;
    return std::nullopt;
  }
  if (equals_ignoring_case(value, "Basic")) rule.auth_type = AuthType::kBasic;
  else if (equals_ignoring_case(value, "Default")) rule.auth_type = AuthType::kDefault;
  else if (equals_ignoring_case(value, "Negotiate")) return "Negotiate (Kerberos) is not supported; use Basic or Default";
  else return "unknown AuthType \"" + value + "\"; expected None, Basic or Default";
  if (rule.level == RequireLevel::kAnonymous) rule.level = RequireLevel::kUser;
  return std::nullopt;
}

std::optional<std::string> apply_require(AccessRule& rule, const std::string& value) {
  auto space = value.find_first_of(" \t");
  std::string kind = value.substr(0, space);
  if (equals_ignoring_case(kind, "valid-user") || equals_ignoring_case(kind, "user")) rule.level = RequireLevel::kUser;
  else if (equals_ignoring_case(kind, "group")) rule.level = RequireLevel::kGroup;
  else return "unknown Require type \"" + kind + "\"; expected user, valid-user or group";
  if (space != std::string::npos)
    for (auto& name : require_names(std::string_view(value).substr(space))) rule.names.push_back(std::move(name));
  return std::nullopt;
}

}  // namespace

std::optional<std::string> apply_access_directive(AccessRule& rule, const Line& line) {
  const std::string& d = line.directive;
  const std::string& v = line.value;
  if (v.empty()) return d + " needs a value";
  if (equals_ignoring_case(d, "Order")) {
    if (v.size() >= 4 && equals_ignoring_case(v.substr(0, 4), "deny")) rule.order = AccessOrder::kDenyAllow;
    else if (v.size() >= 5 && equals_ignoring_case(v.substr(0, 5), "allow")) rule.order = AccessOrder::kAllowDeny;
    else return "unknown Order \"" + v + "\"; expected deny,allow or allow,deny";
    return std::nullopt;
  }
  if (equals_ignoring_case(d, "Allow")) return apply_addresses(rule.allow, v);
  if (equals_ignoring_case(d, "Deny")) return apply_addresses(rule.deny, v);
  if (equals_ignoring_case(d, "AuthType")) return apply_auth_type(rule, v);
  if (equals_ignoring_case(d, "Require")) return apply_require(rule, v);
  if (equals_ignoring_case(d, "Satisfy")) {
    if (equals_ignoring_case(v, "all")) rule.satisfy = Satisfy::kAll;
    else if (equals_ignoring_case(v, "any")) rule.satisfy = Satisfy::kAny;
    else return "unknown Satisfy \"" + v + "\"; expected all or any";
    return std::nullopt;
  }
  if (equals_ignoring_case(d, "Encryption")) {
    for (const char* known : {"Never", "IfRequested", "Required", "Always"})
      if (equals_ignoring_case(v, known)) {
        rule.encryption = equals_ignoring_case(v, "Always") ? "Required" : known;
        return std::nullopt;
      }
    return "unknown Encryption \"" + v + "\"; expected Never, IfRequested or Required";
  }
  return "unknown directive \"" + d + "\" in an access section";
}

bool AccessSectionParser::opens(const Line& line) {
  if (!line.opens_section()) return false;
  const std::string name = line.section_name();
  return equals_ignoring_case(name, "Location") || equals_ignoring_case(name, "Policy") ||
         equals_ignoring_case(name, "Limit") || equals_ignoring_case(name, "LimitExcept");
}

std::optional<ConfigDiagnostic> AccessSectionParser::feed(const Line& line) {
  if (line.opens_section()) return open_section(line);
  if (line.closes_section()) return close_section(line);
  if (stack_.back().frame == Frame::kPolicy) return apply_policy_setting(line);
  if (auto problem = apply_access_directive(current_rule(), line)) return fatal(line, *problem);
  return std::nullopt;
}

std::optional<ConfigDiagnostic> AccessSectionParser::finish() const {
  if (stack_.empty()) return std::nullopt;
  const char* what = stack_.back().frame == Frame::kLocation ? "<Location>"
                     : stack_.back().frame == Frame::kPolicy ? "<Policy>"
                                                             : "<Limit>";
  return ConfigDiagnostic{file_, stack_.back().line, std::string(what) + " is not closed before the end of the file"};
}

std::optional<ConfigDiagnostic> AccessSectionParser::open_section(const Line& line) {
  const std::string name = line.section_name();
  const bool is_limit = equals_ignoring_case(name, "Limit") || equals_ignoring_case(name, "LimitExcept");
  if (is_limit) {
    if (stack_.empty()) return fatal(line, "<" + name + "> outside <Location> or <Policy>");
    if (stack_.back().frame == Frame::kLocation) return open_location_limit(line);
    if (stack_.back().frame == Frame::kPolicy && equals_ignoring_case(name, "Limit")) return open_policy_limit(line);
    return fatal(line, "<" + name + "> cannot be nested here");
  }
  if (!stack_.empty()) return fatal(line, "<" + name + "> inside another section");
  if (line.value.empty()) return fatal(line, "<" + name + "> needs a " + (name == "Policy" ? "name" : "path"));
  if (equals_ignoring_case(name, "Location")) {
    if (line.value[0] != '/') return fatal(line, "<Location> path must start with '/'");
    for (std::size_t i = 0; i < out_.locations.size(); ++i)
      if (out_.locations[i].path == line.value && out_.locations[i].methods == kMethodAll) {
        warn(line, "duplicate <Location " + line.value + ">: its lines add to the first one");
        stack_.push_back({Frame::kLocation, line.number, i});
        return std::nullopt;
      }
    out_.locations.push_back({line.value, kMethodAll, AccessRule{.line = line.number}});
    stack_.push_back({Frame::kLocation, line.number, out_.locations.size() - 1});
    return std::nullopt;
  }
  if (equals_ignoring_case(name, "Policy")) {
    for (std::size_t i = 0; i < out_.policies.size(); ++i)
      if (equals_ignoring_case(out_.policies[i].name, line.value)) {
        warn(line, "duplicate <Policy " + line.value + ">: its lines add to the first one");
        stack_.push_back({Frame::kPolicy, line.number, i});
        return std::nullopt;
      }
    out_.policies.push_back({line.value, {}, {}});
    stack_.push_back({Frame::kPolicy, line.number, out_.policies.size() - 1});
    return std::nullopt;
  }
  return fatal(line, "unknown section <" + name + ">");
}

std::optional<ConfigDiagnostic> AccessSectionParser::close_section(const Line& line) {
  if (stack_.empty()) return fatal(line, "unexpected <" + line.directive.substr(1) + ">");
  const std::string name = line.section_name();
  const Frame frame = stack_.back().frame;
  const bool closes_limit = equals_ignoring_case(name, "Limit") || equals_ignoring_case(name, "LimitExcept");
  const bool matches = (closes_limit && (frame == Frame::kLocationLimit || frame == Frame::kPolicyLimit)) ||
                       (equals_ignoring_case(name, "Location") && frame == Frame::kLocation) ||
                       (equals_ignoring_case(name, "Policy") && frame == Frame::kPolicy);
  if (!matches)
    return fatal(line, "</" + name + "> does not close the section opened on line " + std::to_string(stack_.back().line));
  stack_.pop_back();
  return std::nullopt;
}

// <Limit GET PUT> inside a <Location>: a copy of the location's rules so far, for those
// methods only; the location itself no longer covers them.
std::optional<ConfigDiagnostic> AccessSectionParser::open_location_limit(const Line& line) {
  unsigned methods = 0;
  for (const auto& word : split_words(line.value)) {
    if (word == "ALL") methods = kMethodAll;
    else if (unsigned bit = http_method_bit(word)) methods |= bit;
    else warn(line, "unknown request method \"" + word + "\" ignored");
  }
  if (equals_ignoring_case(line.section_name(), "LimitExcept")) methods = kMethodAll ^ methods;
  LocationRule& parent = out_.locations[stack_.back().index];
  LocationRule limited{parent.path, methods, parent.rule};
  limited.rule.line = line.number;
  parent.methods &= ~methods;
  out_.locations.push_back(std::move(limited));
  stack_.push_back({Frame::kLocationLimit, line.number, out_.locations.size() - 1});
  return std::nullopt;
}

std::optional<ConfigDiagnostic> AccessSectionParser::open_policy_limit(const Line& line) {
  PolicyLimit limit;
  limit.rule.line = line.number;
  for (const auto& word : split_words(line.value)) {
    if (equals_ignoring_case(word, "All")) {
      limit.all = true;
      continue;
    }
    const int op = ippOpValue(word.c_str());
    if (op <= 0) warn(line, "unknown IPP operation \"" + word + "\" ignored");
    else limit.operations.push_back(op);
  }
  if (!limit.all && limit.operations.empty()) return fatal(line, "<Limit> names no operation Quire knows");
  Policy& policy = out_.policies[stack_.back().index];
  policy.limits.push_back(std::move(limit));
  stack_.push_back({Frame::kPolicyLimit, line.number, stack_.back().index});
  return std::nullopt;
}

std::optional<ConfigDiagnostic> AccessSectionParser::apply_policy_setting(const Line& line) {
  static const char* kSettings[] = {"JobPrivateAccess", "JobPrivateValues", "SubscriptionPrivateAccess",
                                    "SubscriptionPrivateValues"};
  for (const char* known : kSettings)
    if (equals_ignoring_case(line.directive, known)) {
      out_.policies[stack_.back().index].settings.emplace_back(known, line.value);
      return std::nullopt;
    }
  return fatal(line, "unknown directive \"" + line.directive + "\" in <Policy>");
}

AccessRule& AccessSectionParser::current_rule() {
  const Open& top = stack_.back();
  if (top.frame == Frame::kPolicyLimit) return out_.policies[top.index].limits.back().rule;
  return out_.locations[top.index].rule;
}

ConfigDiagnostic AccessSectionParser::fatal(const Line& line, std::string message) const {
  return ConfigDiagnostic{file_, line.number, std::move(message), true};
}

void AccessSectionParser::warn(const Line& line, std::string message) {
  warnings_.push_back(ConfigDiagnostic{file_, line.number, std::move(message), false});
}

}  // namespace quire::conf
