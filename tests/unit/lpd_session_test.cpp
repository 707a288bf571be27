// The LPD session against a fake IppService: which IPP requests each LPD exchange
// becomes, what the client hears, and that nothing is submitted unless the job
// arrived whole (disconnects, stalls, refusals).
#include "lpd_test_support.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace quire::lpd_test {
namespace {

using namespace std::chrono_literals;

constexpr int kOk = 0;
constexpr int kQueueRefuses = 1;
constexpr int kRejected = 3;

std::string op_string(const IppMessage& m, const char* name) {
  return m.find_string(name, IPP_TAG_ZERO).value_or("<none>");
}

TEST(LpdReceiveJob, ControlFileFirstStreamsTheDataStraightIntoAPrintJob) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  const std::string data = make_data(300 * 1024);
  const std::string control = control_text("alice", {"Jreport", "odfA001client", "odfA001client", "Nreport.ps"});
  EXPECT_EQ(client.transfer_control_file("cfA001client", control), std::pair(kOk, kOk));
  EXPECT_EQ(client.transfer_data_file("dfA001client", data), std::pair(kOk, kOk));
  client.close();

  ASSERT_TRUE(harness.service().wait_for_uploads_settled(1));
  auto uploads = harness.service().uploads();
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0]->operation, "Print-Job");
  EXPECT_TRUE(uploads[0]->finished);
  EXPECT_EQ(uploads[0]->bytes, data);
  EXPECT_LE(uploads[0]->largest_write, 64u * 1024);  // streamed, never whole
  auto print = harness.service().requests(IPP_OP_PRINT_JOB);
  ASSERT_EQ(print.size(), 1u);
  EXPECT_EQ(op_string(print[0], "requesting-user-name"), "alice");
  EXPECT_EQ(op_string(print[0], "job-name"), "report");
  EXPECT_EQ(op_string(print[0], "document-name"), "report.ps");
  EXPECT_EQ(op_string(print[0], "document-format"), "application/postscript");
  EXPECT_EQ(print[0].find_integer("copies", IPP_TAG_JOB), 2);
  const auto clients = harness.service().clients();
  EXPECT_EQ(clients.back().originating_host, "client.example");
  EXPECT_EQ(clients.back().address, "127.0.0.1");
}

TEST(LpdReceiveJob, DataFileFirstIsStagedAndSubmittedWhenTheControlFileComes) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  const std::string data = make_data(200 * 1024);
  EXPECT_EQ(client.transfer_data_file("dfA002client", data), std::pair(kOk, kOk));
  EXPECT_TRUE(harness.service().requests(IPP_OP_PRINT_JOB).empty());  // nothing before the control file
  EXPECT_EQ(client.transfer_control_file("cfA002client", control_text("bob", {"fdfA002client"})),
            std::pair(kOk, kOk));
  ASSERT_TRUE(harness.service().wait_for_uploads_settled(1));
  auto uploads = harness.service().uploads();
  EXPECT_TRUE(uploads[0]->finished);
  EXPECT_EQ(uploads[0]->bytes, data);
  auto print = harness.service().requests(IPP_OP_PRINT_JOB);
  ASSERT_EQ(print.size(), 1u);
  EXPECT_EQ(op_string(print[0], "document-format"), "text/plain");
  EXPECT_EQ(op_string(print[0], "job-name"), "dfA002client");
}

TEST(LpdReceiveJob, SeveralDataFilesBecomeCreateJobAndOneSendDocumentEach) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  const std::string control =
      control_text("carol", {"JTwo files", "fdfA003client", "NA.txt", "odfA003client2", "NB.ps"});
  EXPECT_EQ(client.transfer_control_file("cfA003client", control), std::pair(kOk, kOk));
  EXPECT_EQ(client.transfer_data_file("dfA003client", "first\n"), std::pair(kOk, kOk));
  EXPECT_TRUE(harness.service().requests(IPP_OP_CREATE_JOB).empty());  // not before the last file
  EXPECT_EQ(client.transfer_data_file("dfA003client2", "%!PS second\n"), std::pair(kOk, kOk));

  auto create = harness.service().requests(IPP_OP_CREATE_JOB);
  ASSERT_EQ(create.size(), 1u);
  EXPECT_EQ(op_string(create[0], "job-name"), "Two files");
  auto send = harness.service().requests(IPP_OP_SEND_DOCUMENT);
  ASSERT_EQ(send.size(), 2u);
  EXPECT_EQ(send[0].find_integer("job-id", IPP_TAG_OPERATION), 100);
  EXPECT_EQ(op_string(send[0], "document-name"), "A.txt");
  EXPECT_EQ(op_string(send[0], "document-format"), "text/plain");
  EXPECT_EQ(send[0].find_boolean("last-document", IPP_TAG_OPERATION), false);
  EXPECT_EQ(op_string(send[1], "document-name"), "B.ps");
  EXPECT_EQ(op_string(send[1], "document-format"), "application/postscript");
  EXPECT_EQ(send[1].find_boolean("last-document", IPP_TAG_OPERATION), true);
  auto uploads = harness.service().uploads();
  ASSERT_EQ(uploads.size(), 2u);
  EXPECT_EQ(uploads[0]->bytes, "first\n");
  EXPECT_EQ(uploads[1]->bytes, "%!PS second\n");
}

TEST(LpdReceiveJob, TwoJobsOnOneConnectionAreTwoPrintJobs) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_control_file("cfA010client", control_text("dan", {"ldfA010client"})), std::pair(kOk, kOk));
  EXPECT_EQ(client.transfer_data_file("dfA010client", "one"), std::pair(kOk, kOk));
  EXPECT_EQ(client.transfer_control_file("cfB010client", control_text("dan", {"ldfB010client"})), std::pair(kOk, kOk));
  EXPECT_EQ(client.transfer_data_file("dfB010client", "two"), std::pair(kOk, kOk));
  ASSERT_TRUE(harness.service().wait_for_uploads_settled(2));
  auto uploads = harness.service().uploads();
  EXPECT_EQ(uploads[0]->bytes, "one");
  EXPECT_EQ(uploads[1]->bytes, "two");
}

TEST(LpdReceiveJob, AbortDiscardsWhatCameBefore) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_data_file("dfA011client", "stale"), std::pair(kOk, kOk));
  client.send("\1\n");  // no ack for an abort, as BSD lpd
  EXPECT_EQ(client.transfer_control_file("cfA011client", control_text("eve", {"fdfA011client"})), std::pair(kOk, kOk));
  EXPECT_EQ(client.transfer_data_file("dfA011client", "fresh"), std::pair(kOk, kOk));
  ASSERT_TRUE(harness.service().wait_for_uploads_settled(1));
  EXPECT_EQ(harness.service().uploads().size(), 1u);
  EXPECT_EQ(harness.service().uploads()[0]->bytes, "fresh");
}

TEST(LpdReceiveJob, ClientGoneInTheMiddleOfTheDataLeavesNoJob) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_control_file("cfA004client", control_text("frank", {"fdfA004client"})), std::pair(kOk, kOk));
  client.announce_data_file("dfA004client", 100000);
  ASSERT_EQ(client.read_ack(), kOk);
  client.send(make_data(50000));
  client.close();
  ASSERT_TRUE(harness.service().wait_for_uploads_settled(1));
  EXPECT_TRUE(harness.service().uploads()[0]->destroyed);
  EXPECT_FALSE(harness.service().uploads()[0]->finished);
}

TEST(LpdReceiveJob, ClientGoneAfterTheControlFileOfSeveralLeavesNoJob) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_control_file("cfA005client", control_text("gina", {"fdfA005a", "fdfA005b"})),
            std::pair(kOk, kOk));
  EXPECT_EQ(client.transfer_data_file("dfA005a", "first half"), std::pair(kOk, kOk));
  client.close();
  harness.stop_and_join();  // every session has ended: whatever it would submit, it has
  EXPECT_TRUE(harness.service().requests(IPP_OP_CREATE_JOB).empty());
  EXPECT_TRUE(harness.service().uploads().empty());
}

TEST(LpdReceiveJob, StallInTheMiddleOfAFileIsRefusedAfterTheTimeout) {
  LpdLimits limits;
  limits.timeout = 300ms;
  LpdHarness harness(limits);
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_control_file("cfA006client", control_text("hal", {"fdfA006client"})), std::pair(kOk, kOk));
  client.announce_data_file("dfA006client", 100);
  ASSERT_EQ(client.read_ack(), kOk);
  client.send_file(std::string(50, 'x'));  // fewer bytes than announced: the client waits for an ack
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(client.read_ack(), kRejected);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  ASSERT_TRUE(harness.service().wait_for_uploads_settled(1));
  EXPECT_FALSE(harness.service().uploads()[0]->finished);
}

TEST(LpdReceiveJob, MoreBytesThanTheCountAreRefused) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_control_file("cfA007client", control_text("ian", {"fdfA007client"})), std::pair(kOk, kOk));
  client.announce_data_file("dfA007client", 5);
  ASSERT_EQ(client.read_ack(), kOk);
  client.send_file("0123456789");
  EXPECT_EQ(client.read_ack(), kRejected);
  ASSERT_TRUE(harness.service().wait_for_uploads_settled(1));
  EXPECT_FALSE(harness.service().uploads()[0]->finished);
}

TEST(LpdReceiveJob, UnknownQueueIsRefusedBeforeAnyFile) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2nosuch\n");
  EXPECT_EQ(client.read_ack(), kQueueRefuses);
  EXPECT_TRUE(client.wait_closed());
}

TEST(LpdReceiveJob, QueueNotAcceptingIsRefusedBeforeAnyFile) {
  LpdHarness harness;
  harness.service().set_accepting(false);
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  EXPECT_EQ(client.read_ack(), kQueueRefuses);
}

TEST(LpdReceiveJob, MalformedControlFileIsRefusedAndNothingIsAsked) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_control_file("cfA008client", "Hclient\nfdfA008client\n"), std::pair(kOk, kRejected));
  EXPECT_TRUE(client.wait_closed());
  EXPECT_TRUE(harness.service().requests(IPP_OP_PRINT_JOB).empty());
}

TEST(LpdReceiveJob, FileNameWithASlashIsRefusedBeforeItsData) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  client.announce_data_file("../etc/passwd", 10);
  EXPECT_EQ(client.read_ack(), kRejected);
}

TEST(LpdReceiveJob, ControlFileAfterDataFilesMustFindThemAll) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_data_file("dfA009client", "here"), std::pair(kOk, kOk));
  EXPECT_EQ(client.transfer_control_file("cfA009client", control_text("jo", {"fdfA009client", "fdfB009client"})),
            std::pair(kOk, kRejected));
  EXPECT_TRUE(harness.service().requests(IPP_OP_PRINT_JOB).empty());
  EXPECT_TRUE(harness.service().requests(IPP_OP_CREATE_JOB).empty());
}

TEST(LpdReceiveJob, DataFileTheControlFileDoesNotNameIsRefused) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_control_file("cfA012client", control_text("kim", {"fdfA012client"})), std::pair(kOk, kOk));
  client.announce_data_file("dfZ999client", 3);
  EXPECT_EQ(client.read_ack(), kRejected);
}

TEST(LpdReceiveJob, JobOverTheSizeLimitIsRefusedBeforeItsData) {
  LpdLimits limits;
  limits.max_job_bytes = 1000;
  LpdHarness harness(limits);
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_data_file("dfA013a", std::string(600, 'a')), std::pair(kOk, kOk));
  client.announce_data_file("dfA013b", 600);  // 1200 bytes in all
  EXPECT_EQ(client.read_ack(), kRejected);
}

TEST(LpdReceiveJob, SinkThatRefusesAPieceEndsTheJob) {
  LpdHarness harness;
  harness.service().fail_writes_after(1000);
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_control_file("cfA014client", control_text("lee", {"fdfA014client"})), std::pair(kOk, kOk));
  client.announce_data_file("dfA014client", 5000);
  ASSERT_EQ(client.read_ack(), kOk);
  client.send_file(std::string(5000, 'z'));
  EXPECT_EQ(client.read_ack(), kRejected);  // request-entity-too-large
  ASSERT_TRUE(harness.service().wait_for_uploads_settled(1));
  EXPECT_FALSE(harness.service().uploads()[0]->finished);
}

TEST(LpdReceiveJob, ADocumentRefusedAfterCreateJobCancelsTheJob) {
  LpdHarness harness;
  harness.service().fail_writes_after(10);
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_data_file("dfA016a", "short"), std::pair(kOk, kOk));
  EXPECT_EQ(client.transfer_data_file("dfA016b", "much longer than ten bytes"), std::pair(kOk, kOk));
  const std::string control = control_text("nora", {"fdfA016a", "fdfA016b"});
  EXPECT_EQ(client.transfer_control_file("cfA016client", control), std::pair(kOk, kRejected));
  auto cancels = harness.service().requests(IPP_OP_CANCEL_JOB);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].find_integer("job-id", IPP_TAG_OPERATION), 100);
  EXPECT_EQ(op_string(cancels[0], "requesting-user-name"), "nora");
}

TEST(LpdReceiveJob, BadSubcommandByteIsRefused) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  client.send("\11junk\n");
  EXPECT_EQ(client.read_ack(), kRejected);
}

TEST(LpdCommand, UnknownCommandByteIsRefused) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\7demo\n");
  EXPECT_EQ(client.read_ack(), kRejected);
  EXPECT_TRUE(client.wait_closed());
}

TEST(LpdCommand, PrintWaitingJobsAnswersWithAnAck) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\1demo\n");
  EXPECT_EQ(client.read_ack(), kOk);
  LpdClient other = harness.connect();
  other.send("\1nosuch\n");
  EXPECT_EQ(other.read_ack(), kQueueRefuses);
}

TEST(LpdCommand, QueueStateListsTheJobsGetJobsReturns) {
  LpdHarness harness;
  harness.service().set_jobs({{7, "alice", "report.ps", IPP_JSTATE_PROCESSING, 20}, {8, "bob", "notes", IPP_JSTATE_PENDING, 1}});
  LpdClient client = harness.connect();
  client.send("\3demo\n");
  const std::string text = client.read_all();
  EXPECT_EQ(text,
            "demo is ready\n"
            "Rank   Owner      Job  Files                                 Total Size\n"
            "active alice      7    report.ps                             20480 bytes\n"
            "1st    bob        8    notes                                 1024 bytes\n");
  LpdClient only_bob = harness.connect();
  only_bob.send("\4demo bob\n");
  EXPECT_EQ(only_bob.read_all(),
            "demo is ready\n"
            "\n"
            "bob: 1st                                 [job 008client.example]\n"
            "\tnotes                            1024 bytes\n");
}

TEST(LpdCommand, QueueStateOfAnUnknownQueueSaysSo) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\3nosuch\n");
  EXPECT_EQ(client.read_all(), "nosuch: unknown printer\n");
}

TEST(LpdCommand, RemoveJobsCancelsEachNamedJobAsTheAgent) {
  LpdHarness harness;
  harness.service().set_jobs({{7, "alice", "a", IPP_JSTATE_PENDING, 1},
                              {8, "bob", "b", IPP_JSTATE_PENDING, 1},
                              {9, "bob", "c", IPP_JSTATE_PENDING, 1}});
  LpdClient client = harness.connect();
  client.send("\5demo alice 7 bob\n");
  EXPECT_EQ(client.read_all(),
            "demo-7 dequeued\n"
            "demo-8: client-error-forbidden\n"
            "demo-9: client-error-forbidden\n");
  auto cancels = harness.service().requests(IPP_OP_CANCEL_JOB);
  ASSERT_EQ(cancels.size(), 3u);
  for (const auto& cancel : cancels) EXPECT_EQ(op_string(cancel, "requesting-user-name"), "alice");
}

TEST(LpdServer, ConnectionsOverTheLimitAreClosedAtOnce) {
  LpdLimits limits;
  limits.max_connections = 2;
  LpdHarness harness(limits);
  LpdClient first = harness.connect();
  LpdClient second = harness.connect();
  first.send("\2demo\n");
  ASSERT_EQ(first.read_ack(), kOk);  // both are admitted and served
  second.send("\2demo\n");
  ASSERT_EQ(second.read_ack(), kOk);
  LpdClient third = harness.connect();
  EXPECT_TRUE(third.wait_closed(5s));
  first.close();
  second.close();
  // Once they are gone, a new one is served again.
  for (int attempt = 0; attempt < 50; ++attempt) {
    LpdClient again = harness.connect();
    again.send("\1demo\n");
    if (again.read_ack() == kOk) return;
    std::this_thread::sleep_for(50ms);
  }
  ADD_FAILURE() << "no connection was admitted after the first two closed";
}

TEST(LpdServer, StopEndsConnectionsWaitingForTheirClient) {
  LpdHarness harness;
  LpdClient client = harness.connect();
  client.send("\2demo\n");
  ASSERT_EQ(client.read_ack(), kOk);
  EXPECT_EQ(client.transfer_control_file("cfA015client", control_text("max", {"fdfA015client"})), std::pair(kOk, kOk));
  harness.stop_and_join();  // returns only once every session has ended
  EXPECT_TRUE(client.wait_closed(1s));
  EXPECT_TRUE(harness.service().uploads().empty());
}

}  // namespace
}  // namespace quire::lpd_test
