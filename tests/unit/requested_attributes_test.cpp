// RequestedAttributes: group expansion, operation defaults, and the filtering copy.
#include "quire/printer_attributes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace quire {
namespace {

IppMessage request_with(std::vector<std::string> requested, ipp_tag_t tag = IPP_TAG_KEYWORD) {
  IppMessage r = IppMessage::make_request(IPP_OP_GET_PRINTER_ATTRIBUTES);
  r.add_standard_operation_attributes();
  r.add_string(IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", "ipp://localhost/printers/p");
  if (!requested.empty()) r.add_strings(IPP_TAG_OPERATION, tag, "requested-attributes", requested);
  return r;
}

PrinterDescription sample_printer() {
  PrinterDescription p;
  p.name = "p";
  p.document_formats = {"application/pdf", "image/pwg-raster"};
  return p;
}

std::vector<std::string> names_of(const IppMessage& m) {
  std::vector<std::string> out;
  for (ipp_attribute_t* a = ippFirstAttribute(m.get()); a; a = ippNextAttribute(m.get()))
    if (ippGetName(a)) out.emplace_back(ippGetName(a));
  return out;
}

TEST(RequestedAttributes, AbsentMeansTheOperationDefault) {
  auto all = RequestedAttributes::from_request(request_with({}), kDefaultRequestedAll);
  EXPECT_TRUE(all.wants_all());
  EXPECT_TRUE(all.wants("printer-name"));
  EXPECT_TRUE(all.wants("x-vendor-anything"));

  auto jobs = RequestedAttributes::from_request(request_with({}), kGetJobsDefaultRequested);
  EXPECT_FALSE(jobs.wants_all());
  EXPECT_TRUE(jobs.wants("job-id"));
  EXPECT_TRUE(jobs.wants("job-uri"));
  EXPECT_FALSE(jobs.wants("job-name"));
  EXPECT_FALSE(jobs.wants("job-state"));
}

TEST(RequestedAttributes, NonKeywordRequestedAttributesIsIgnoredLikeCups) {
  auto r = RequestedAttributes::from_request(request_with({"printer-name"}, IPP_TAG_NAME), kGetJobsDefaultRequested);
  EXPECT_TRUE(r.wants("job-id"));
  EXPECT_FALSE(r.wants("printer-name"));
}

TEST(RequestedAttributes, AllLeavesOutMediaColDatabaseUnlessNamed) {
  auto all = RequestedAttributes::from_request(request_with({"all"}), kGetJobsDefaultRequested);
  EXPECT_TRUE(all.wants("media-col-default"));
  EXPECT_FALSE(all.wants("media-col-database"));

  auto named = RequestedAttributes::from_request(request_with({"all", "media-col-database"}), kDefaultRequestedAll);
  EXPECT_TRUE(named.wants("media-col-database"));
  EXPECT_TRUE(named.wants("printer-state"));
}

TEST(RequestedAttributes, JobTemplateCoversBothTheJobAndThePrinterSide) {
  auto r = RequestedAttributes::from_list("job-template");
  for (const char* n : {"copies", "copies-default", "copies-supported", "media-ready", "media-col-default",
                        "media-size-supported", "media-source-supported", "sides", "printer-resolution-default",
                        "print-color-mode-supported", "job-hold-until-supported"})
    EXPECT_TRUE(r.wants(n)) << n;
  for (const char* n : {"printer-name", "printer-state", "job-state", "media-col-database", "copies-actual"})
    EXPECT_FALSE(r.wants(n)) << n;
}

TEST(RequestedAttributes, PrinterDescriptionIncludesTheDynamicAttributes) {
  auto r = RequestedAttributes::from_list("printer-description");
  for (const char* n : {"printer-name", "printer-uri-supported", "operations-supported", "printer-state",
                        "printer-state-reasons", "printer-is-accepting-jobs", "queued-job-count", "printer-up-time",
                        "printer-current-time", "printer-state-change-time", "printer-state-change-date-time",
                        "printer-state-message", "printer-config-change-time", "member-uris"})
    EXPECT_TRUE(r.wants(n)) << n;
  EXPECT_FALSE(r.wants("copies-default"));
  EXPECT_FALSE(r.wants("job-id"));
}

TEST(RequestedAttributes, JobDescriptionIncludesStatusAndActuals) {
  auto r = RequestedAttributes::from_list("job-description");
  for (const char* n : {"job-id", "job-uri", "job-name", "job-originating-user-name", "job-state",
                        "job-state-reasons", "time-at-creation", "job-printer-up-time", "copies-actual",
                        "job-k-octets"})
    EXPECT_TRUE(r.wants(n)) << n;
  EXPECT_FALSE(r.wants("copies"));
  EXPECT_FALSE(r.wants("printer-name"));
}

TEST(RequestedAttributes, JobStatusAndJobActualsAreNarrower) {
  auto status = RequestedAttributes::from_list("job-status");
  EXPECT_TRUE(status.wants("job-state"));
  EXPECT_TRUE(status.wants("date-time-at-completed"));
  EXPECT_TRUE(status.wants("job-impressions-completed"));
  EXPECT_FALSE(status.wants("job-name"));
  EXPECT_FALSE(status.wants("copies-actual"));

  auto actuals = RequestedAttributes::from_list("job-actuals");
  EXPECT_TRUE(actuals.wants("media-col-actual"));
  EXPECT_TRUE(actuals.wants("sides-actual"));
  EXPECT_FALSE(actuals.wants("media-col"));
  EXPECT_FALSE(actuals.wants("job-state"));
}

TEST(RequestedAttributes, NamesAndGroupsCombine) {
  auto r = RequestedAttributes::from_request(request_with({"job-status", "job-name", "no-such-attribute"}),
                                             kDefaultRequestedAll);
  EXPECT_TRUE(r.wants("job-state"));
  EXPECT_TRUE(r.wants("job-name"));
  EXPECT_TRUE(r.wants("no-such-attribute"));
  EXPECT_FALSE(r.wants("job-originating-user-name"));
  EXPECT_FALSE(r.wants_all());
}

TEST(RequestedAttributes, EveryBuiltPrinterAttributeBelongsToAPrinterGroup) {
  PrinterDescription p = sample_printer();
  IppMessage attrs = build_printer_attributes(p, "h");
  auto groups = RequestedAttributes::from_list("printer-description,job-template");
  for (const auto& name : names_of(attrs)) {
    if (name == "media-col-database") continue;  // explicit-only by design
    EXPECT_TRUE(groups.wants(name)) << name << " is in no requested-attributes group";
  }
}

TEST(CopyRequested, CopiesOnlyWhatWasAskedForIntoTheGivenGroup) {
  IppMessage attrs = build_printer_attributes(sample_printer(), "h:631");
  IppMessage response = IppMessage::make_response(request_with({}), IPP_STATUS_OK);
  auto r = RequestedAttributes::from_request(request_with({"printer-uri-supported"}), kDefaultRequestedAll);
  copy_requested(attrs, response, r, IPP_TAG_PRINTER);

  ipp_attribute_t* uri = response.find("printer-uri-supported", IPP_TAG_PRINTER);
  ASSERT_NE(uri, nullptr);
  EXPECT_STREQ(ippGetString(uri, 0, nullptr), "ipp://h:631/printers/p");
  EXPECT_EQ(response.find("printer-name"), nullptr);
  EXPECT_EQ(names_of(response).size(), 3u);  // charset, language, printer-uri-supported
}

TEST(CopyRequested, DefaultAllCopiesEverythingButMediaColDatabase) {
  IppMessage attrs = build_printer_attributes(sample_printer(), "h");
  IppMessage out;
  copy_requested(attrs, out, RequestedAttributes::from_list("all"), IPP_TAG_ZERO);
  auto source = names_of(attrs);
  auto copied = names_of(out);
  EXPECT_EQ(copied.size() + 1, source.size());
  EXPECT_EQ(out.find("media-col-database"), nullptr);
  EXPECT_NE(out.find("media-col-default", IPP_TAG_PRINTER), nullptr);
}

TEST(CopyRequested, CollectionsAreCopiedNotShared) {
  IppMessage out;
  {
    IppMessage attrs = build_printer_attributes(sample_printer(), "h");
    copy_requested(attrs, out, RequestedAttributes::from_list("media-col-default,media-col-database"),
                   IPP_TAG_PRINTER);
    ipp_t* original = ippGetCollection(attrs.find("media-col-default"), 0);
    ipp_t* copy = ippGetCollection(out.find("media-col-default"), 0);
    ASSERT_NE(copy, nullptr);
    EXPECT_NE(copy, original);
    ipp_t* original_size = ippGetCollection(ippFindAttribute(original, "media-size", IPP_TAG_ZERO), 0);
    ipp_t* copy_size = ippGetCollection(ippFindAttribute(copy, "media-size", IPP_TAG_ZERO), 0);
    EXPECT_NE(copy_size, original_size) << "nested collections must be copied too";
  }
  // The source is gone; the copy stands alone (ASan checks this too).
  ipp_t* col = ippGetCollection(out.find("media-col-database"), 7);
  ipp_t* size = ippGetCollection(ippFindAttribute(col, "media-size", IPP_TAG_ZERO), 0);
  EXPECT_EQ(ippGetInteger(ippFindAttribute(size, "x-dimension", IPP_TAG_INTEGER), 0), 10160);
  auto decoded = IppMessage::decode(out.encode());
  EXPECT_TRUE(decoded.has_value());
}

}  // namespace
}  // namespace quire
