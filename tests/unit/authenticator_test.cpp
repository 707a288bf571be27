// Authorization headers: PeerCred against the socket peer, CUPS's Local certificates,
// Basic through a private PAM configuration.
#include "quire/authenticator.hpp"

#include "auth/peer_credentials.hpp"
#include "auth_test_support.hpp"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <future>

namespace quire {
namespace {

std::expected<Identity, std::string> check(const Authenticator& a, const std::string& header,
                                           const ConnectionFacts& facts) {
  std::promise<std::expected<Identity, std::string>> result;
  auto future = result.get_future();
  a.authenticate(header, facts, [&](std::expected<Identity, std::string> identity) { result.set_value(identity); });
  if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) return std::unexpected("timed out");
  return future.get();
}

std::string basic(const std::string& user_password) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (unsigned char c : user_password) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) out += kAlphabet[(bits >> (count -= 6)) & 63];
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 63];
  while (out.size() % 4) out += '=';
  return "Basic " + out;
}

class CertificateDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("quire-certs-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string read_certificate() {
    std::ifstream in(dir_ / "0");
    std::string text;
    std::getline(in, text);
    return text;
  }
  std::filesystem::path dir_;
};

TEST(Base64, DecodesBasicCredentials) {
  EXPECT_EQ(decode_base64("YWxpY2U6czNjcmV0"), "alice:s3cret");
  EXPECT_EQ(decode_base64("YQ=="), "a");
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_FALSE(decode_base64("not base64!"));
  EXPECT_EQ(basic("alice:s3cret"), "Basic YWxpY2U6czNjcmV0");
}

TEST_F(CertificateDir, RootCertificateIsRandomReadableByRootAndTheSystemGroup) {
  auto certificates = LocalCertificates::create(dir_, {"root", "daemon"});
  ASSERT_TRUE(certificates) << certificates.error();
  struct stat file{}, dir{};
  ASSERT_EQ(::stat((dir_ / "0").c_str(), &file), 0);
  ASSERT_EQ(::stat(dir_.c_str(), &dir), 0);
  EXPECT_EQ(file.st_mode & 07777, 0440u);
  EXPECT_EQ(dir.st_mode & 07777, 0711u);
  if (::geteuid() == 0) {
    EXPECT_EQ(file.st_gid, ::getgrnam("daemon")->gr_gid);  // the first non-root group
  }
  const std::string certificate = read_certificate();
  EXPECT_EQ(certificate.size(), 32u);
  EXPECT_EQ(certificate.find_first_not_of("0123456789ABCDEF"), std::string::npos);
  EXPECT_EQ((*certificates)->user_for(certificate), "root");
  EXPECT_FALSE((*certificates)->user_for(std::string(32, '0')));
  EXPECT_FALSE((*certificates)->user_for(certificate.substr(0, 31)));

  auto again = LocalCertificates::create(dir_, {"root"});  // a restart: a new certificate
  ASSERT_TRUE(again);
  EXPECT_NE(read_certificate(), certificate);
  again->reset();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "0"));  // removed at shutdown
}

TEST_F(CertificateDir, LocalSchemeIsForLocalClientsOnly) {
  auto certificates = LocalCertificates::create(dir_, {"root"});
  ASSERT_TRUE(certificates);
  const std::string certificate = read_certificate();
  Authenticator authenticator(std::move(*certificates), {});
  auto identity = check(authenticator, "Local " + certificate, {"127.0.0.1", true, std::nullopt});
  ASSERT_TRUE(identity) << identity.error();
  EXPECT_EQ(identity->user, "root");
  EXPECT_EQ(identity->scheme, "Local");
  EXPECT_FALSE(check(authenticator, "Local " + certificate, {"192.0.2.7", false, std::nullopt}));
  EXPECT_FALSE(check(authenticator, "Local 0123456789ABCDEF0123456789ABCDEF", {"127.0.0.1", true, std::nullopt}));
}

TEST(PeerCred, NameMustBeTheSocketPeersUser) {
  Authenticator authenticator(nullptr, {});
  auto identity = check(authenticator, "PeerCred daemon", {"localhost", true, uid_t{1}});
  ASSERT_TRUE(identity) << identity.error();
  EXPECT_EQ(identity->user, "daemon");
  EXPECT_FALSE(check(authenticator, "PeerCred root", {"localhost", true, uid_t{1}}));  // not even root by name
  EXPECT_FALSE(check(authenticator, "PeerCred daemon", {"127.0.0.1", true, std::nullopt}));  // TCP: no peer uid
  EXPECT_FALSE(check(authenticator, "PeerCred no-such-user-here", {"localhost", true, uid_t{1}}));
}

TEST(PeerCred, KernelReportsTheConnectingProcess) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  auto peer = auth::read_peer_credentials(fds[0]);
  ::close(fds[0]);
  ::close(fds[1]);
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->uid, ::geteuid());
  EXPECT_EQ(peer->pid, ::getpid());
  EXPECT_FALSE(peer->user.empty());
}

TEST(Basic, PasswordIsCheckedByPam) {
  testing::PamConfigDir pam;
  Authenticator authenticator(nullptr, {"cups", pam.path()});
  const ConnectionFacts facts{"192.0.2.7", false, std::nullopt};
  auto identity = check(authenticator, basic(std::string("alice:") + testing::kPamPassword), facts);
  ASSERT_TRUE(identity) << identity.error();
  EXPECT_EQ(identity->user, "alice");
  EXPECT_EQ(identity->scheme, "Basic");
  auto wrong = check(authenticator, basic("alice:guess"), facts);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().find("guess"), std::string::npos) << "never repeat a password: " << wrong.error();
  EXPECT_FALSE(check(authenticator, "Basic !!!", facts));
  EXPECT_FALSE(check(authenticator, basic("no-colon"), facts));
}

TEST(Basic, ServiceThatDeniesRefusesEveryone) {
  testing::PamConfigDir pam("");
  Authenticator authenticator(nullptr, {"cups", pam.path()});
  EXPECT_FALSE(check(authenticator, basic(std::string("root:") + testing::kPamPassword), {"10.0.0.1", false, {}}));
}

TEST(Authorization, UnknownSchemesAreRefused) {
  Authenticator authenticator(nullptr, {});
  auto identity = check(authenticator, "Negotiate abc", {"127.0.0.1", true, std::nullopt});
  ASSERT_FALSE(identity);
  EXPECT_NE(identity.error().find("Negotiate"), std::string::npos);
}

}  // namespace
}  // namespace quire
