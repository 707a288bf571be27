// The LPD→IPP translator: the requests each LPD command becomes, the document plan
// (copies from repeated lines), format letters, and reading answers back.
#include "lpd/lpd_translator.hpp"

#include <gtest/gtest.h>

namespace quire::lpd {
namespace {

QueueInfo demo_queue(std::vector<std::string> formats = {"application/octet-stream", "application/postscript",
                                                         "text/plain", "application/x-dvi"}) {
  QueueInfo queue;
  queue.name = "demo";
  queue.document_formats = std::move(formats);
  return queue;
}

ControlFile parsed(std::string_view text) {
  auto control = parse_control_file(text);
  if (!control) throw std::runtime_error(control.error().detail);
  return *control;
}

std::string string_of(const IppMessage& m, const char* name, ipp_tag_t group = IPP_TAG_ZERO) {
  return m.find_string(name, group).value_or("<none>");
}

// RFC 8011 §4.1.4: attributes-charset, then attributes-natural-language, first of all.
void expect_standard_start(const IppMessage& request) {
  ipp_attribute_t* first = ippFirstAttribute(request.get());
  ipp_attribute_t* second = ippNextAttribute(request.get());
  ASSERT_TRUE(first && second);
  EXPECT_EQ(attribute_name(first), "attributes-charset");
  EXPECT_STREQ(ippGetString(first, 0, nullptr), "utf-8");
  EXPECT_EQ(attribute_name(second), "attributes-natural-language");
  int charsets = 0;
  for (ipp_attribute_t* a = ippFirstAttribute(request.get()); a; a = ippNextAttribute(request.get()))
    charsets += attribute_name(a) == "attributes-charset";
  EXPECT_EQ(charsets, 1);
}

TEST(LpdRequests, EveryRequestStartsWithCharsetAndLanguage) {
  ControlFile control = parsed("Hh\nPu\nfdfA\nfdfB\n");
  JobPlan plan = plan_job(control);
  expect_standard_start(make_print_job(demo_queue(), control, plan));
  expect_standard_start(make_create_job(demo_queue(), control, plan));
  expect_standard_start(make_send_document(demo_queue(), control, 1, plan.documents[0], false));
  expect_standard_start(make_get_printer_attributes("demo"));
  expect_standard_start(make_get_jobs("demo"));
  expect_standard_start(make_cancel_job("demo", 1, "u"));
}

TEST(LpdFormats, EachLetterHasAnIppDocumentFormat) {
  const QueueInfo everything = demo_queue({"application/vnd.cups-raw", "application/postscript", "text/plain",
                                           "application/x-dvi", "image/x-sun-raster"});
  EXPECT_EQ(document_format_for('l', everything), "application/vnd.cups-raw");
  EXPECT_EQ(document_format_for('o', everything), "application/postscript");
  EXPECT_EQ(document_format_for('f', everything), "text/plain");
  EXPECT_EQ(document_format_for('p', everything), "text/plain");
  EXPECT_EQ(document_format_for('r', everything), "text/plain");
  EXPECT_EQ(document_format_for('d', everything), "application/x-dvi");
  EXPECT_EQ(document_format_for('v', everything), "image/x-sun-raster");
  for (char letter : std::string("cgnt")) EXPECT_EQ(format_mapping(letter).document_format, "application/octet-stream");
  EXPECT_TRUE(format_mapping('p').prettyprint);
  EXPECT_FALSE(format_mapping('f').prettyprint);
}

TEST(LpdFormats, UnsupportedTypeFallsBackToAutoTypingWhenTheQueueHasIt) {
  EXPECT_EQ(document_format_for('l', demo_queue()), "application/octet-stream");
  EXPECT_EQ(document_format_for('l', demo_queue({"text/plain"})), "application/vnd.cups-raw");
}

TEST(LpdPlan, RepeatedLinesAreCopies) {
  JobPlan plan = plan_job(parsed("Hh\nPu\nfdfA\nfdfA\nfdfA\nNa.txt\n"));
  ASSERT_EQ(plan.documents.size(), 1u);
  EXPECT_EQ(plan.copies, 3);
  EXPECT_EQ(plan.documents[0].name, "a.txt");
}

TEST(LpdPlan, UniformRunsOfSeveralFilesAreDocumentsWithCopies) {
  JobPlan plan = plan_job(parsed("Hh\nPu\nfdfA\nfdfA\nodfB\nodfB\n"));
  ASSERT_EQ(plan.documents.size(), 2u);
  EXPECT_EQ(plan.copies, 2);
  EXPECT_EQ(plan.documents[1].format, 'o');
}

TEST(LpdPlan, IrregularRepeatsPrintEveryLineOnce) {
  JobPlan plan = plan_job(parsed("Hh\nPu\nfdfA\nfdfA\nfdfB\n"));
  ASSERT_EQ(plan.documents.size(), 3u);
  EXPECT_EQ(plan.copies, 1);
  JobPlan interleaved = plan_job(parsed("Hh\nPu\nfdfA\nfdfB\nfdfA\n"));
  EXPECT_EQ(interleaved.documents.size(), 3u);
  EXPECT_EQ(interleaved.copies, 1);
}

TEST(LpdRequests, PrintJobCarriesWhatTheControlFileSays) {
  ControlFile control = parsed("Hclient\nPalice\nJthe job\nLalice\nMalice\npdfA\npdfA\nNsource.txt\n");
  IppMessage request = make_print_job(demo_queue(), control, plan_job(control));
  EXPECT_EQ(request.operation(), IPP_OP_PRINT_JOB);
  EXPECT_EQ(string_of(request, "printer-uri", IPP_TAG_OPERATION), "ipp://localhost/printers/demo");
  EXPECT_EQ(string_of(request, "requesting-user-name", IPP_TAG_OPERATION), "alice");
  EXPECT_EQ(string_of(request, "job-name", IPP_TAG_OPERATION), "the job");
  EXPECT_EQ(string_of(request, "document-name", IPP_TAG_OPERATION), "source.txt");
  EXPECT_EQ(string_of(request, "document-format", IPP_TAG_OPERATION), "text/plain");
  EXPECT_EQ(request.find_integer("copies", IPP_TAG_JOB), 2);
  EXPECT_EQ(string_of(request, "job-sheets", IPP_TAG_JOB), "standard");
  EXPECT_EQ(request.find_boolean("prettyprint", IPP_TAG_JOB), true);
  EXPECT_EQ(string_of(request, "notify-recipient-uri", IPP_TAG_SUBSCRIPTION), "mailto:alice@client");
  // Every operation attribute comes before the other groups, as the dispatcher requires.
  bool left_operation = false;
  for (ipp_attribute_t* a = ippFirstAttribute(request.get()); a; a = ippNextAttribute(request.get())) {
    if (ippGetGroupTag(a) != IPP_TAG_OPERATION) left_operation = true;
    else EXPECT_FALSE(left_operation) << ippGetName(a);
  }
}

TEST(LpdRequests, JobNameFallsBackToTitleThenSourceName) {
  ControlFile titled = parsed("Hh\nPu\nTtitle\nfdfA\nNa.txt\n");
  EXPECT_EQ(string_of(make_print_job(demo_queue(), titled, plan_job(titled)), "job-name"), "title");
  ControlFile named = parsed("Hh\nPu\nfdfA\nNa.txt\n");
  EXPECT_EQ(string_of(make_print_job(demo_queue(), named, plan_job(named)), "job-name"), "a.txt");
  ControlFile bare = parsed("Hh\nPu\nfdfA\n");
  IppMessage request = make_print_job(demo_queue(), bare, plan_job(bare));
  EXPECT_EQ(string_of(request, "job-name"), "dfA");
  EXPECT_FALSE(request.find("document-name"));
  EXPECT_FALSE(request.find("copies"));
  EXPECT_FALSE(request.find("job-sheets"));
}

TEST(LpdRequests, LongNamesAreCutAtACharacterBoundary) {
  ControlFile control = parsed("Hh\nPu\nJ" + std::string(254, 'x') + "\xc3\xa9" + "\nfdfA\n");
  const std::string name = string_of(make_print_job(demo_queue(), control, plan_job(control)), "job-name");
  EXPECT_EQ(name, std::string(254, 'x'));
}

TEST(LpdRequests, SendDocumentNamesTheJobAndItsPlace) {
  ControlFile control = parsed("Hh\nPbob\nfdfA\nodfB\nNb.ps\n");
  JobPlan plan = plan_job(control);
  IppMessage create = make_create_job(demo_queue(), control, plan);
  EXPECT_EQ(create.operation(), IPP_OP_CREATE_JOB);
  EXPECT_FALSE(create.find("document-format"));
  IppMessage last = make_send_document(demo_queue(), control, 17, plan.documents[1], true);
  EXPECT_EQ(last.operation(), IPP_OP_SEND_DOCUMENT);
  EXPECT_EQ(last.find_integer("job-id", IPP_TAG_OPERATION), 17);
  EXPECT_EQ(string_of(last, "requesting-user-name"), "bob");
  EXPECT_EQ(string_of(last, "document-format"), "application/postscript");
  EXPECT_EQ(string_of(last, "document-name"), "b.ps");
  EXPECT_EQ(last.find_boolean("last-document", IPP_TAG_OPERATION), true);
}

TEST(LpdRequests, CancelJobIsTheAgents) {
  IppMessage cancel = make_cancel_job("demo", 9, "carol");
  EXPECT_EQ(cancel.operation(), IPP_OP_CANCEL_JOB);
  EXPECT_EQ(cancel.find_integer("job-id", IPP_TAG_OPERATION), 9);
  EXPECT_EQ(string_of(cancel, "requesting-user-name"), "carol");
}

TEST(LpdAnswers, QueueInfoFromGetPrinterAttributes) {
  IppMessage request = make_get_printer_attributes("demo");
  IppMessage response = IppMessage::make_response(request, IPP_STATUS_OK);
  response.add_string(IPP_TAG_PRINTER, IPP_TAG_NAME, "printer-name", "demo");
  response.add_integer(IPP_TAG_PRINTER, IPP_TAG_ENUM, "printer-state", IPP_PSTATE_STOPPED);
  response.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "printer-state-message", "out of paper");
  response.add_boolean(IPP_TAG_PRINTER, "printer-is-accepting-jobs", false);
  response.add_strings(IPP_TAG_PRINTER, IPP_TAG_MIMETYPE, "document-format-supported", {"text/plain"});
  auto queue = read_queue_info(response);
  ASSERT_TRUE(queue);
  EXPECT_EQ(queue->state, IPP_PSTATE_STOPPED);
  EXPECT_EQ(queue->state_message, "out of paper");
  EXPECT_FALSE(queue->accepting);
  EXPECT_EQ(queue->document_formats, std::vector<std::string>{"text/plain"});
  EXPECT_EQ(read_queue_info(IppMessage::make_response(request, IPP_STATUS_ERROR_NOT_FOUND)).error(),
            IPP_STATUS_ERROR_NOT_FOUND);
}

TEST(LpdAnswers, JobsFromGetJobsInOrder) {
  IppMessage response = IppMessage::make_response(make_get_jobs("demo"), IPP_STATUS_OK);
  response.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 3);
  response.add_string(IPP_TAG_JOB, IPP_TAG_NAME, "job-name", "first");
  response.add_string(IPP_TAG_JOB, IPP_TAG_NAME, "job-originating-user-name", "ann");
  response.add_integer(IPP_TAG_JOB, IPP_TAG_ENUM, "job-state", IPP_JSTATE_PROCESSING);
  response.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-k-octets", 2);
  response.add_separator();
  response.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", 4);
  response.add_string(IPP_TAG_JOB, IPP_TAG_NAME, "job-name", "second");
  response.add_string(IPP_TAG_JOB, IPP_TAG_NAME, "document-name", "doc.txt");
  response.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", 3);
  auto jobs = read_jobs(response);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].id, 3);
  EXPECT_EQ(jobs[0].user, "ann");
  EXPECT_EQ(jobs[0].name, "first");
  EXPECT_EQ(jobs[0].state, IPP_JSTATE_PROCESSING);
  EXPECT_EQ(jobs[0].bytes, 2048u);
  EXPECT_EQ(jobs[1].name, "doc.txt");
  EXPECT_EQ(jobs[1].copies, 3);
}

}  // namespace
}  // namespace quire::lpd
