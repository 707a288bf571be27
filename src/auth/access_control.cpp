// The policy engine: CUPS's cupsdIsAuthorized over Quire's parsed access rules.
//
// A rule is checked in three steps, as in CUPS:
//   1. address: local clients (loopback, Unix socket) always pass; others go through
//      Order/Allow/Deny. A refused address with "Satisfy all" is forbidden outright.
//   2. who: no Require (or AuthType None without names) lets anyone through. Otherwise
//      the name is the authenticated user; for IPP rules without AuthType it may be the
//      requesting-user-name. No name at all means "authenticate first".
//   3. which names: @OWNER (the job's owner), @group, @SYSTEM (root and SystemGroup),
//      plain user names. A known user who matches none is forbidden; an unknown one is
//      asked to authenticate.
#include "quire/access_control.hpp"

#include "auth/user_groups.hpp"
#include "config/conf_lines.hpp"

#include <boost/asio/ip/address.hpp>

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace quire {
namespace {

using Bytes = std::array<std::uint8_t, 16>;

bool iequals(std::string_view a, std::string_view b) { return conf::equals_ignoring_case(a, b); }

// An address as the rules hold it: IPv6, with IPv4 as ::ffff:a.b.c.d.
std::optional<Bytes> address_bytes(const sockaddr* sa) {
  Bytes out{};
  if (sa->sa_family == AF_INET) {
    out[10] = out[11] = 0xFF;
    std::memcpy(out.data() + 12, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
    return out;
  }
  if (sa->sa_family == AF_INET6) {
    std::memcpy(out.data(), &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
    return out;
  }
  return std::nullopt;
}

std::optional<Bytes> address_bytes(std::string_view text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (address.is_v4())
    address = boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4());
  auto raw = address.to_v6().to_bytes();
  Bytes out{};
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

bool in_network(const Bytes& address, const Bytes& network, const Bytes& mask) {
  for (std::size_t i = 0; i < 16; ++i)
    if ((address[i] & mask[i]) != (network[i] & mask[i])) return false;
  return true;
}

// @LOCAL and @IF(name): the networks of the machine's interfaces (loopback excluded).
bool on_interface_network(const Bytes& address, const std::string* interface) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return false;
  bool found = false;
  for (ifaddrs* i = list; i && !found; i = i->ifa_next) {
    if (!i->ifa_addr || !i->ifa_netmask || (i->ifa_flags & IFF_LOOPBACK)) continue;
    if (interface && *interface != i->ifa_name) continue;
    auto net = address_bytes(i->ifa_addr);
    auto mask = address_bytes(i->ifa_netmask);
    if (!net || !mask) continue;
    if (i->ifa_addr->sa_family == AF_INET) std::fill(mask->begin(), mask->begin() + 12, 0xFF);
    found = in_network(address, *net, *mask);
  }
  freeifaddrs(list);
  return found;
}

bool matches(const AddressPattern& pattern, const Bytes& address, std::string_view text) {
  switch (pattern.kind) {
    case AddressPattern::Kind::kAll: return true;
    case AddressPattern::Kind::kNone: return false;
    case AddressPattern::Kind::kLocalNetworks: return on_interface_network(address, nullptr);
    case AddressPattern::Kind::kInterface: return on_interface_network(address, &pattern.name);
    case AddressPattern::Kind::kNetwork: return in_network(address, pattern.address, pattern.mask);
    case AddressPattern::Kind::kHostName:
      // No HostNameLookups: a client's "host name" is its address, as in CUPS.
      return iequals(pattern.name, text);
  }
  return false;
}

bool any_matches(const std::vector<AddressPattern>& patterns, const Bytes& address, std::string_view text) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const auto& p) { return matches(p, address, text); });
}

bool is_address_allowed(const AccessRule& rule, const ClientInfo& client) {
  if (client.is_local) return true;
  auto address = address_bytes(client.address);
  if (!address) return false;
  if (rule.order == AccessOrder::kDenyAllow)
    return !any_matches(rule.deny, *address, client.address) || any_matches(rule.allow, *address, client.address);
  return any_matches(rule.allow, *address, client.address) && !any_matches(rule.deny, *address, client.address);
}

std::string without_domain(std::string_view name) { return std::string(name.substr(0, name.find('@'))); }

bool names_system(const AccessRule& rule) {
  return std::any_of(rule.names.begin(), rule.names.end(), [](const auto& n) { return iequals(n, "@SYSTEM"); });
}

AccessRule requirement_rule(AccessRequirement requirement) {
  AccessRule rule;
  if (requirement == AccessRequirement::kAnyone) return rule;
  rule.level = RequireLevel::kUser;
  if (requirement == AccessRequirement::kJobOwner) {
    rule.names = {"@OWNER", "@SYSTEM"};
  } else {
    rule.auth_type = AuthType::kDefault;
    rule.names = {"@SYSTEM"};
  }
  return rule;
}

// The part of a Host header before the port: "printer.example.com", "[::1]" → "::1".
std::string_view host_name_of(std::string_view host) {
  if (host.starts_with('[')) return host.substr(1, host.find(']') - 1);
  const auto colon = host.find(':');
  if (colon != std::string_view::npos && colon == host.rfind(':')) return host.substr(0, colon);
  return host;
}

std::string local_host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

}  // namespace

struct AccessControl::Snapshot {
  std::vector<LocationRule> locations;
  Policy policy;
  std::vector<std::string> system_groups;
  AuthType default_auth_type = AuthType::kBasic;
  std::string server_name;
  std::vector<std::string> server_alias;

  AccessVerdict decide(const AccessRule& rule, const ClientInfo& client, const std::string* ipp_user,
                       std::string_view owner) const;
  bool satisfies_names(const AccessRule& rule, const std::string& user, bool authenticated,
                       std::string_view owner) const;
  const AccessRule* limit_for(int operation) const;
  const LocationRule* best_location(std::string_view path, unsigned method) const;
};

AccessVerdict AccessControl::Snapshot::decide(const AccessRule& rule, const ClientInfo& client,
                                              const std::string* ipp_user, std::string_view owner) const {
  auto need_authentication = [&](std::string reason) {
    return AccessVerdict{AccessDecision::kNeedAuthentication, AuthChallenge{names_system(rule)}, std::move(reason)};
  };
  const bool address_ok = is_address_allowed(rule, client);
  if (!address_ok && rule.satisfy == Satisfy::kAll)
    return {AccessDecision::kForbid, {}, "address " + client.address + " is not allowed"};
  const AuthType type = rule.auth_type == AuthType::kDefault ? default_auth_type : rule.auth_type;
  if (rule.level == RequireLevel::kAnonymous || (type == AuthType::kNone && rule.names.empty())) return {};
  const bool authenticated = !client.authenticated_user.empty();
  const bool use_request_name = !authenticated && type == AuthType::kNone && ipp_user && !ipp_user->empty();
  if (!authenticated && !use_request_name) {
    if (rule.satisfy == Satisfy::kAll || !address_ok) return need_authentication("authentication required");
    return {};
  }
  const std::string user = without_domain(authenticated ? client.authenticated_user : *ipp_user);
  if (satisfies_names(rule, user, authenticated, owner)) return {};
  if (authenticated) return {AccessDecision::kForbid, {}, user + " is not allowed"};
  return need_authentication(user + " must authenticate");
}

bool AccessControl::Snapshot::satisfies_names(const AccessRule& rule, const std::string& user, bool authenticated,
                                              std::string_view owner) const {
  if (rule.level == RequireLevel::kUser && rule.names.empty()) return true;  // Require valid-user
  for (const auto& name : rule.names) {
    if (iequals(name, "@SYSTEM")) continue;
    if (iequals(name, "@OWNER")) {
      if (rule.level == RequireLevel::kUser && !owner.empty() && iequals(user, without_domain(owner))) return true;
      continue;
    }
    // Group membership is a fact about a proven identity only.
    const bool is_group = rule.level == RequireLevel::kGroup || name.starts_with('@');
    if (is_group) {
      if (authenticated && auth::is_group_member(user, name.starts_with('@') ? name.substr(1) : name)) return true;
    } else if (iequals(user, name)) {
      return true;
    }
  }
  return authenticated && names_system(rule) && is_system_user(user, system_groups);
}

const AccessRule* AccessControl::Snapshot::limit_for(int operation) const {
  const AccessRule* any = nullptr;
  for (const auto& limit : policy.limits) {
    if (std::find(limit.operations.begin(), limit.operations.end(), operation) != limit.operations.end())
      return &limit.rule;
    if (limit.all && !any) any = &limit.rule;
  }
  return any;
}

// CUPS's cupsdFindBest: the longest <Location> path that prefixes the request's path
// (without query or trailing slash) and covers its method; queue names ignore case.
const LocationRule* AccessControl::Snapshot::best_location(std::string_view path, unsigned method) const {
  path = path.substr(0, path.find('?'));
  if (path.size() > 1 && path.ends_with('/')) path.remove_suffix(1);
  const bool ignore_case = path.starts_with("/printers/") || path.starts_with("/classes/");
  const LocationRule* best = nullptr;
  for (const auto& location : locations) {
    if (!(location.methods & method) || location.path.size() > path.size()) continue;
    if (best && location.path.size() <= best->path.size()) continue;
    std::string_view prefix = path.substr(0, location.path.size());
    if (ignore_case ? iequals(prefix, location.path) : prefix == location.path) best = &location;
  }
  return best;
}

AccessControl::AccessControl(const ServerConfig& config) { update(config); }
AccessControl::~AccessControl() = default;

void AccessControl::update(const ServerConfig& config) {
  auto next = std::make_shared<Snapshot>();
  next->locations = config.access.locations;
  for (const auto& policy : config.access.policies)
    if (iequals(policy.name, config.default_policy)) next->policy = policy;
  next->system_groups = config.system_groups;
  next->default_auth_type = config.default_auth_type;
  next->server_name = config.server_name;
  next->server_alias = config.server_alias;
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(next);
}

std::shared_ptr<const AccessControl::Snapshot> AccessControl::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

AccessVerdict AccessControl::authorize_operation(int operation, AccessRequirement fallback, const ClientInfo& client,
                                                 std::string_view user, std::string_view owner) const {
  auto s = snapshot();
  const std::string ipp_user(user);
  if (const AccessRule* rule = s->limit_for(operation)) return s->decide(*rule, client, &ipp_user, owner);
  return s->decide(requirement_rule(fallback), client, &ipp_user, owner);
}

AccessVerdict AccessControl::authorize_resource(std::string_view path, std::string_view method,
                                                const ClientInfo& client) const {
  auto s = snapshot();
  const unsigned bit = http_method_bit(method);
  const LocationRule* best = s->best_location(path, bit ? bit : kMethodAll);
  if (!best) {
    if (client.is_local) return {};
    return {AccessDecision::kForbid, {}, "no <Location> allows remote access to " + std::string(path)};
  }
  return s->decide(best->rule, client, nullptr, {});
}

bool AccessControl::accepts_host(std::string_view host_header, const ClientInfo& client) const {
  if (client.is_local || host_header.empty()) return true;
  const std::string_view host = host_name_of(host_header);
  if (address_bytes(host)) return true;
  if (host.ends_with('.')) return accepts_host(host.substr(0, host.size() - 1), client);
  auto s = snapshot();
  const std::string me = local_host_name();
  if ((!s->server_name.empty() && iequals(host, s->server_name)) || (!me.empty() && iequals(host, me)) ||
      (!me.empty() && iequals(host, me + ".local")))
    return true;
  return std::any_of(s->server_alias.begin(), s->server_alias.end(),
                     [&](const auto& alias) { return alias == "*" || iequals(alias, host); });
}

bool AccessControl::is_admin(std::string_view user) const { return is_system_user(user, snapshot()->system_groups); }

bool is_system_user(std::string_view user, const std::vector<std::string>& groups) {
  if (user.empty()) return false;
  if (user == "root") return true;
  return std::any_of(groups.begin(), groups.end(), [&](const auto& g) { return auth::is_group_member(user, g); });
}

}  // namespace quire
