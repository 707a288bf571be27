// build_printer_attributes: the attributes RFC 8011 and PWG 5100.12 require, with the
// value tags and values ipptool's ipp-1.1.test / ipp-2.0.test expect.
#include "quire/printer_attributes.hpp"

#include <gtest/gtest.h>

#include <cups/cups.h>

#include <algorithm>
#include <regex.h>
#include <string>
#include <vector>

namespace quire {
namespace {

PrinterDescription sample_printer() {
  PrinterDescription p;
  p.name = "office";
  p.info = "Office printer";
  p.location = "Second floor";
  p.make_and_model = "Acme LaserWriter 9000";
  p.device_uri = "socket://10.0.0.9";
  p.uuid = "urn:uuid:2ca2b3a4-0b8c-4f5e-9a61-7d3e35f0c001";
  p.document_formats = {"application/pdf", "application/postscript", "text/plain",
                        "image/jpeg",      "image/pwg-raster",       "application/octet-stream"};
  p.config_change_time = 1700000000;
  return p;
}

PrinterDescription mono_simplex_printer() {
  PrinterDescription p = sample_printer();
  p.name = "basement";
  p.color = false;
  p.duplex = false;
  return p;
}

std::vector<int> integers(ipp_attribute_t* attr) {
  std::vector<int> out;
  for (int i = 0; attr && i < ippGetCount(attr); ++i) out.push_back(ippGetInteger(attr, i));
  return out;
}

std::vector<std::string> names_of(const IppMessage& m) {
  std::vector<std::string> out;
  for (ipp_attribute_t* a = ippFirstAttribute(m.get()); a; a = ippNextAttribute(m.get()))
    if (ippGetName(a)) out.emplace_back(ippGetName(a));
  return out;
}

bool matches(const std::string& text, const char* pattern) {
  regex_t re;
  if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) return false;
  bool matched = regexec(&re, text.c_str(), 0, nullptr, 0) == 0;
  regfree(&re);
  return matched;
}

bool has(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// One required attribute: its value tag and whether it must have exactly one value.
struct Required {
  const char* name;
  ipp_tag_t tag;
  bool single;
};

// RFC 8011 section 5.4 and PWG 5100.12 section 6.2 (plus what ipptool's suites and
// CUPS clients read), for a color duplex printer taking image/pwg-raster.
const Required kRequired[] = {
    {"printer-uri-supported", IPP_TAG_URI, false},
    {"uri-security-supported", IPP_TAG_KEYWORD, false},
    {"uri-authentication-supported", IPP_TAG_KEYWORD, false},
    {"printer-name", IPP_TAG_NAME, true},
    {"printer-info", IPP_TAG_TEXT, true},
    {"printer-location", IPP_TAG_TEXT, true},
    {"printer-make-and-model", IPP_TAG_TEXT, true},
    {"printer-more-info", IPP_TAG_URI, true},
    {"printer-uuid", IPP_TAG_URI, true},
    {"printer-kind", IPP_TAG_KEYWORD, false},
    {"printer-type", IPP_TAG_ENUM, true},
    {"charset-configured", IPP_TAG_CHARSET, true},
    {"charset-supported", IPP_TAG_CHARSET, false},
    {"natural-language-configured", IPP_TAG_LANGUAGE, true},
    {"generated-natural-language-supported", IPP_TAG_LANGUAGE, false},
    {"document-format-default", IPP_TAG_MIMETYPE, true},
    {"document-format-supported", IPP_TAG_MIMETYPE, false},
    {"operations-supported", IPP_TAG_ENUM, false},
    {"ipp-versions-supported", IPP_TAG_KEYWORD, false},
    {"ipp-features-supported", IPP_TAG_KEYWORD, false},
    {"pdl-override-supported", IPP_TAG_KEYWORD, true},
    {"compression-supported", IPP_TAG_KEYWORD, false},
    {"job-creation-attributes-supported", IPP_TAG_KEYWORD, false},
    {"job-settable-attributes-supported", IPP_TAG_KEYWORD, false},
    {"multiple-document-jobs-supported", IPP_TAG_BOOLEAN, true},
    {"multiple-operation-time-out", IPP_TAG_INTEGER, true},
    {"printer-get-attributes-supported", IPP_TAG_KEYWORD, false},
    {"which-jobs-supported", IPP_TAG_KEYWORD, false},
    {"job-ids-supported", IPP_TAG_BOOLEAN, true},
    {"preferred-attributes-supported", IPP_TAG_BOOLEAN, true},
    {"printer-config-change-time", IPP_TAG_INTEGER, true},
    {"printer-config-change-date-time", IPP_TAG_DATE, true},
    {"copies-default", IPP_TAG_INTEGER, true},
    {"copies-supported", IPP_TAG_RANGE, true},
    {"finishings-default", IPP_TAG_ENUM, false},
    {"finishings-supported", IPP_TAG_ENUM, false},
    {"job-hold-until-default", IPP_TAG_KEYWORD, true},
    {"job-hold-until-supported", IPP_TAG_KEYWORD, false},
    {"job-priority-default", IPP_TAG_INTEGER, true},
    {"job-priority-supported", IPP_TAG_INTEGER, true},
    {"job-sheets-default", IPP_TAG_KEYWORD, false},
    {"job-sheets-supported", IPP_TAG_KEYWORD, false},
    {"media-default", IPP_TAG_KEYWORD, true},
    {"media-supported", IPP_TAG_KEYWORD, false},
    {"media-ready", IPP_TAG_KEYWORD, false},
    {"media-col-default", IPP_TAG_BEGIN_COLLECTION, true},
    {"media-col-ready", IPP_TAG_BEGIN_COLLECTION, false},
    {"media-col-database", IPP_TAG_BEGIN_COLLECTION, false},
    {"media-col-supported", IPP_TAG_KEYWORD, false},
    {"media-size-supported", IPP_TAG_BEGIN_COLLECTION, false},
    {"media-source-supported", IPP_TAG_KEYWORD, false},
    {"media-type-supported", IPP_TAG_KEYWORD, false},
    {"media-bottom-margin-supported", IPP_TAG_INTEGER, false},
    {"media-left-margin-supported", IPP_TAG_INTEGER, false},
    {"media-right-margin-supported", IPP_TAG_INTEGER, false},
    {"media-top-margin-supported", IPP_TAG_INTEGER, false},
    {"multiple-document-handling-default", IPP_TAG_KEYWORD, true},
    {"multiple-document-handling-supported", IPP_TAG_KEYWORD, false},
    {"number-up-default", IPP_TAG_INTEGER, true},
    {"number-up-supported", IPP_TAG_INTEGER, false},
    {"orientation-requested-default", IPP_TAG_ENUM, true},
    {"orientation-requested-supported", IPP_TAG_ENUM, false},
    {"output-bin-default", IPP_TAG_KEYWORD, true},
    {"output-bin-supported", IPP_TAG_KEYWORD, false},
    {"page-ranges-supported", IPP_TAG_BOOLEAN, true},
    {"print-quality-default", IPP_TAG_ENUM, true},
    {"print-quality-supported", IPP_TAG_ENUM, false},
    {"print-scaling-default", IPP_TAG_KEYWORD, true},
    {"print-scaling-supported", IPP_TAG_KEYWORD, false},
    {"printer-resolution-default", IPP_TAG_RESOLUTION, true},
    {"printer-resolution-supported", IPP_TAG_RESOLUTION, false},
    {"print-color-mode-default", IPP_TAG_KEYWORD, true},
    {"print-color-mode-supported", IPP_TAG_KEYWORD, false},
    {"sides-default", IPP_TAG_KEYWORD, true},
    {"sides-supported", IPP_TAG_KEYWORD, false},
    {"color-supported", IPP_TAG_BOOLEAN, true},
    {"pages-per-minute", IPP_TAG_INTEGER, true},
    {"pages-per-minute-color", IPP_TAG_INTEGER, true},
    {"pwg-raster-document-resolution-supported", IPP_TAG_RESOLUTION, false},
    {"pwg-raster-document-sheet-back", IPP_TAG_KEYWORD, true},
    {"pwg-raster-document-type-supported", IPP_TAG_KEYWORD, false},
};

class PrinterAttributesRequired : public testing::TestWithParam<Required> {};

TEST_P(PrinterAttributesRequired, PresentWithTagAndCountInPrinterGroup) {
  const Required& r = GetParam();
  IppMessage attrs = build_printer_attributes(sample_printer(), "printhost:631");
  ipp_attribute_t* a = attrs.find(r.name);
  ASSERT_NE(a, nullptr) << r.name;
  EXPECT_EQ(ippGetValueTag(a), r.tag) << r.name << " is " << ippTagString(ippGetValueTag(a));
  EXPECT_EQ(ippGetGroupTag(a), IPP_TAG_PRINTER) << r.name;
  if (r.single)
    EXPECT_EQ(ippGetCount(a), 1) << r.name;
  else
    EXPECT_GE(ippGetCount(a), 1) << r.name;
}

INSTANTIATE_TEST_SUITE_P(AllRequired, PrinterAttributesRequired, testing::ValuesIn(kRequired),
                         [](const testing::TestParamInfo<Required>& info) {
                           std::string n = info.param.name;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(PrinterAttributes, EachAttributeAppearsOnce) {
  auto names = names_of(build_printer_attributes(sample_printer(), "h"));
  auto sorted = names;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
}

TEST(PrinterAttributes, PassesLibcupsSyntaxValidationAndRoundTrips) {
  IppMessage attrs = build_printer_attributes(sample_printer(), "printhost:631");
  EXPECT_TRUE(ippValidateAttributes(attrs.get())) << cupsLastErrorString();

  IppMessage response = IppMessage::make_response(IppMessage::make_request(IPP_OP_GET_PRINTER_ATTRIBUTES),
                                                  IPP_STATUS_OK);
  for (ipp_attribute_t* a = ippFirstAttribute(attrs.get()); a; a = ippNextAttribute(attrs.get()))
    response.copy_attribute(a);
  auto decoded = IppMessage::decode(response.encode());
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(names_of(*decoded).size(), names_of(response).size());
}

TEST(PrinterAttributes, UrisFollowTheHostAndResource) {
  IppMessage attrs = build_printer_attributes(sample_printer(), "printhost.example:8631");
  EXPECT_EQ(attrs.find_string("printer-uri-supported"), "ipp://printhost.example:8631/printers/office");
  EXPECT_EQ(attrs.find_string("printer-more-info"), "http://printhost.example:8631/printers/office");
  EXPECT_EQ(attrs.find_string("uri-security-supported"), "none");
  EXPECT_EQ(attrs.find_string("uri-authentication-supported"), "requesting-user-name");

  IppMessage other = build_printer_attributes(sample_printer(), "[::1]:631");
  EXPECT_EQ(other.find_string("printer-uri-supported"), "ipp://[::1]:631/printers/office");
}

TEST(PrinterAttributes, ClassUsesClassesResourceAndClassBit) {
  PrinterDescription p = sample_printer();
  p.is_class = true;
  IppMessage attrs = build_printer_attributes(p, "h:631");
  EXPECT_EQ(attrs.find_string("printer-uri-supported"), "ipp://h:631/classes/office");
  EXPECT_EQ(attrs.find_string("printer-more-info"), "http://h:631/classes/office");
  EXPECT_TRUE(*attrs.find_integer("printer-type") & CUPS_PRINTER_CLASS);
}

TEST(PrinterAttributes, NameIsPercentEncodedInUris) {
  PrinterDescription p = sample_printer();
  p.name = "r&d 50%";
  IppMessage attrs = build_printer_attributes(p, "h");
  EXPECT_EQ(attrs.find_string("printer-uri-supported"), "ipp://h/printers/r&d%2050%25");
  EXPECT_EQ(attrs.find_string("printer-name"), "r&d 50%");
}

TEST(PrinterAttributes, DescriptionTextsComeFromTheConfiguration) {
  IppMessage attrs = build_printer_attributes(sample_printer(), "h");
  EXPECT_EQ(attrs.find_string("printer-name"), "office");
  EXPECT_EQ(attrs.find_string("printer-info"), "Office printer");
  EXPECT_EQ(attrs.find_string("printer-location"), "Second floor");
  EXPECT_EQ(attrs.find_string("printer-make-and-model"), "Acme LaserWriter 9000");
  EXPECT_EQ(attrs.find_string("printer-uuid"), "urn:uuid:2ca2b3a4-0b8c-4f5e-9a61-7d3e35f0c001");
  EXPECT_EQ(attrs.find("device-uri"), nullptr) << "device-uri is for administrators only";
}

TEST(PrinterAttributes, LongTextsAreCutAt127OctetsOnACharacterBoundary) {
  PrinterDescription p = sample_printer();
  p.info = std::string(126, 'x') + "\xC3\xA9" + "tail";  // 'é' straddles octet 127
  IppMessage attrs = build_printer_attributes(p, "h");
  EXPECT_EQ(attrs.find_string("printer-info"), std::string(126, 'x'));
}

TEST(PrinterAttributes, EmptyUuidIsDerivedStablyFromTheName) {
  PrinterDescription p = sample_printer();
  p.uuid.clear();
  auto first = build_printer_attributes(p, "a").find_string("printer-uuid");
  auto again = build_printer_attributes(p, "b").find_string("printer-uuid");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first, again);
  EXPECT_TRUE(matches(*first, "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))
      << *first;
  p.name = "other";
  EXPECT_NE(build_printer_attributes(p, "a").find_string("printer-uuid"), first);
}

TEST(PrinterAttributes, OperationsSupportedIsTheSharedList) {
  IppMessage attrs = build_printer_attributes(sample_printer(), "h");
  std::vector<int> expected;
  for (ipp_op_t op : supported_operations()) expected.push_back(op);
  EXPECT_EQ(integers(attrs.find("operations-supported")), expected);
  for (ipp_op_t op : {IPP_OP_PRINT_JOB, IPP_OP_VALIDATE_JOB, IPP_OP_CREATE_JOB, IPP_OP_SEND_DOCUMENT,
                      IPP_OP_CANCEL_JOB, IPP_OP_GET_JOB_ATTRIBUTES, IPP_OP_GET_JOBS, IPP_OP_GET_PRINTER_ATTRIBUTES,
                      IPP_OP_HOLD_JOB, IPP_OP_RELEASE_JOB, IPP_OP_RESTART_JOB, IPP_OP_PAUSE_PRINTER,
                      IPP_OP_RESUME_PRINTER, IPP_OP_PURGE_JOBS, IPP_OP_SET_JOB_ATTRIBUTES, IPP_OP_CANCEL_JOBS,
                      IPP_OP_CANCEL_MY_JOBS, IPP_OP_CLOSE_JOB, IPP_OP_CUPS_GET_DEFAULT, IPP_OP_CUPS_GET_PRINTERS,
                      IPP_OP_CUPS_ACCEPT_JOBS, IPP_OP_CUPS_REJECT_JOBS, IPP_OP_CUPS_MOVE_JOB})
    EXPECT_TRUE(std::count(expected.begin(), expected.end(), op)) << ippOpString(op);
  EXPECT_TRUE(std::is_sorted(expected.begin(), expected.end()));
}

TEST(PrinterAttributes, ProtocolValues) {
  IppMessage attrs = build_printer_attributes(sample_printer(), "h");
  EXPECT_EQ(attribute_strings(attrs.find("ipp-versions-supported")), (std::vector<std::string>{"1.0", "1.1", "2.0"}));
  EXPECT_EQ(attribute_strings(attrs.find("compression-supported")), std::vector<std::string>{"none"});
  EXPECT_EQ(attrs.find_string("charset-configured"), "utf-8");
  EXPECT_TRUE(has(attribute_strings(attrs.find("charset-supported")), "utf-8"));
  EXPECT_EQ(attrs.find_string("natural-language-configured"), "en");
  EXPECT_EQ(attrs.find_integer("multiple-operation-time-out"), 900);
  EXPECT_EQ(attrs.find_boolean("multiple-document-jobs-supported"), true);
  auto which = attribute_strings(attrs.find("which-jobs-supported"));
  EXPECT_TRUE(has(which, "completed") && has(which, "not-completed"));
}

TEST(PrinterAttributes, ConfigChangeTimeAndDate) {
  IppMessage attrs = build_printer_attributes(sample_printer(), "h");
  EXPECT_EQ(attrs.find_integer("printer-config-change-time"), 1700000000);
  EXPECT_EQ(ippDateToTime(ippGetDate(attrs.find("printer-config-change-date-time"), 0)), 1700000000);
}

TEST(PrinterAttributes, DocumentFormatsAndPwgRaster) {
  IppMessage attrs = build_printer_attributes(sample_printer(), "h");
  EXPECT_EQ(attrs.find_string("document-format-default"), "application/octet-stream");
  // What the queue converts, and CUPS's raw type (sent to the printer unfiltered).
  auto expected = sample_printer().document_formats;
  expected.push_back("application/vnd.cups-raw");
  EXPECT_EQ(attribute_strings(attrs.find("document-format-supported")), expected);
  EXPECT_EQ(attribute_strings(attrs.find("pwg-raster-document-type-supported")),
            (std::vector<std::string>{"black_1", "sgray_8", "srgb_8"}));

  PrinterDescription pdf_only = sample_printer();
  pdf_only.document_formats = {"application/pdf"};
  IppMessage pdf = build_printer_attributes(pdf_only, "h");
  EXPECT_EQ(pdf.find_string("document-format-default"), "application/pdf");
  EXPECT_EQ(pdf.find("pwg-raster-document-type-supported"), nullptr);
  EXPECT_EQ(pdf.find("pwg-raster-document-resolution-supported"), nullptr);
}

TEST(PrinterAttributes, JobTemplateValues) {
  IppMessage attrs = build_printer_attributes(sample_printer(), "h");
  int upper = 0;
  EXPECT_EQ(ippGetRange(attrs.find("copies-supported"), 0, &upper), 1);
  EXPECT_EQ(upper, kMaxCopies);
  EXPECT_EQ(attrs.find_integer("copies-default"), 1);
  EXPECT_EQ(integers(attrs.find("finishings-supported")), std::vector<int>{IPP_FINISHINGS_NONE});
  EXPECT_EQ(attrs.find_integer("job-priority-default"), 50);
  EXPECT_EQ(attrs.find_integer("job-priority-supported"), 100);
  EXPECT_EQ(attribute_strings(attrs.find("job-hold-until-supported")),
            (std::vector<std::string>{"no-hold", "indefinite", "day-time", "evening", "night", "second-shift",
                                      "third-shift", "weekend"}));
  EXPECT_EQ(attribute_strings(attrs.find("job-sheets-supported")), (std::vector<std::string>{"none", "standard"}));
  EXPECT_EQ(integers(attrs.find("number-up-supported")), (std::vector<int>{1, 2, 4, 6, 9, 16}));
  EXPECT_EQ(integers(attrs.find("orientation-requested-supported")), (std::vector<int>{3, 4, 5, 6}));
  EXPECT_EQ(integers(attrs.find("print-quality-supported")), (std::vector<int>{3, 4, 5}));
  EXPECT_EQ(attrs.find_integer("print-quality-default"), IPP_QUALITY_NORMAL);
  EXPECT_EQ(attribute_strings(attrs.find("sides-supported")),
            (std::vector<std::string>{"one-sided", "two-sided-long-edge", "two-sided-short-edge"}));
  EXPECT_EQ(attrs.find_string("sides-default"), "one-sided");
  EXPECT_EQ(attribute_strings(attrs.find("print-color-mode-supported")),
            (std::vector<std::string>{"auto", "monochrome", "color"}));
  EXPECT_EQ(attrs.find_boolean("color-supported"), true);
  EXPECT_EQ(attrs.find_boolean("page-ranges-supported"), true);
}

TEST(PrinterAttributes, ResolutionsUseTheResolutionTagInDpi) {
  PrinterDescription p = sample_printer();
  p.resolutions_dpi = {600, 1200};
  IppMessage attrs = build_printer_attributes(p, "h");
  int y = 0;
  ipp_res_t units = IPP_RES_PER_CM;
  EXPECT_EQ(ippGetResolution(attrs.find("printer-resolution-default"), 0, &y, &units), 600);
  EXPECT_EQ(y, 600);
  EXPECT_EQ(units, IPP_RES_PER_INCH);
  ipp_attribute_t* supported = attrs.find("printer-resolution-supported");
  ASSERT_EQ(ippGetCount(supported), 2);
  EXPECT_EQ(ippGetResolution(supported, 1, &y, &units), 1200);
}

TEST(PrinterAttributes, MonochromeSimplexAdvertisesOnlyWhatItHas) {
  IppMessage attrs = build_printer_attributes(mono_simplex_printer(), "h");
  EXPECT_EQ(attribute_strings(attrs.find("sides-supported")), std::vector<std::string>{"one-sided"});
  auto modes = attribute_strings(attrs.find("print-color-mode-supported"));
  EXPECT_FALSE(has(modes, "color"));
  EXPECT_TRUE(has(modes, "monochrome"));
  EXPECT_EQ(attrs.find_string("print-color-mode-default"), "monochrome");
  EXPECT_EQ(attrs.find_boolean("color-supported"), false);
  EXPECT_EQ(attrs.find("pages-per-minute-color"), nullptr) << "PWG 5100.12: only with color-supported";
  EXPECT_NE(attrs.find("pages-per-minute"), nullptr);
  EXPECT_FALSE(has(attribute_strings(attrs.find("pwg-raster-document-type-supported")), "srgb_8"));
  int type = *attrs.find_integer("printer-type");
  EXPECT_FALSE(type & CUPS_PRINTER_COLOR);
  EXPECT_FALSE(type & CUPS_PRINTER_DUPLEX);
  EXPECT_TRUE(type & CUPS_PRINTER_BW);
}

TEST(PrinterAttributes, PrinterTypeCarriesCupsCapabilityBits) {
  IppMessage attrs = build_printer_attributes(sample_printer(), "h");
  // What CUPS reports for a color duplex printer on small media: BW|COLOR|DUPLEX|SMALL.
  EXPECT_EQ(attrs.find_integer("printer-type"), 4124);
}

}  // namespace
}  // namespace quire
