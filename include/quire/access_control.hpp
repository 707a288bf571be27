// AccessControl: the policy engine. For an IPP operation (the <Policy> DefaultPolicy
// names) or an HTTP resource (the <Location> that matches best) it decides whether the
// client may go on, must authenticate first (HTTP 401), or is refused — with CUPS's
// semantics (scheduler/auth.c cupsdIsAuthorized), except that an unauthenticated
// requesting-user-name never counts as a member of @SYSTEM or of a group.
#pragma once

#include "quire/config.hpp"
#include "quire/ipp_service.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

enum class AccessDecision { kAllow, kNeedAuthentication, kForbid };

// What an operation needs when the policy names it in no <Limit> (and has no <Limit All>).
enum class AccessRequirement { kAnyone, kJobOwner, kAdmin };

struct AccessVerdict {
  AccessDecision decision = AccessDecision::kAllow;
  AuthChallenge challenge;  // for kNeedAuthentication
  std::string reason;       // for the log: "requires an administrator", "address denied"

  bool allowed() const { return decision == AccessDecision::kAllow; }
};

// Created by the daemon from cupsd.conf; shared by the IPP dispatcher, the HTTP front
// end and the admin pages. Thread-safe: each call reads one immutable snapshot, and
// update() swaps in a new one (cupsctl, without a restart). NSS lookups for group
// membership run on the caller's thread.
class AccessControl {
 public:
  explicit AccessControl(const ServerConfig& config);
  ~AccessControl();

  void update(const ServerConfig& config);

  // `user` is the authenticated user, else requesting-user-name (matched against
  // @OWNER and user names only); `owner` the target job's owner, empty when none.
  AccessVerdict authorize_operation(int operation, AccessRequirement fallback, const ClientInfo& client,
                                    std::string_view user, std::string_view owner) const;
  // The <Location> rules for an HTTP request; `path` may carry a query.
  AccessVerdict authorize_resource(std::string_view path, std::string_view method, const ClientInfo& client) const;
  // Whether a remote client's Host header names this server (ServerName, ServerAlias,
  // the host name, an address). Local clients always pass. Guards against DNS rebinding.
  bool accepts_host(std::string_view host_header, const ClientInfo& client) const;
  // root, or a member of a SystemGroup.
  bool is_admin(std::string_view user) const;

 private:
  struct Snapshot;
  std::shared_ptr<const Snapshot> snapshot() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
};

// root, or a member (listed, primary group, or getgrouplist) of one of `groups`.
bool is_system_user(std::string_view user, const std::vector<std::string>& groups);

}  // namespace quire
