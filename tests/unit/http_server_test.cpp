// HttpServer over real sockets: IPP requests on keep-alive and pipelined connections,
// chunked bodies, 100 Continue, documents streamed to the sink, and libcups as client.
#include "http_test_support.hpp"

#include "quire/log.hpp"

#include <cups/cups.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

namespace quire::testing {
namespace {

HttpLimits test_limits() {
  HttpLimits limits;
  limits.header_timeout = std::chrono::seconds(10);
  limits.idle_timeout = std::chrono::seconds(10);
  limits.body_timeout = std::chrono::seconds(10);
  return limits;
}

TEST(HttpServer, ReportsTheBoundPortForPortZero) {
  ServerHarness harness(test_limits());
  std::vector<std::string> bound = harness.server().bound_endpoints();
  ASSERT_EQ(bound.size(), 1u);
  EXPECT_TRUE(bound[0].starts_with("127.0.0.1:")) << bound[0];
  EXPECT_NE(harness.port(), 0);
}

TEST(HttpServer, ServesTwoRequestsOnOneKeepAliveConnection) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  for (int id : {11, 12}) {
    client.send(http_post("/printers/demo", ipp_request(IPP_OP_GET_PRINTER_ATTRIBUTES, id)));
    std::optional<HttpReply> reply = client.read_reply();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->header("content-type"), "application/ipp");
    EXPECT_EQ(reply->header("server"), "Quire/0.1");
    EXPECT_FALSE(reply->header("date").empty());
    EXPECT_NE(reply->header("connection"), "close");
    IppMessage response = decode_reply(*reply);
    ASSERT_TRUE(response);
    EXPECT_EQ(response.request_id(), id);
    EXPECT_EQ(response.status(), IPP_STATUS_OK);
  }
  EXPECT_EQ(harness.service().requests_seen(), 2);
}

TEST(HttpServer, TellsTheServiceWhoIsAsking) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  client.send(http_post("/printers/demo?x=1", ipp_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 1)));
  ASSERT_TRUE(client.read_reply());
  ClientInfo info = harness.service().last_client();
  EXPECT_EQ(info.address, "127.0.0.1");
  EXPECT_EQ(info.host_header, "localhost");
  EXPECT_EQ(info.resource, "/printers/demo?x=1");
  EXPECT_TRUE(info.is_local);
  EXPECT_GT(info.connection_id, 0);
}

TEST(HttpServer, AnswersPipelinedRequestsInOrder) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  const std::string document = make_document(100 * 1024);
  client.send(http_post("/", ipp_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 1)) +
              http_post("/printers/demo", ipp_request(IPP_OP_PRINT_JOB, 2) + document) +
              http_post("/jobs", ipp_request(IPP_OP_GET_JOBS, 3)));
  for (int id : {1, 2, 3}) {
    std::optional<HttpReply> reply = client.read_reply();
    ASSERT_TRUE(reply) << "response " << id;
    ASSERT_EQ(reply->status, 200);
    EXPECT_EQ(decode_reply(*reply).request_id(), id);
  }
  EXPECT_EQ(harness.service().sink(0)->bytes, document);
}

TEST(HttpServer, AcceptsAChunkedBodySplitAnywhere) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  const std::string document = make_document(10000);
  const std::string body = ipp_request(IPP_OP_PRINT_JOB, 5) + document;
  client.send(
      "POST /printers/demo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ipp\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" +
      http_chunked(body, 7));
  std::optional<HttpReply> reply = client.read_reply();
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200);
  IppMessage response = decode_reply(*reply);
  EXPECT_EQ(response.find_integer("job-id"), 42);
  std::shared_ptr<SinkRecord> sink = harness.service().sink(0);
  EXPECT_TRUE(sink->wait_until([](SinkRecord& r) { return r.destroyed; }));
  EXPECT_EQ(sink->bytes, document);
  EXPECT_TRUE(sink->finished);
}

TEST(HttpServer, SendsContinueBeforeReadingTheBody) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  const std::string request = http_post("/printers/demo", ipp_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 3),
                                        "Expect: 100-continue\r\n");
  const std::size_t head_end = request.find("\r\n\r\n") + 4;
  client.send(request.substr(0, head_end));
  std::optional<HttpReply> interim = client.read_reply();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  client.send(request.substr(head_end));
  std::optional<HttpReply> reply = client.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
}

TEST(HttpServer, RefusedRequestGetsNoContinueAndTheConnectionCloses) {
  HttpLimits limits = test_limits();
  limits.max_body_bytes = 1000;
  ServerHarness harness(limits);
  RawClient client = harness.connect();
  client.send(
      "POST /printers/demo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ipp\r\n"
      "Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  std::optional<HttpReply> reply = client.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(reply->header("connection"), "close");
  EXPECT_TRUE(client.wait_closed());
}

TEST(HttpServer, StreamsALargeDocumentToTheSinkInPieces) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  const std::string document = make_document(5 * 1024 * 1024);
  client.send(http_post("/printers/demo", ipp_request(IPP_OP_PRINT_JOB, 9) + document));
  std::optional<HttpReply> reply = client.read_reply();
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200);
  EXPECT_EQ(decode_reply(*reply).status(), IPP_STATUS_OK);
  std::shared_ptr<SinkRecord> sink = harness.service().sink(0);
  ASSERT_TRUE(sink->wait_until([](SinkRecord& r) { return r.destroyed; }));
  EXPECT_TRUE(sink->bytes == document) << "sink holds " << sink->bytes.size() << " bytes";
  EXPECT_TRUE(sink->finished);
  EXPECT_GE(sink->writes, 20);  // pieces as they arrive, never the whole document
  EXPECT_LE(sink->largest_write, 64u * 1024);
}

TEST(HttpServer, ClientVanishingMidDocumentDiscardsTheSinkUnfinished) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  const std::string ipp = ipp_request(IPP_OP_PRINT_JOB, 4);
  const std::string head = http_post("/printers/demo", std::string(ipp.size() + 10'000'000, 'x'));
  client.send(head.substr(0, head.find("\r\n\r\n") + 4) + ipp + make_document(200 * 1024));
  std::shared_ptr<SinkRecord> sink = harness.service().sink(0);
  ASSERT_TRUE(sink);
  ASSERT_TRUE(sink->wait_until([](SinkRecord& r) { return r.writes > 0; }));
  client.close();
  ASSERT_TRUE(sink->wait_until([](SinkRecord& r) { return r.destroyed; }));
  EXPECT_FALSE(sink->finished);
}

TEST(HttpServer, SinkRefusingAPieceSendsItsErrorAndCloses) {
  ServerHarness harness(test_limits());
  harness.service().fail_writes_after(100 * 1024);
  RawClient client = harness.connect();
  client.send(http_post("/printers/demo", ipp_request(IPP_OP_PRINT_JOB, 6) + make_document(1024 * 1024)));
  std::optional<HttpReply> reply = client.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->header("connection"), "close");
  IppMessage response = decode_reply(*reply);
  EXPECT_EQ(response.status(), IPP_STATUS_ERROR_REQUEST_ENTITY);
  EXPECT_EQ(response.request_id(), 6);
  EXPECT_TRUE(client.wait_closed());
  std::shared_ptr<SinkRecord> sink = harness.service().sink(0);
  ASSERT_TRUE(sink->wait_until([](SinkRecord& r) { return r.destroyed; }));
  EXPECT_FALSE(sink->finished);
}

TEST(HttpServer, DrainsTheBodyOfARequestAnsweredWithoutASink) {
  ServerHarness harness(test_limits());
  RawClient client = harness.connect();
  // Get-Jobs with bytes after the attributes: answered, the rest read and dropped.
  client.send(http_post("/jobs", ipp_request(IPP_OP_GET_JOBS, 1) + make_document(300 * 1024)));
  client.send(http_post("/jobs", ipp_request(IPP_OP_GET_JOBS, 2)));
  for (int id : {1, 2}) {
    std::optional<HttpReply> reply = client.read_reply();
    ASSERT_TRUE(reply);
    EXPECT_EQ(decode_reply(*reply).request_id(), id);
  }
}

TEST(HttpServer, ServesManyConnectionsAtOnce) {
  ServerHarness harness(test_limits());
  constexpr int kClients = 24;
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      RawClient client = harness.connect();
      const std::string document = make_document(64 * 1024 + 997 * i);  // each job its own size
      client.send(http_post("/printers/demo", ipp_request(IPP_OP_PRINT_JOB, i + 1) + document));
      client.send(http_post("/", ipp_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 1000 + i)));
      std::optional<HttpReply> job = client.read_reply();
      std::optional<HttpReply> attributes = client.read_reply();
      if (job && attributes && decode_reply(*job).request_id() == i + 1 &&
          decode_reply(*attributes).request_id() == 1000 + i)
        ++answered;
    });
  }
  for (auto& thread : clients) thread.join();
  EXPECT_EQ(answered, kClients);
  std::set<std::size_t> sizes;
  for (int i = 0; i < kClients; ++i) {
    std::shared_ptr<SinkRecord> sink = harness.service().sink(i);
    ASSERT_TRUE(sink->wait_until([](SinkRecord& r) { return r.destroyed; }));
    EXPECT_TRUE(sink->finished);
    EXPECT_TRUE(sink->bytes == make_document(sink->bytes.size())) << "job " << i << " corrupted";
    sizes.insert(sink->bytes.size());
  }
  EXPECT_EQ(sizes.size(), std::size_t{kClients});
}

TEST(HttpServer, WritesOneAccessLogLinePerRequest) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("quire-access-" + std::to_string(::getpid()));
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  log::open(dir, "info", false);
  log::set_access_level("all");  // the default, "actions", leaves both requests out
  {
    ServerHarness harness(test_limits());
    RawClient client = harness.connect();
    const std::string body = ipp_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 1);
    client.send(http_post("/printers/demo", body));
    ASSERT_TRUE(client.read_reply());
    client.send("DELETE /jobs/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(client.read_reply());
    ASSERT_TRUE(client.wait_closed());  // the server logs a request before it closes
    log::flush();
    std::ifstream in(dir / "access_log");
    std::string first, second;
    std::getline(in, first);
    std::getline(in, second);
    EXPECT_TRUE(first.starts_with("127.0.0.1 - - [")) << first;
    EXPECT_TRUE(first.ends_with("\"POST /printers/demo HTTP/1.1\" 200 " + std::to_string(body.size()) +
                                " Get-Printer-Attributes successful-ok"))
        << first;
    EXPECT_TRUE(second.find("\"DELETE /jobs/1 HTTP/1.1\" 405 ") != std::string::npos) << second;
  }
  log::set_access_level("actions");
  spdlog::set_default_logger(previous);
  std::filesystem::remove_all(dir);
}

// AccessLogLevel as cupsd applies it (scheduler/log.c): what each level keeps.
TEST(AccessLogLevel, KeepsWhatCupsKeepsAtEachLevel) {
  struct Request {
    const char* method;
    const char* resource;
    int operation;
    int status;
  };
  const Request gpa{"POST", "/printers/demo", IPP_OP_GET_PRINTER_ATTRIBUTES, IPP_STATUS_OK};
  const Request print{"POST", "/printers/demo", IPP_OP_PRINT_JOB, IPP_STATUS_OK};
  const Request add_printer{"POST", "/admin/", IPP_OP_CUPS_ADD_MODIFY_PRINTER, IPP_STATUS_OK};
  const Request missing{"POST", "/printers/x", IPP_OP_GET_PRINTER_ATTRIBUTES, IPP_STATUS_ERROR_NOT_FOUND};
  const Request refused{"POST", "/printers/demo", IPP_OP_GET_JOBS, IPP_STATUS_ERROR_FORBIDDEN};
  const Request close_job{"POST", "/printers/demo", IPP_OP_CLOSE_JOB, IPP_STATUS_OK};  // in neither table
  const Request page{"GET", "/printers/demo", 0, -1};
  const Request conf{"GET", "/admin/conf/cupsd.conf", 0, -1};
  const Request form{"POST", "/admin/", 0, -1};
  const Request head{"HEAD", "/", 0, -1};
  auto logged = [](const Request& r) { return log::access_logged(r.method, r.resource, r.operation, r.status); };
  struct Expected {
    const char* level;
    bool gpa, print, add_printer, missing, refused, close_job, page, conf, form, head;
  };
  for (const Expected& e : {Expected{"none", false, false, false, false, false, false, false, false, false, false},
                            Expected{"config", false, false, true, false, true, true, false, true, true, false},
                            Expected{"actions", false, true, true, false, true, true, false, true, true, false},
                            Expected{"all", true, true, true, true, true, true, true, true, true, true}}) {
    log::set_access_level(e.level);
    SCOPED_TRACE(e.level);
    EXPECT_EQ(logged(gpa), e.gpa);
    EXPECT_EQ(logged(print), e.print);
    EXPECT_EQ(logged(add_printer), e.add_printer);
    EXPECT_EQ(logged(missing), e.missing);
    EXPECT_EQ(logged(refused), e.refused);
    EXPECT_EQ(logged(close_job), e.close_job);
    EXPECT_EQ(logged(page), e.page);
    EXPECT_EQ(logged(conf), e.conf);
    EXPECT_EQ(logged(form), e.form);
    EXPECT_EQ(logged(head), e.head);
  }
  log::set_access_level("actions");
}

TEST(HttpServer, WorksWithLibcupsAsClient) {
  ServerHarness harness(test_limits());
  http_t* http = httpConnect2("127.0.0.1", harness.port(), nullptr, AF_INET, HTTP_ENCRYPTION_NEVER, 1, 10000, nullptr);
  ASSERT_NE(http, nullptr);

  ipp_t* request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, "ipp://localhost/printers/demo");
  ipp_t* response = cupsDoRequest(http, request, "/printers/demo");
  ASSERT_NE(response, nullptr) << cupsLastErrorString();
  EXPECT_EQ(ippGetStatusCode(response), IPP_STATUS_OK);
  ippDelete(response);

  // Print-Job with a chunked body written piece by piece, as lp does.
  const std::string document = make_document(1024 * 1024);
  request = ippNewRequest(IPP_OP_PRINT_JOB);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, "ipp://localhost/printers/demo");
  ASSERT_EQ(cupsSendRequest(http, request, "/printers/demo", CUPS_LENGTH_VARIABLE), HTTP_STATUS_CONTINUE);
  for (std::size_t at = 0; at < document.size(); at += 8192)
    ASSERT_EQ(cupsWriteRequestData(http, document.data() + at, 8192), HTTP_STATUS_CONTINUE);
  response = cupsGetResponse(http, "/printers/demo");
  ippDelete(request);
  ASSERT_NE(response, nullptr) << cupsLastErrorString();
  EXPECT_EQ(ippGetStatusCode(response), IPP_STATUS_OK);
  ippDelete(response);
  httpClose(http);
  EXPECT_EQ(harness.service().sink(0)->bytes, document);
}

}  // namespace
}  // namespace quire::testing
