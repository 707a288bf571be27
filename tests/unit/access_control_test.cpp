// The policy engine with CUPS's default cupsd.conf: who may print, cancel and
// administer, when a client must authenticate first, and <Location> rules.
#include "quire/access_control.hpp"

#include <cups/ipp.h>
#include <gtest/gtest.h>

namespace quire {
namespace {

ServerConfig config_from(const std::string& text) {
  auto config = parse_server_config(text, "cupsd.conf");
  if (!config) throw std::runtime_error(config.error().to_string());
  return *config;
}

ClientInfo local(std::string user = {}) {
  ClientInfo c;
  c.address = "127.0.0.1";
  c.is_local = true;
  c.authenticated_user = std::move(user);
  return c;
}

ClientInfo remote(std::string address, std::string user = {}) {
  ClientInfo c;
  c.address = std::move(address);
  c.authenticated_user = std::move(user);
  return c;
}

class Policies : public ::testing::Test {
 protected:
  AccessDecision op(int operation, const ClientInfo& client, std::string user, std::string owner = {},
                    AccessRequirement fallback = AccessRequirement::kAdmin) {
    last_ = access_.authorize_operation(operation, fallback, client, user, owner);
    return last_.decision;
  }
  AccessDecision get(std::string path, const ClientInfo& client, std::string method = "GET") {
    last_ = access_.authorize_resource(path, method, client);
    return last_.decision;
  }
  AccessControl access_{config_from(default_cupsd_conf())};
  AccessVerdict last_;
};

constexpr auto kAllow = AccessDecision::kAllow;
constexpr auto kNeedAuth = AccessDecision::kNeedAuthentication;
constexpr auto kForbid = AccessDecision::kForbid;

TEST_F(Policies, AnyoneMayPrintAndQuery) {
  EXPECT_EQ(op(IPP_OP_PRINT_JOB, local(), "anyone"), kAllow);
  EXPECT_EQ(op(IPP_OP_GET_JOBS, local(), "anyone"), kAllow);
  EXPECT_EQ(op(IPP_OP_CUPS_GET_PRINTERS, local(), "anyone"), kAllow);
}

TEST_F(Policies, OwnerMayCancelOwnJobWithoutAuthenticating) {
  EXPECT_EQ(op(IPP_OP_CANCEL_JOB, local(), "alice", "alice"), kAllow);
  EXPECT_EQ(op(IPP_OP_HOLD_JOB, local(), "Alice@EXAMPLE.COM", "alice"), kAllow);  // as CUPS: case, realm
}

TEST_F(Policies, AnotherUserMustAuthenticateToCancelAndMayTryTheRootCertificate) {
  EXPECT_EQ(op(IPP_OP_CANCEL_JOB, local(), "mallory", "alice"), kNeedAuth);
  EXPECT_TRUE(last_.challenge.try_root_certificate);
}

TEST_F(Policies, AnotherAuthenticatedUserIsForbidden) {
  EXPECT_EQ(op(IPP_OP_CANCEL_JOB, local("nobody"), "nobody", "alice"), kForbid);
}

TEST_F(Policies, AnAuthenticatedOwnerMayCancel) {
  EXPECT_EQ(op(IPP_OP_CANCEL_JOB, local("nobody"), "nobody", "nobody"), kAllow);
}

TEST_F(Policies, RootMayCancelAnyJobAndAdminister) {
  EXPECT_EQ(op(IPP_OP_CANCEL_JOB, local("root"), "root", "alice"), kAllow);
  EXPECT_EQ(op(IPP_OP_CUPS_DELETE_PRINTER, local("root"), "root"), kAllow);
  EXPECT_TRUE(access_.is_admin("root"));
}

TEST_F(Policies, ClaimingToBeRootProvesNothing) {
  EXPECT_EQ(op(IPP_OP_CANCEL_JOB, local(), "root", "alice"), kNeedAuth);
  EXPECT_EQ(op(IPP_OP_CUPS_ADD_MODIFY_PRINTER, local(), "root"), kNeedAuth);
}

TEST_F(Policies, AdministrationNeedsAnAuthenticatedAdministrator) {
  EXPECT_EQ(op(IPP_OP_PAUSE_PRINTER, local(), "alice"), kNeedAuth);
  EXPECT_TRUE(last_.challenge.try_root_certificate);
  EXPECT_EQ(op(IPP_OP_PAUSE_PRINTER, local("nobody"), "nobody"), kForbid);
  EXPECT_EQ(op(IPP_OP_CUPS_ACCEPT_JOBS, local("daemon"), "daemon"), kForbid);
}

TEST_F(Policies, SystemGroupMembersAreAdministrators) {
  access_.update(config_from("SystemGroup daemon\n"));  // the daemon user's primary group
  EXPECT_EQ(op(IPP_OP_PAUSE_PRINTER, local("daemon"), "daemon"), kAllow);
  EXPECT_EQ(op(IPP_OP_CANCEL_JOB, local("daemon"), "daemon", "alice"), kAllow);
  EXPECT_EQ(op(IPP_OP_PAUSE_PRINTER, local("nobody"), "nobody"), kForbid);
  EXPECT_TRUE(access_.is_admin("daemon"));
  EXPECT_TRUE(access_.is_admin("root"));  // whatever SystemGroup says
}

// What cupsctl --user-cancel-any writes: Cancel-Job leaves its <Limit> and falls to <Limit All>.
TEST_F(Policies, UserCancelAnyLetsAnyoneCancel) {
  std::string text = default_cupsd_conf();
  const std::string limit = "<Limit Cancel-Job CUPS-Authenticate-Job>";
  text.replace(text.find(limit), limit.size(), "<Limit CUPS-Authenticate-Job>");
  access_.update(config_from(text));
  EXPECT_EQ(op(IPP_OP_CANCEL_JOB, local(), "mallory", "alice"), kAllow);
  EXPECT_EQ(op(IPP_OP_HOLD_JOB, local(), "mallory", "alice"), kNeedAuth);
}

TEST_F(Policies, AnOperationNoLimitNamesNeedsWhatTheTableSays) {
  access_.update(config_from("<Policy default>\n<Limit Print-Job>\n</Limit>\n</Policy>\n"));
  EXPECT_EQ(op(IPP_OP_GET_JOBS, local(), "alice", "", AccessRequirement::kAnyone), kAllow);
  EXPECT_EQ(op(IPP_OP_CANCEL_JOB, local(), "alice", "alice", AccessRequirement::kJobOwner), kAllow);
  EXPECT_EQ(op(IPP_OP_CANCEL_JOB, local(), "bob", "alice", AccessRequirement::kJobOwner), kNeedAuth);
  EXPECT_EQ(op(IPP_OP_PAUSE_PRINTER, local("alice"), "alice", "", AccessRequirement::kAdmin), kForbid);
}

TEST_F(Policies, DefaultPolicyChoosesThePolicy) {
  std::string text = default_cupsd_conf() + "DefaultPolicy authenticated\n";
  access_.update(config_from(text));
  EXPECT_EQ(op(IPP_OP_PRINT_JOB, local(), "alice"), kNeedAuth);
  EXPECT_FALSE(last_.challenge.try_root_certificate);
  EXPECT_EQ(op(IPP_OP_PRINT_JOB, local("alice"), "alice"), kAllow);
}

TEST_F(Policies, GroupsCountOnlyForAuthenticatedUsers) {
  access_.update(config_from("<Policy default>\n<Limit Pause-Printer>\nRequire user @daemon\n</Limit>\n</Policy>\n"));
  EXPECT_EQ(op(IPP_OP_PAUSE_PRINTER, local(), "daemon"), kNeedAuth);
  EXPECT_EQ(op(IPP_OP_PAUSE_PRINTER, local("daemon"), "daemon"), kAllow);
}

TEST_F(Policies, ConfigurationFilesNeedAnAdministrator) {
  EXPECT_EQ(get("/admin/conf/cupsd.conf", local()), kNeedAuth);
  EXPECT_TRUE(last_.challenge.try_root_certificate);
  EXPECT_EQ(get("/admin/conf/cupsd.conf", local("nobody"), "PUT"), kForbid);
  EXPECT_EQ(get("/admin/conf/cupsd.conf", local("root"), "PUT"), kAllow);
  EXPECT_EQ(get("/admin/", local()), kAllow);
  EXPECT_EQ(get("/printers/demo", local()), kAllow);
}

TEST_F(Policies, RemoteClientsAreRefusedUntilRemoteAccessIsAllowed) {
  EXPECT_EQ(get("/printers/demo", remote("192.0.2.7")), kForbid);
  EXPECT_EQ(get("/admin", remote("192.0.2.7", "root")), kForbid);
  std::string text = default_cupsd_conf();
  const std::string root = "<Location />\n  Order allow,deny\n";
  text.replace(text.find(root), root.size(), root + "  Allow 192.0.2.0/24\n");
  access_.update(config_from(text));
  EXPECT_EQ(get("/printers/demo", remote("192.0.2.7")), kAllow);
  EXPECT_EQ(get("/printers/demo", remote("::ffff:192.0.2.7")), kAllow);
  EXPECT_EQ(get("/printers/demo", remote("198.51.100.1")), kForbid);
  EXPECT_EQ(get("/admin", remote("192.0.2.7", "root")), kForbid);  // /admin has its own rule
}

TEST_F(Policies, OrderDecidesBetweenAllowAndDeny) {
  access_.update(config_from(
      "<Location /a>\nOrder allow,deny\nAllow 10.0.0.0/8\nDeny 10.1.0.0/16\n</Location>\n"
      "<Location /b>\nOrder deny,allow\nDeny all\nAllow 10.1.0.0/16\n</Location>\n"
      "<Location /c>\nOrder deny,allow\n</Location>\n"));
  EXPECT_EQ(get("/a", remote("10.2.3.4")), kAllow);
  EXPECT_EQ(get("/a", remote("10.1.3.4")), kForbid);
  EXPECT_EQ(get("/b", remote("10.1.3.4")), kAllow);
  EXPECT_EQ(get("/b", remote("10.2.3.4")), kForbid);
  EXPECT_EQ(get("/c", remote("203.0.113.5")), kAllow);
  EXPECT_EQ(get("/d", remote("203.0.113.5")), kForbid);  // no <Location>: local clients only
  EXPECT_EQ(get("/d", local()), kAllow);
}

TEST_F(Policies, SatisfyAnyLetsAnAllowedAddressSkipAuthentication) {
  access_.update(config_from(
      "<Location /s>\nAuthType Basic\nRequire valid-user\nOrder allow,deny\nAllow 10.0.0.0/8\nSatisfy any\n"
      "</Location>\n"));
  EXPECT_EQ(get("/s", remote("10.0.0.1")), kAllow);
  EXPECT_EQ(get("/s", remote("192.0.2.1")), kNeedAuth);
  EXPECT_EQ(get("/s", remote("192.0.2.1", "anyone")), kAllow);
}

TEST_F(Policies, TheLongestLocationForTheMethodWins) {
  access_.update(config_from(
      "<Location /x>\n<Limit PUT>\nAuthType Default\nRequire user @SYSTEM\n</Limit>\n</Location>\n"
      "<Location /printers/Office>\nAuthType Basic\nRequire valid-user\n</Location>\n"));
  EXPECT_EQ(get("/x/y", local()), kAllow);
  EXPECT_EQ(get("/x/y", local(), "PUT"), kNeedAuth);
  EXPECT_EQ(get("/printers/office?x=1", local()), kNeedAuth);  // queue names ignore case, as in CUPS
}

TEST_F(Policies, HostHeaderOfARemoteClientMustNameThisServer) {
  EXPECT_TRUE(access_.accepts_host("evil.example:631", local()));
  EXPECT_FALSE(access_.accepts_host("evil.example:631", remote("192.0.2.7")));
  EXPECT_TRUE(access_.accepts_host("192.0.2.1:631", remote("192.0.2.7")));
  EXPECT_TRUE(access_.accepts_host("[2001:db8::1]:631", remote("192.0.2.7")));
  access_.update(config_from("ServerAlias print.example\n"));
  EXPECT_TRUE(access_.accepts_host("PRINT.example:631", remote("192.0.2.7")));
  EXPECT_FALSE(access_.accepts_host("evil.example", remote("192.0.2.7")));
  access_.update(config_from("ServerAlias *\n"));
  EXPECT_TRUE(access_.accepts_host("evil.example", remote("192.0.2.7")));
}

}  // namespace
}  // namespace quire
