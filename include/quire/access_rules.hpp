// The access rules of cupsd.conf as data: <Location> sections for HTTP resources and
// <Policy>/<Limit> sections for IPP operations, each an AccessRule (Order, Allow, Deny,
// AuthType, Require, Satisfy). src/config parses them; src/auth (AccessControl) decides.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quire {

// One value of an Allow or Deny line.
struct AddressPattern {
  enum class Kind {
    kAll,            // "all"
    kNone,           // "none"
    kLocalNetworks,  // "@LOCAL": any network of a non-loopback local interface
    kInterface,      // "@IF(eth0)": the networks of one interface
    kNetwork,        // "192.0.2.0/24", "192.0.2.7", "[2001:db8::]/32", "10.*"
    kHostName,       // "printer.example.com", "*.example.com", ".example.com"
  };
  Kind kind = Kind::kNone;
  // kNetwork: an IPv6 address and mask; IPv4 is held as ::ffff:a.b.c.d.
  std::array<std::uint8_t, 16> address{};
  std::array<std::uint8_t, 16> mask{};
  std::string name;  // kInterface: the interface; kHostName: the name or domain suffix

  // Parses one word of an Allow/Deny line (after "from"). Errors say what is wrong.
  static std::expected<AddressPattern, std::string> parse(std::string_view word);
};

enum class AuthType { kNone, kBasic, kDefault };
// CUPS's two orders: "Order deny,allow" allows unless denied (Allow lines win);
// "Order allow,deny" denies unless allowed (Deny lines win).
enum class AccessOrder { kDenyAllow, kAllowDeny };
enum class RequireLevel { kAnonymous, kUser, kGroup };
enum class Satisfy { kAll, kAny };

// What a <Location> or <Limit> demands of a request.
struct AccessRule {
  AuthType auth_type = AuthType::kNone;
  AccessOrder order = AccessOrder::kDenyAllow;
  std::vector<AddressPattern> allow;
  std::vector<AddressPattern> deny;
  RequireLevel level = RequireLevel::kAnonymous;
  std::vector<std::string> names;  // users, @group, @OWNER, @SYSTEM (Require user/group)
  Satisfy satisfy = Satisfy::kAll;
  std::string encryption = "IfRequested";  // Never / IfRequested / Required (not enforced: no TLS yet)
  int line = 0;                            // where the section starts, for log lines
};

// HTTP methods a <Location> (or a <Limit> inside it) covers, as a bit set.
enum HttpMethodBit : unsigned {
  kMethodGet = 1,
  kMethodHead = 2,
  kMethodOptions = 4,
  kMethodPost = 8,
  kMethodPut = 16,
  kMethodTrace = 32,
  kMethodAll = 63,
};
unsigned http_method_bit(std::string_view method);  // 0 for a method CUPS has no bit for

struct LocationRule {
  std::string path;  // "/admin"; the longest prefix of a request's path wins
  unsigned methods = kMethodAll;
  AccessRule rule;
};

struct PolicyLimit {
  std::vector<int> operations;  // IPP operation ids
  bool all = false;             // <Limit All>: every operation no other Limit names
  AccessRule rule;
};

struct Policy {
  std::string name;
  std::vector<PolicyLimit> limits;
  // JobPrivateAccess, JobPrivateValues, SubscriptionPrivate*: kept, not enforced yet.
  std::vector<std::pair<std::string, std::string>> settings;
};

struct AccessConfig {
  std::vector<LocationRule> locations;
  std::vector<Policy> policies;
};

}  // namespace quire
