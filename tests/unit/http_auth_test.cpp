// Authentication and access control at the HTTP front end, over real sockets: who the
// server believes is asking (Unix socket peer, Local certificate, Basic via PAM), 401
// with the WWW-Authenticate libcups understands, <Location> rules before the body, and
// GET/PUT of /admin/conf/cupsd.conf.
#include "auth/user_groups.hpp"
#include "auth_test_support.hpp"
#include "http/http_protocol.hpp"
#include "http_test_support.hpp"

#include "quire/access_control.hpp"
#include "quire/admin_conf.hpp"
#include "quire/authenticator.hpp"
#include "quire/server_settings.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <fstream>
#include <sstream>

namespace quire::testing {
namespace {

// Cancel-Job wants root (401 until then, as the dispatcher answers); everything else
// succeeds. Remembers who asked.
class GuardedService : public IppService {
 public:
  void handle(IppMessage request, ClientInfo client, IppOutcomeHandler done) override {
    IppOutcome outcome{IppMessage::make_response(request, IPP_STATUS_OK), nullptr, std::nullopt};
    if (request.operation() == IPP_OP_CANCEL_JOB && client.authenticated_user != "root") {
      outcome.response.set_status(IPP_STATUS_ERROR_NOT_AUTHORIZED);
      outcome.challenge = AuthChallenge{true};
    }
    {
      std::lock_guard lock(mutex_);
      last_user_ = client.authenticated_user;
    }
    boost::asio::post(worker_, [done = std::move(done), outcome = std::move(outcome)]() mutable {
      done(std::move(outcome));
    });
  }
  std::string last_user() {
    std::lock_guard lock(mutex_);
    return last_user_;
  }

 private:
  std::mutex mutex_;
  std::string last_user_ = "(nobody asked)";
  boost::asio::thread_pool worker_{1};
};

class HttpAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("quire-http-auth-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "cupsd.conf") << default_cupsd_conf();
    auto config = load_server_config(dir_ / "cupsd.conf");
    ASSERT_TRUE(config) << config.error().to_string();
    access_ = std::make_shared<AccessControl>(*config);
    settings_ = std::make_shared<ServerSettings>(dir_ / "cupsd.conf", *config);
    settings_->on_change([access = access_](const ServerConfig&, const ServerConfig& after) { access->update(after); });
    auto certificates = LocalCertificates::create(dir_ / "certs", {"root"});
    ASSERT_TRUE(certificates) << certificates.error();
    std::ifstream(dir_ / "certs" / "0") >> certificate_;
    server_ = std::make_unique<HttpServer>(io_, service_, HttpLimits{});
    server_->set_access_control(access_);
    server_->set_authenticator(std::make_shared<Authenticator>(
        std::move(*certificates), Authenticator::Options{"cups", pam_.path()}));
    server_->set_web_handler(make_admin_conf_handler(settings_, access_));
    ASSERT_TRUE(server_->listen({"127.0.0.1", 0}));
    ASSERT_TRUE(server_->listen({(dir_ / "quire.sock").string(), 0}));
    const std::string name = server_->bound_endpoints().at(0);
    port_ = static_cast<std::uint16_t>(std::stoi(name.substr(name.rfind(':') + 1)));
    work_.emplace(io_.get_executor());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    work_.reset();
    for (auto& t : threads_) t.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpReply exchange(RawClient& client, const std::string& request) {
    client.send(request);
    std::optional<HttpReply> reply = client.read_reply();
    if (!reply) throw std::runtime_error("connection closed without a reply");
    return *reply;
  }
  HttpReply ipp(ipp_op_t op, const std::string& extra_headers = "", bool over_socket = false) {
    RawClient client = over_socket ? RawClient::connect_unix(dir_ / "quire.sock") : RawClient::connect_tcp(port_);
    return exchange(client, http_post("/printers/demo", ipp_request(op, 1), extra_headers));
  }
  std::string request(const std::string& method, const std::string& target, const std::string& headers,
                      const std::string& body = {}) {
    std::ostringstream out;
    out << method << " " << target << " HTTP/1.1\r\nHost: localhost\r\n" << headers;
    if (!body.empty() || method == "PUT") out << "Content-Length: " << body.size() << "\r\n";
    out << "\r\n" << body;
    return out.str();
  }
  std::string local_auth() const { return "Authorization: Local " + certificate_ + "\r\n"; }
  std::string read_conf() const {
    std::ifstream in(dir_ / "cupsd.conf");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path dir_;
  PamConfigDir pam_;
  std::string certificate_;
  GuardedService service_;
  std::shared_ptr<AccessControl> access_;
  std::shared_ptr<ServerSettings> settings_;
  boost::asio::io_context io_;
  std::unique_ptr<HttpServer> server_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
};

TEST(WwwAuthenticate, OffersWhatLibcupsLooksFor) {
  EXPECT_EQ(http::www_authenticate(true, true, false), "Basic realm=\"CUPS\", Local trc=\"y\"");
  EXPECT_EQ(http::www_authenticate(false, true, false), "Basic realm=\"CUPS\", Local");
  EXPECT_EQ(http::www_authenticate(true, true, true), "Basic realm=\"CUPS\", PeerCred, Local trc=\"y\"");
  EXPECT_EQ(http::www_authenticate(true, false, false), "Basic realm=\"CUPS\"");
}

TEST_F(HttpAuth, ANeedForCredentialsBecomes401WithLocalOverLoopback) {
  HttpReply reply = ipp(IPP_OP_CANCEL_JOB);
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.header("www-authenticate"), "Basic realm=\"CUPS\", Local trc=\"y\"");
}

TEST_F(HttpAuth, TheUnixSocketAlsoOffersPeerCredAndKnowsThePeer) {
  HttpReply reply = ipp(IPP_OP_GET_JOBS, "", true);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(service_.last_user(), ::geteuid() == 0 ? "root" : auth::user_name(::geteuid()).value_or(""));
  if (::geteuid() != 0) {
    reply = ipp(IPP_OP_CANCEL_JOB, "", true);
    EXPECT_EQ(reply.header("www-authenticate"), "Basic realm=\"CUPS\", PeerCred, Local trc=\"y\"");
  }
}

TEST_F(HttpAuth, LoopbackTcpProvesNothingByItself) {
  EXPECT_EQ(ipp(IPP_OP_GET_JOBS).status, 200);
  EXPECT_EQ(service_.last_user(), "");
}

TEST_F(HttpAuth, TheLocalCertificateAuthenticatesAsRoot) {
  HttpReply reply = ipp(IPP_OP_CANCEL_JOB, local_auth());
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(service_.last_user(), "root");
  reply = ipp(IPP_OP_CANCEL_JOB, "Authorization: Local 0123456789ABCDEF0123456789ABCDEF\r\n");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(service_.last_user(), "");
}

TEST_F(HttpAuth, BasicCredentialsAreCheckedByPamOncePerConnection) {
  RawClient client = RawClient::connect_tcp(port_);
  const std::string credentials = "Authorization: Basic " + std::string("YWxpY2U6czNjcmV0IHBhc3M=") + "\r\n";
  ASSERT_EQ(*decode_base64("YWxpY2U6czNjcmV0IHBhc3M="), std::string("alice:") + kPamPassword);
  for (int i = 0; i < 2; ++i) {
    HttpReply reply = exchange(client, http_post("/printers/demo", ipp_request(IPP_OP_GET_JOBS, i + 1), credentials));
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(service_.last_user(), "alice");
  }
  HttpReply wrong = exchange(client, http_post("/printers/demo", ipp_request(IPP_OP_GET_JOBS, 3),
                                               "Authorization: Basic YWxpY2U6Z3Vlc3M=\r\n"));  // alice:guess
  EXPECT_EQ(wrong.status, 200);
  EXPECT_EQ(service_.last_user(), "");
}

TEST_F(HttpAuth, ConfigurationNeedsCredentialsBeforeTheBodyIsSent) {
  RawClient client = RawClient::connect_tcp(port_);
  client.send("PUT /admin/conf/cupsd.conf HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
              "Content-Length: 10\r\n\r\n");
  std::optional<HttpReply> reply = client.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 401);  // not 100 Continue
  EXPECT_EQ(reply->header("www-authenticate"), "Basic realm=\"CUPS\", Local trc=\"y\"");
}

TEST_F(HttpAuth, NonAdministratorsAreForbiddenTheConfiguration) {
  RawClient client = RawClient::connect_tcp(port_);
  HttpReply reply = exchange(client, request("GET", "/admin/conf/cupsd.conf", "Authorization: Basic YWxpY2U6czNjcmV0IHBhc3M=\r\n"));
  EXPECT_EQ(reply.status, 403);
}

TEST_F(HttpAuth, AdministratorsGetAndPutTheConfiguration) {
  RawClient client = RawClient::connect_tcp(port_);
  HttpReply got = exchange(client, request("GET", "/admin/conf/cupsd.conf", local_auth()));
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(got.body, default_cupsd_conf());

  std::string changed = got.body;
  changed.replace(changed.find("LogLevel warn"), 13, "LogLevel info");
  changed.replace(changed.find("<Limit Cancel-Job CUPS-Authenticate-Job>"), 40, "<Limit CUPS-Authenticate-Job>");
  HttpReply put = exchange(client, request("PUT", "/admin/conf/cupsd.conf", local_auth(), changed));
  EXPECT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(read_conf(), changed);
  EXPECT_EQ(settings_->current().log_level, "info");
  ClientInfo asker;
  asker.is_local = true;
  EXPECT_TRUE(access_->authorize_operation(IPP_OP_CANCEL_JOB, AccessRequirement::kJobOwner, asker, "bob", "alice")
                  .allowed());  // applied without a restart
}

TEST_F(HttpAuth, ABadConfigurationIsRefusedWithItsLineAndLeavesTheFileAlone) {
  RawClient client = RawClient::connect_tcp(port_);
  HttpReply put = exchange(client, request("PUT", "/admin/conf/cupsd.conf", local_auth(),
                                           "LogLevel warn\n<Location />\n  Allow 10.0.0.0/99\n</Location>\n"));
  EXPECT_EQ(put.status, 400);
  EXPECT_NE(put.body.find("cupsd.conf:3: bad netmask"), std::string::npos) << put.body;
  EXPECT_EQ(read_conf(), default_cupsd_conf());
}

TEST_F(HttpAuth, OnlyCupsdConfIsServedUnderAdminConf) {
  RawClient client = RawClient::connect_tcp(port_);
  EXPECT_EQ(exchange(client, request("GET", "/admin/conf/printers.conf", local_auth())).status, 404);
  EXPECT_EQ(exchange(client, request("GET", "/nothing-here", "")).status, 404);
}

TEST(ServerSettings, ListsWhatOnlyARestartApplies) {
  ServerConfig before, after;
  after.listen = {"*:631"};
  after.max_jobs = 7;
  after.log_level = "debug";
  EXPECT_EQ(settings_needing_restart(before, after), (std::vector<std::string>{"Listen/Port", "MaxJobs"}));
}

}  // namespace
}  // namespace quire::testing
