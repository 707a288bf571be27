// cupsd.conf's access sections and the settings around them: what is read, and which
// problems stop the daemon (fatal, with file and line) or only warn.
#include "quire/config.hpp"

#include <cups/ipp.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace quire {
namespace {

std::expected<ServerConfig, ConfigDiagnostic> parse(const std::string& text) {
  return parse_server_config(text, "cupsd.conf");
}

const Policy* find_policy(const ServerConfig& c, const std::string& name) {
  for (const auto& p : c.access.policies)
    if (p.name == name) return &p;
  return nullptr;
}

TEST(CupsdConf, DefaultFileParsesWithoutWarnings) {
  auto config = parse(default_cupsd_conf());
  ASSERT_TRUE(config) << config.error().to_string();
  for (const auto& w : config->warnings)
    if (w.message.find("SystemGroup") == std::string::npos) ADD_FAILURE() << w.to_string();
  EXPECT_EQ(config->access.locations.size(), 4u);
  ASSERT_TRUE(find_policy(*config, "default"));
  ASSERT_TRUE(find_policy(*config, "authenticated"));
  EXPECT_EQ(config->default_policy, "default");
  EXPECT_EQ(config->max_log_size, 1024u * 1024u);
  EXPECT_FALSE(config->browsing);
  EXPECT_TRUE(config->web_interface);
}

TEST(CupsdConf, WithoutAnyPolicyOperationsFollowCupsDefaultPolicy) {
  auto config = parse("LogLevel warn\n");
  ASSERT_TRUE(config);
  const Policy* policy = find_policy(*config, "default");
  ASSERT_TRUE(policy);
  auto names = [&](int op) {
    for (const auto& limit : policy->limits)
      if (std::count(limit.operations.begin(), limit.operations.end(), op)) return limit.rule.names;
    return std::vector<std::string>{};
  };
  EXPECT_EQ(names(IPP_OP_CANCEL_JOB), (std::vector<std::string>{"@OWNER", "@SYSTEM"}));
  EXPECT_EQ(names(IPP_OP_CUPS_ADD_MODIFY_PRINTER), (std::vector<std::string>{"@SYSTEM"}));
}

TEST(CupsdConf, DirectiveNamesIgnoreCaseAsInCups) {
  auto config = parse("loglevel debug\nmaxjobs 7\n<location /admin>\n  order allow,deny\n</location>\n");
  ASSERT_TRUE(config) << config.error().to_string();
  EXPECT_EQ(config->log_level, "debug");
  EXPECT_EQ(config->max_jobs, 7);
  EXPECT_EQ(config->access.locations.at(0).rule.order, AccessOrder::kAllowDeny);
}

TEST(CupsdConf, ReadsTheSettingsCupsctlAndAdminsUse) {
  auto config = parse(
      "SystemGroup root\nSystemGroup daemon\nDefaultPolicy mine\nWebInterface No\nServerAlias a.example b.example\n"
      "ServerAlias *\nMaxLogSize 512k\nAccessLogLevel ALL\nBrowsing On\nBrowseLocalProtocols none\n<Policy mine>\n<Limit All>\n"
      "Order deny,allow\n</Limit>\n</Policy>\n");
  ASSERT_TRUE(config) << config.error().to_string();
  EXPECT_EQ(config->system_groups, (std::vector<std::string>{"root", "daemon"}));
  EXPECT_EQ(config->default_policy, "mine");
  EXPECT_FALSE(config->web_interface);
  EXPECT_EQ(config->server_alias, (std::vector<std::string>{"a.example", "b.example", "*"}));
  EXPECT_EQ(config->max_log_size, 512u * 1024u);
  EXPECT_EQ(config->access_log_level, "all");
  EXPECT_TRUE(config->browsing);
  EXPECT_EQ(config->browse_local_protocols, "none");
}

TEST(CupsdConf, ReadsAnAccessRuleCompletely) {
  auto config = parse(
      "<Location /admin/conf>\n  AuthType Default\n  Require user @SYSTEM \"John Smith\" alice\n"
      "  Order allow,deny\n  Allow from 192.0.2.0/24 @LOCAL\n  Deny 192.0.2.9\n  Satisfy any\n"
      "  Encryption Required\n</Location>\n");
  ASSERT_TRUE(config) << config.error().to_string();
  const AccessRule& rule = config->access.locations.at(0).rule;
  EXPECT_EQ(rule.auth_type, AuthType::kDefault);
  EXPECT_EQ(rule.level, RequireLevel::kUser);
  EXPECT_EQ(rule.names, (std::vector<std::string>{"@SYSTEM", "John Smith", "alice"}));
  EXPECT_EQ(rule.order, AccessOrder::kAllowDeny);
  ASSERT_EQ(rule.allow.size(), 2u);
  EXPECT_EQ(rule.allow[1].kind, AddressPattern::Kind::kLocalNetworks);
  ASSERT_EQ(rule.deny.size(), 1u);
  EXPECT_EQ(rule.satisfy, Satisfy::kAny);
  EXPECT_EQ(rule.encryption, "Required");
  EXPECT_EQ(rule.line, 1);
}

TEST(CupsdConf, LimitInsideALocationTakesItsMethodsFromIt) {
  auto config = parse("<Location /x>\n  Order allow,deny\n  <Limit PUT POST>\n    AuthType Basic\n  </Limit>\n</Location>\n");
  ASSERT_TRUE(config) << config.error().to_string();
  ASSERT_EQ(config->access.locations.size(), 2u);
  EXPECT_EQ(config->access.locations[0].methods, unsigned{kMethodAll & ~(kMethodPut | kMethodPost)});
  EXPECT_EQ(config->access.locations[1].methods, unsigned{kMethodPut | kMethodPost});
  EXPECT_EQ(config->access.locations[1].rule.order, AccessOrder::kAllowDeny);  // copied from the location
  EXPECT_EQ(config->access.locations[1].rule.auth_type, AuthType::kBasic);
  EXPECT_EQ(config->access.locations[0].rule.auth_type, AuthType::kNone);
}

struct FatalCase {
  const char* text;
  int line;
  const char* says;
};

class CupsdConfFatal : public ::testing::TestWithParam<FatalCase> {};

TEST_P(CupsdConfFatal, NamesFileLineAndProblem) {
  auto config = parse(GetParam().text);
  ASSERT_FALSE(config) << GetParam().text;
  EXPECT_EQ(config.error().line, GetParam().line) << config.error().to_string();
  EXPECT_TRUE(config.error().fatal);
  const std::string text = config.error().to_string();
  EXPECT_TRUE(text.starts_with("cupsd.conf:")) << text;
  EXPECT_NE(text.find(GetParam().says), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(
    Problems, CupsdConfFatal,
    ::testing::Values(
        FatalCase{"LogLevel warn\n<Location />\n  Allow 300.1.2.3\n</Location>\n", 3, "not an IPv4"},
        FatalCase{"<Location />\n  Allow [::1\n</Location>\n", 2, "missing its closing ']'"},
        FatalCase{"<Location />\n  Allow 10.0.0.0/99\n</Location>\n", 2, "bad netmask"},
        FatalCase{"<Location />\n  Alow all\n</Location>\n", 2, "unknown directive \"Alow\""},
        FatalCase{"<Location />\n  Order sideways\n</Location>\n", 2, "unknown Order"},
        FatalCase{"<Location />\n  AuthType Negotiate\n</Location>\n", 2, "Negotiate"},
        FatalCase{"<Location />\n  Require someone\n</Location>\n", 2, "unknown Require"},
        FatalCase{"<Location />\n  Satisfy maybe\n</Location>\n", 2, "unknown Satisfy"},
        FatalCase{"\n<Location /admin>\nOrder allow,deny\n", 2, "<Location> is not closed"},
        FatalCase{"<Policy default>\n  <Limit All>\n</Policy>\n", 3, "does not close the section opened on line 2"},
        FatalCase{"<Limit All>\n</Limit>\n", 1, "outside <Location> or <Policy>"},
        FatalCase{"<Location />\n<Location /admin>\n", 2, "inside another section"},
        FatalCase{"<Location admin>\n</Location>\n", 1, "must start with '/'"},
        FatalCase{"<Policy p>\n  Colour blue\n</Policy>\n", 2, "unknown directive \"Colour\" in <Policy>"},
        FatalCase{"<Policy p>\n  <Limit Frobnicate>\n  </Limit>\n</Policy>\n", 2, "names no operation"},
        FatalCase{"</Location>\n", 1, "unexpected"},
        FatalCase{"<Printer x>\n</Printer>\n", 1, "unexpected section"},
        FatalCase{"MaxLogSize lots\n", 1, "MaxLogSize"},
        FatalCase{"AccessLogLevel everything\n", 1, "unknown AccessLogLevel \"everything\""},
        FatalCase{"DefaultAuthType Negotiate\n", 1, "DefaultAuthType"},
        FatalCase{"WebInterface perhaps\n", 1, "WebInterface: expected Yes or No"}));

TEST(CupsdConf, DefaultPolicyNamingNoPolicyIsFatal) {
  auto config = parse("DefaultPolicy strict\n<Policy other>\n<Limit All>\n</Limit>\n</Policy>\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("DefaultPolicy \"strict\""), std::string::npos);
}

TEST(CupsdConf, WarningsKeepGoingAndNameTheLine) {
  auto config = parse(
      "LogLevel warn\nSystemGroup no-such-group-here\n<Policy default>\n  <Limit Cancel-Job Frobnicate>\n"
      "  </Limit>\n</Policy>\n<Location /x>\n  <Limit GET FETCH>\n  </Limit>\n</Location>\nFrobnicate yes\n");
  ASSERT_TRUE(config) << config.error().to_string();
  std::vector<int> lines;
  for (const auto& w : config->warnings) {
    EXPECT_FALSE(w.fatal);
    lines.push_back(w.line);
  }
  EXPECT_EQ(lines, (std::vector<int>{2, 4, 8, 11}));
}

TEST(AddressPatterns, ParseAsCupsDoes) {
  auto net = AddressPattern::parse("192.168.1.0/24");
  ASSERT_TRUE(net);
  EXPECT_EQ(net->kind, AddressPattern::Kind::kNetwork);
  EXPECT_EQ(net->mask[14], 0xFF);
  EXPECT_EQ(net->mask[15], 0x00);
  auto partial = AddressPattern::parse("10.*");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->mask[12], 0xFF);
  EXPECT_EQ(partial->mask[13], 0x00);
  auto dotted = AddressPattern::parse("172.16.0.0/255.240.0.0");
  ASSERT_TRUE(dotted);
  EXPECT_EQ(dotted->mask[13], 0xF0);
  auto v6 = AddressPattern::parse("[fe80::]/10");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address[0], 0xFE);
  EXPECT_EQ(v6->mask[1], 0xC0);
  EXPECT_EQ(AddressPattern::parse("@IF(eth0)")->name, "eth0");
  EXPECT_EQ(AddressPattern::parse("*.example.com")->name, ".example.com");
  EXPECT_EQ(AddressPattern::parse("ALL")->kind, AddressPattern::Kind::kAll);
  EXPECT_FALSE(AddressPattern::parse("@EVERYWHERE"));
  EXPECT_FALSE(AddressPattern::parse("1.2.3.4.5"));
}

}  // namespace
}  // namespace quire
