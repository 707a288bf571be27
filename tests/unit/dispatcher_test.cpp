// IppDispatcher: the checks every request gets, and the status each failure earns.
#include "scheduler_test_support.hpp"

namespace quire {
namespace {

class Dispatcher : public testing::SchedulerFixture {
 protected:
  void SetUp() override {
    SchedulerFixture::SetUp();
    start({printer("office", "record://x", /*enabled=*/false)});
  }
};

TEST_F(Dispatcher, UnsupportedVersion) {
  IppMessage rq = request(IPP_OP_GET_PRINTER_ATTRIBUTES);
  rq.set_version(3, 0);
  EXPECT_EQ(send(std::move(rq)).status(), IPP_STATUS_ERROR_VERSION_NOT_SUPPORTED);
}

TEST_F(Dispatcher, RequestIdZeroIsBadRequest) {
  IppMessage rq = request(IPP_OP_GET_PRINTER_ATTRIBUTES);
  rq.set_request_id(0);
  EXPECT_EQ(send(std::move(rq)).status(), IPP_STATUS_ERROR_BAD_REQUEST);
}

TEST_F(Dispatcher, MissingCharsetIsBadRequest) {
  IppMessage rq = IppMessage::make_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 1);
  rq.add_string(IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "attributes-natural-language", "en");
  rq.add_string(IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", "ipp://localhost/printers/office");
  EXPECT_EQ(send(std::move(rq)).status(), IPP_STATUS_ERROR_BAD_REQUEST);
}

TEST_F(Dispatcher, MissingPrinterUriIsBadRequest) {
  IppMessage rq = IppMessage::make_request(IPP_OP_GET_PRINTER_ATTRIBUTES, 1);
  rq.add_standard_operation_attributes();
  EXPECT_EQ(send(std::move(rq)).status(), IPP_STATUS_ERROR_BAD_REQUEST);
}

TEST_F(Dispatcher, UnknownPrinterIsNotFound) {
  EXPECT_EQ(send(request(IPP_OP_GET_PRINTER_ATTRIBUTES, "nosuch")).status(), IPP_STATUS_ERROR_NOT_FOUND);
}

TEST_F(Dispatcher, UnknownJobIsNotFound) {
  IppMessage rq = request(IPP_OP_GET_JOB_ATTRIBUTES);
  rq.add_integer(IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", 999);
  EXPECT_EQ(send(std::move(rq)).status(), IPP_STATUS_ERROR_NOT_FOUND);
}

TEST_F(Dispatcher, WrongValueTagIsBadRequest) {
  IppMessage rq = request(IPP_OP_GET_JOB_ATTRIBUTES);
  rq.add_string(IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "job-id", "12");
  EXPECT_EQ(send(std::move(rq)).status(), IPP_STATUS_ERROR_BAD_REQUEST);
}

TEST_F(Dispatcher, UnsupportedOperation) {
  EXPECT_EQ(send(request(static_cast<ipp_op_t>(0x3FF0))).status(), IPP_STATUS_ERROR_OPERATION_NOT_SUPPORTED);
}

TEST_F(Dispatcher, UnsupportedDocumentFormatIsEchoedInUnsupportedGroup) {
  IppMessage rq = request(IPP_OP_PRINT_JOB);
  rq.add_string(IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", "application/x-unknown");
  IppMessage response = send(std::move(rq), "x");
  EXPECT_EQ(response.status(), IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED);
  EXPECT_TRUE(response.find("document-format", IPP_TAG_UNSUPPORTED_GROUP));
}

TEST_F(Dispatcher, NotAcceptingPrinterRefusesJobs) {
  on_strand([&] { scheduler_->find_printer("office")->config.accepting = false; });
  EXPECT_EQ(send(request(IPP_OP_PRINT_JOB), "x").status(), IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS);
}

TEST_F(Dispatcher, OtherUsersMayNotCancelAJob) {
  int id = send(request(IPP_OP_PRINT_JOB), "x").find_integer("job-id").value_or(0);
  ASSERT_GT(id, 0);
  IppMessage cancel = IppMessage::make_request(IPP_OP_CANCEL_JOB, 2);
  cancel.add_standard_operation_attributes();
  cancel.add_string(IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", "ipp://localhost/jobs/" + std::to_string(id));
  cancel.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", "mallory");
  // Unauthenticated: not-authorized (HTTP front ends answer 401 so the client can prove who it is).
  EXPECT_EQ(send(cancel.clone()).status(), IPP_STATUS_ERROR_NOT_AUTHORIZED);
  ipp_attribute_t* user = cancel.find("requesting-user-name");
  ippSetString(cancel.get(), &user, 0, "alice");
  EXPECT_EQ(send(std::move(cancel)).status(), IPP_STATUS_OK);
  EXPECT_EQ(on_strand([&] { return scheduler_->find_job(id)->state(); }), IPP_JSTATE_CANCELED);
}

TEST_F(Dispatcher, GetJobsHonoursWhichJobsAndLimit) {
  for (int i = 0; i < 3; ++i) send(request(IPP_OP_PRINT_JOB), "x");
  IppMessage rq = request(IPP_OP_GET_JOBS);
  rq.add_integer(IPP_TAG_OPERATION, IPP_TAG_INTEGER, "limit", 2);
  IppMessage response = send(std::move(rq));
  int jobs = 0;
  for (ipp_attribute_t* a = ippFirstAttribute(response.get()); a; a = ippNextAttribute(response.get()))
    if (attribute_name(a) == "job-id") ++jobs;
  EXPECT_EQ(jobs, 2);
  IppMessage completed = request(IPP_OP_GET_JOBS);
  completed.add_string(IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", "completed");
  EXPECT_FALSE(send(std::move(completed)).find("job-id"));
  IppMessage bad = request(IPP_OP_GET_JOBS);
  bad.add_string(IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", "sideways");
  EXPECT_EQ(send(std::move(bad)).status(), IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES);
}

TEST_F(Dispatcher, CreateJobThenSendDocumentCompletesTheJob) {
  IppMessage response = send(request(IPP_OP_CREATE_JOB));
  int id = response.find_integer("job-id").value_or(0);
  ASSERT_GT(id, 0);
  IppMessage doc = request(IPP_OP_SEND_DOCUMENT);
  doc.add_integer(IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", id);
  EXPECT_EQ(send(doc.clone(), "x").status(), IPP_STATUS_ERROR_BAD_REQUEST);  // no last-document
  doc.add_boolean(IPP_TAG_OPERATION, "last-document", true);
  EXPECT_EQ(send(doc.clone(), "page\n").status(), IPP_STATUS_OK);
  EXPECT_EQ(send(std::move(doc), "more").status(), IPP_STATUS_ERROR_NOT_POSSIBLE);  // closed
  EXPECT_EQ(on_strand([&] { return scheduler_->find_job(id)->record.documents.size(); }), 1u);
}

}  // namespace
}  // namespace quire
