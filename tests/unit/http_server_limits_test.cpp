// HttpServer over real sockets: limits, timeouts, malformed input, methods and routes
// other than IPP, listeners (Unix sockets, errors) and shutdown.
#include "http_test_support.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace quire::testing {
namespace {

HttpLimits test_limits() {
  HttpLimits limits;
  limits.header_timeout = std::chrono::seconds(10);
  limits.idle_timeout = std::chrono::seconds(10);
  limits.body_timeout = std::chrono::seconds(10);
  return limits;
}

// A fresh directory for socket files, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "quire-http-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

HttpReply expect_reply(RawClient& client) {
  std::optional<HttpReply> reply = client.read_reply();
  EXPECT_TRUE(reply) << "no response";
  return reply.value_or(HttpReply{});
}

TEST(HttpServerLimits, RejectsAnOversizeHeaderAndCloses) {
  HttpLimits limits = test_limits();
  limits.max_header_bytes = 1024;
  ServerHarness harness(limits);
  RawClient client = harness.connect();
  client.send("GET / HTTP/1.1\r\nHost: localhost\r\nX-Filler: " + std::string(4096, 'a') + "\r\n\r\n");
  EXPECT_EQ(expect_reply(client).status, 431);
  EXPECT_TRUE(client.wait_closed());
}

TEST(HttpServerLimits, RejectsAnOversizeBodyByContentLength) {
  HttpLimits limits = test_limits();
  limits.max_body_bytes = 4096;
  ServerHarness harness(limits);
  RawClient client = harness.connect();
  client.send(http_post("/printers/demo", ipp_request(IPP_OP_PRINT_JOB, 1) + make_document(8192)));
  HttpReply reply = expect_reply(client);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_TRUE(client.wait_closed());
}

TEST(HttpServerLimits, RejectsAnOversizeChunkedBodyAndDiscardsTheSink) {
  HttpLimits limits = test_limits();
  limits.max_body_bytes = 100 * 1024;
  ServerHarness harness(limits);
  RawClient client = harness.connect();
  client.send(
      "POST /printers/demo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ipp\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" +
      http_chunked(ipp_request(IPP_OP_PRINT_JOB, 1) + make_document(300 * 1024), 4096));
  EXPECT_EQ(expect_reply(client).status, 413);
  std::shared_ptr<SinkRecord> sink = harness.service().sink(0);
  ASSERT_TRUE(sink->wait_until([](SinkRecord& r) { return r.destroyed; }));
  EXPECT_FALSE(sink->finished);
}

TEST(HttpServerLimits, RejectsAnOversizeIppAttributeSection) {
  HttpLimits limits = test_limits();
  limits.max_ipp_attributes_bytes = 1024;
  ServerHarness harness(limits);
  IppMessage big = IppMessage::make_request(IPP_OP_GET_JOBS, 1);
  big.add_standard_operation_attributes();
  big.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", std::string(4000, 'u'));
  std::vector<std::byte> bytes = big.encode();
  RawClient client = harness.connect();
  client.send(http_post("/jobs", std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
  EXPECT_EQ(expect_reply(client).status, 413);
  EXPECT_EQ(harness.service().requests_seen(), 0);
}

TEST(HttpServerLimits, AnswersGarbageWith400AndCloses) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  client.send(std::string("\x16\x03\x01 garbage \x01\x02\r\n\r\n", 19));
  EXPECT_EQ(expect_reply(client).status, 400);
  EXPECT_TRUE(client.wait_closed());
}

TEST(HttpServerLimits, AnswersAnHttp11RequestWithoutHostWith400) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  client.send("GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(expect_reply(client).status, 400);
  EXPECT_TRUE(client.wait_closed());
}

TEST(HttpServerLimits, AnswersMalformedIppWith400) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  std::string bad_tag = ipp_request(IPP_OP_GET_JOBS, 1);
  bad_tag[8] = '\0';  // the first delimiter becomes the reserved tag 0x00
  client.send(http_post("/jobs", bad_tag));
  EXPECT_EQ(expect_reply(client).status, 400);

  RawClient truncated = harness.connect();
  std::string message = ipp_request(IPP_OP_GET_JOBS, 1);
  truncated.send(http_post("/jobs", message.substr(0, message.size() - 5)));
  EXPECT_EQ(expect_reply(truncated).status, 400);
  EXPECT_EQ(harness.service().requests_seen(), 0);
}

TEST(HttpServerLimits, AnswersGetWithoutWebHandlerWith404AndKeepsTheConnection) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  client.send("GET /nothing/here HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(expect_reply(client).status, 404);
  client.send(http_post("/", ipp_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 2)));
  EXPECT_EQ(expect_reply(client).status, 200);
}

TEST(HttpServerLimits, RefusesUnsupportedMethodsWith405AndAllow) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  for (std::string method : {"DELETE", "TRACE", "PATCH"}) {
    client.send(method + " /printers/demo HTTP/1.1\r\nHost: localhost\r\n\r\n");
    HttpReply reply = expect_reply(client);
    EXPECT_EQ(reply.status, 405) << method;
    EXPECT_EQ(reply.header("allow"), "GET, HEAD, OPTIONS, POST, PUT");
  }
}

TEST(HttpServerLimits, AnswersOptionsWithAllow) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  client.send("OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n");
  HttpReply reply = expect_reply(client);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("allow"), "GET, HEAD, OPTIONS, POST, PUT");
  EXPECT_EQ(reply.header("content-length"), "0");
}

TEST(HttpServerLimits, RefusesNonIppPostToAnIppResource) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  client.send(http_post("/printers/demo", "hello", "", "text/plain"));
  EXPECT_EQ(expect_reply(client).status, 415);
}

TEST(HttpServerLimits, HandsWebRequestsToTheWebHandler) {
  ServerHarness harness(test_limits());
  harness.server().set_web_handler([](WebRequest request, std::move_only_function<void(WebResponse)> done) {
    WebResponse response;
    response.status = 200;
    response.content_type = "text/plain";
    response.body = request.method + " " + request.target + " [" + request.body + "]";
    response.headers.emplace_back("X-Client", request.client.address);
    done(std::move(response));
  });
  RawClient client = harness.connect();
  client.send("GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n");
  HttpReply get = expect_reply(client);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "GET /admin []");
  EXPECT_EQ(get.header("x-client"), "127.0.0.1");

  client.send(http_post("/admin", "op=stop", "", "application/x-www-form-urlencoded"));
  EXPECT_EQ(expect_reply(client).body, "POST /admin [op=stop]");

  client.send("HEAD /admin HTTP/1.1\r\nHost: localhost\r\n\r\n");
  std::optional<HttpReply> head = client.read_reply(true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("content-length"), std::to_string(std::string("HEAD /admin []").size()));
  client.send("GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n");  // nothing of HEAD's body came before it
  EXPECT_EQ(expect_reply(client).body, "GET /admin []");
  client.send(http_post("/admin", std::string(2 * 1024 * 1024, 'f'), "", "text/plain"));
  EXPECT_EQ(expect_reply(client).status, 413);
}

TEST(HttpServerLimits, ClosesAnIdleKeepAliveConnection) {
  HttpLimits limits = test_limits();
  limits.idle_timeout = std::chrono::seconds(1);
  ServerHarness harness(limits);
  RawClient client = harness.connect();
  client.send(http_post("/", ipp_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 1)));
  EXPECT_EQ(expect_reply(client).status, 200);
  EXPECT_TRUE(client.wait_closed());
}

TEST(HttpServerLimits, ClosesAConnectionWhoseHeaderNeverEnds) {
  HttpLimits limits = test_limits();
  limits.header_timeout = std::chrono::seconds(1);
  ServerHarness harness(limits);
  RawClient client = harness.connect();
  client.send("GET / HTTP/1.1\r\nHost: loc");
  EXPECT_TRUE(client.wait_closed());
}

TEST(HttpServerLimits, ClosesAConnectionWhoseBodyStalls) {
  HttpLimits limits = test_limits();
  limits.body_timeout = std::chrono::seconds(1);
  ServerHarness harness(limits);
  RawClient client = harness.connect();
  const std::string ipp = ipp_request(IPP_OP_PRINT_JOB, 1);
  const std::string request = http_post("/printers/demo", ipp + make_document(1000));
  client.send(request.substr(0, request.size() - 500));
  EXPECT_TRUE(client.wait_closed());
  std::shared_ptr<SinkRecord> sink = harness.service().sink(0);
  ASSERT_TRUE(sink->wait_until([](SinkRecord& r) { return r.destroyed; }));
  EXPECT_FALSE(sink->finished);
}

TEST(HttpServerLimits, RefusesConnectionsOverTheLimitWith503) {
  HttpLimits limits = test_limits();
  limits.max_connections = 1;
  ServerHarness harness(limits);
  RawClient first = harness.connect();
  first.send(http_post("/", ipp_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 1)));
  EXPECT_EQ(expect_reply(first).status, 200);
  RawClient second = harness.connect();
  EXPECT_EQ(expect_reply(second).status, 503);
  EXPECT_TRUE(second.wait_closed());
}

TEST(HttpServerLimits, StopClosesIdleConnections) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  client.send(http_post("/", ipp_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 1)));
  EXPECT_EQ(expect_reply(client).status, 200);
  harness.server().stop();
  EXPECT_TRUE(client.wait_closed());
}

TEST(HttpServerLimits, StopLetsARequestInServiceFinish) {
  ServerHarness harness(test_limits());
  harness.service().hold_get_jobs();
  RawClient client = harness.connect();
  client.send(http_post("/jobs", ipp_request(IPP_OP_GET_JOBS, 8)));
  ASSERT_TRUE(harness.service().wait_for_held());
  harness.server().stop();
  harness.service().release_held();
  HttpReply reply = expect_reply(client);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_EQ(decode_reply(reply).request_id(), 8);
  EXPECT_TRUE(client.wait_closed());
}

TEST(HttpServerListeners, ServesAUnixSocketOpenToAll) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "quire.sock";
  ServerHarness harness(test_limits());
  ASSERT_TRUE(harness.server().listen({path.string(), 0}));
  EXPECT_EQ(harness.server().bound_endpoints().back(), path.string());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666u);

  RawClient client = RawClient::connect_unix(path);
  client.send(http_post("/", ipp_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 1)));
  EXPECT_EQ(expect_reply(client).status, 200);
  ClientInfo info = harness.service().last_client();
  EXPECT_EQ(info.address, "localhost");
  EXPECT_TRUE(info.is_local);
}

TEST(HttpServerListeners, ReplacesAStaleSocketFileButNotALiveOne) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "quire.sock";
  int stale = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(stale, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(stale);  // the file stays, nobody listens: stale

  ServerHarness harness(test_limits());
  ASSERT_TRUE(harness.server().listen({path.string(), 0}));
  ServerHarness other(test_limits());
  auto refused = other.server().listen({path.string(), 0});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), path.string() + ": Address already in use");
}

TEST(HttpServerListeners, NamesTheEndpointWhenBindingFails) {
  ServerHarness harness(test_limits());
  ServerHarness other(test_limits());
  auto refused = other.server().listen({"127.0.0.1", harness.port()});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), "127.0.0.1:" + std::to_string(harness.port()) + ": Address already in use");
  auto nonsense = other.server().listen({"printer.example", 631});
  ASSERT_FALSE(nonsense);
  EXPECT_TRUE(nonsense.error().starts_with("printer.example: ")) << nonsense.error();
}

TEST(HttpServerListeners, LocalhostBindsTheLoopbackAddresses) {
  ServerHarness harness(test_limits());
  ASSERT_TRUE(harness.server().listen({"localhost", 0}));
  std::vector<std::string> bound = harness.server().bound_endpoints();
  ASSERT_GE(bound.size(), 2u);
  EXPECT_TRUE(bound[1].starts_with("127.0.0.1:")) << bound[1];
  const std::string port = bound[1].substr(bound[1].rfind(':') + 1);
  EXPECT_NE(port, "0");
  if (bound.size() > 2) {
    EXPECT_EQ(bound[2], "[::1]:" + port);
  }
}

}  // namespace
}  // namespace quire::testing
