// check_job_template: each job template attribute's accept and reject cases, value tags,
// and how ipp-attribute-fidelity turns unsupported values into a status.
#include "quire/printer_attributes.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace quire {
namespace {

PrinterDescription color_duplex() {
  PrinterDescription p;
  p.name = "office";
  p.document_formats = {"application/pdf", "application/postscript", "text/plain",
                        "image/jpeg",      "image/pwg-raster",       "application/octet-stream"};
  p.resolutions_dpi = {300, 600};
  return p;
}

PrinterDescription mono_simplex() {
  PrinterDescription p = color_duplex();
  p.color = false;
  p.duplex = false;
  return p;
}

// A Print-Job request; `fill` adds the attributes under test.
class JobRequest {
 public:
  JobRequest() : msg_(IppMessage::make_request(IPP_OP_PRINT_JOB)) {
    msg_.add_standard_operation_attributes();
    msg_.add_string(IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", "ipp://localhost/printers/office");
    msg_.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", "alice");
  }
  JobRequest& fidelity(bool on) {
    msg_.add_boolean(IPP_TAG_OPERATION, "ipp-attribute-fidelity", on);
    return *this;
  }
  JobRequest& op_string(ipp_tag_t tag, const char* name, const char* value) {
    msg_.add_string(IPP_TAG_OPERATION, tag, name, value);
    return *this;
  }
  JobRequest& keyword(const char* name, std::vector<std::string> values, ipp_tag_t tag = IPP_TAG_KEYWORD) {
    msg_.add_strings(IPP_TAG_JOB, tag, name, values);
    return *this;
  }
  JobRequest& integer(const char* name, std::vector<int> values, ipp_tag_t tag = IPP_TAG_INTEGER) {
    msg_.add_integers(IPP_TAG_JOB, tag, name, values);
    return *this;
  }
  JobRequest& ranges(const char* name, std::vector<int> lower, std::vector<int> upper) {
    ippAddRanges(msg_.get(), IPP_TAG_JOB, name, static_cast<int>(lower.size()), lower.data(), upper.data());
    return *this;
  }
  JobRequest& resolution(int x, int y, ipp_res_t units = IPP_RES_PER_INCH) {
    ippAddResolution(msg_.get(), IPP_TAG_JOB, "printer-resolution", units, x, y);
    return *this;
  }
  JobRequest& collection(const char* name, const IppMessage& col) {
    ippAddCollection(msg_.get(), IPP_TAG_JOB, name, col.get());
    return *this;
  }
  const IppMessage& get() const { return msg_; }

 private:
  IppMessage msg_;
};

IppMessage size_col(int x, int y) {
  IppMessage size;
  size.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "x-dimension", x);
  size.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "y-dimension", y);
  return size;
}

IppMessage media_col(int x, int y, std::function<void(IppMessage&)> extra = {}) {
  IppMessage col;
  ippAddCollection(col.get(), IPP_TAG_ZERO, "media-size", size_col(x, y).get());
  if (extra) extra(col);
  return col;
}

struct Outcome {
  ipp_status_t status;
  std::vector<std::string> unsupported;  // names in the unsupported group
  std::string message;
};

Outcome check(const JobRequest& request, const PrinterDescription& printer = color_duplex()) {
  IppMessage response = IppMessage::make_response(request.get(), IPP_STATUS_OK);
  Outcome out{};
  out.status = check_job_template(request.get(), printer, response, &out.message);
  for (ipp_attribute_t* a = ippFirstAttribute(response.get()); a; a = ippNextAttribute(response.get()))
    if (ippGetName(a) && ippGetGroupTag(a) == IPP_TAG_UNSUPPORTED_GROUP) out.unsupported.emplace_back(ippGetName(a));
  EXPECT_TRUE(IppMessage::decode(response.encode()).has_value()) << "response must still encode";
  return out;
}

using Names = std::vector<std::string>;
constexpr ipp_status_t kOk = IPP_STATUS_OK;
constexpr ipp_status_t kIgnored = IPP_STATUS_OK_IGNORED_OR_SUBSTITUTED;
constexpr ipp_status_t kNotSupported = IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES;
constexpr ipp_status_t kBadRequest = IPP_STATUS_ERROR_BAD_REQUEST;

TEST(CheckJobTemplate, AcceptsARequestWithoutJobAttributes) {
  Outcome o = check(JobRequest());
  EXPECT_EQ(o.status, kOk);
  EXPECT_TRUE(o.unsupported.empty());
  EXPECT_TRUE(o.message.empty());
}

TEST(CheckJobTemplate, AcceptsEverySupportedValueTogether) {
  JobRequest r;
  r.fidelity(true)
      .op_string(IPP_TAG_MIMETYPE, "document-format", "application/pdf")
      .op_string(IPP_TAG_KEYWORD, "compression", "none")
      .op_string(IPP_TAG_NAME, "job-name", "report")
      .integer("copies", {2})
      .keyword("sides", {"two-sided-long-edge"})
      .keyword("media", {"iso_a4_210x297mm"})
      .integer("print-quality", {IPP_QUALITY_HIGH}, IPP_TAG_ENUM)
      .resolution(600, 600)
      .integer("orientation-requested", {IPP_ORIENT_LANDSCAPE}, IPP_TAG_ENUM)
      .keyword("print-color-mode", {"color"})
      .integer("job-priority", {100})
      .keyword("job-hold-until", {"weekend"})
      .keyword("job-sheets", {"standard"})
      .ranges("page-ranges", {1, 5}, {3, 7})
      .integer("number-up", {4})
      .integer("finishings", {IPP_FINISHINGS_NONE}, IPP_TAG_ENUM)
      .keyword("output-bin", {"face-down"})
      .keyword("multiple-document-handling", {"separate-documents-collated-copies"})
      .keyword("print-scaling", {"fit"});
  Outcome o = check(r);
  EXPECT_EQ(o.status, kOk) << o.message;
  EXPECT_TRUE(o.unsupported.empty());
}

// --- copies ------------------------------------------------------------------------

TEST(CheckJobTemplate, CopiesWithinOneToMaxCopiesAreAccepted) {
  EXPECT_EQ(check(JobRequest().integer("copies", {1})).status, kOk);
  EXPECT_EQ(check(JobRequest().integer("copies", {1000})).status, kOk);
  EXPECT_EQ(check(JobRequest().integer("copies", {kMaxCopies})).status, kOk);
}

TEST(CheckJobTemplate, CopiesOutOfRangeAreUnsupported) {
  Outcome zero = check(JobRequest().integer("copies", {0}));
  EXPECT_EQ(zero.status, kIgnored);
  EXPECT_EQ(zero.unsupported, Names{"copies"});
  EXPECT_EQ(zero.message, "Unsupported copies value \"0\".");
  EXPECT_EQ(check(JobRequest().fidelity(true).integer("copies", {kMaxCopies + 1})).status, kNotSupported);
}

TEST(CheckJobTemplate, CopiesWithAWrongTagOrCountAreABadRequest) {
  Outcome o = check(JobRequest().keyword("copies", {"two"}));
  EXPECT_EQ(o.status, kBadRequest);
  EXPECT_EQ(o.message, "Bad copies: wrong value tag.");
  EXPECT_EQ(check(JobRequest().integer("copies", {1, 2})).status, kBadRequest);
}

// --- fidelity and operation attributes ----------------------------------------------

TEST(CheckJobTemplate, FidelityDecidesBetweenIgnoringAndRefusing) {
  EXPECT_EQ(check(JobRequest().keyword("sides", {"three-sided"})).status, kIgnored);
  EXPECT_EQ(check(JobRequest().fidelity(false).keyword("sides", {"three-sided"})).status, kIgnored);
  Outcome refused = check(JobRequest().fidelity(true).keyword("sides", {"three-sided"}));
  EXPECT_EQ(refused.status, kNotSupported);
  EXPECT_EQ(refused.unsupported, Names{"sides"});
}

TEST(CheckJobTemplate, FidelityMustBeOneBoolean) {
  IppMessage req = IppMessage::make_request(IPP_OP_PRINT_JOB);
  req.add_standard_operation_attributes();
  req.add_integer(IPP_TAG_OPERATION, IPP_TAG_INTEGER, "ipp-attribute-fidelity", 1);
  IppMessage response = IppMessage::make_response(req, IPP_STATUS_OK);
  EXPECT_EQ(check_job_template(req, color_duplex(), response), kBadRequest);
}

TEST(CheckJobTemplate, UnsupportedDocumentFormatHasItsOwnStatusWhateverTheFidelity) {
  Outcome o = check(JobRequest().fidelity(false).op_string(IPP_TAG_MIMETYPE, "document-format", "image/png"));
  EXPECT_EQ(o.status, IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED);
  EXPECT_EQ(o.unsupported, Names{"document-format"});
  EXPECT_EQ(check(JobRequest().op_string(IPP_TAG_KEYWORD, "document-format", "image/jpeg")).status, kBadRequest);
  EXPECT_EQ(check(JobRequest().op_string(IPP_TAG_MIMETYPE, "document-format", "image/jpeg")).status, kOk);
}

TEST(CheckJobTemplate, UnsupportedCompressionHasItsOwnStatus) {
  Outcome o = check(JobRequest().op_string(IPP_TAG_KEYWORD, "compression", "gzip"));
  EXPECT_EQ(o.status, IPP_STATUS_ERROR_COMPRESSION_NOT_SUPPORTED);
  EXPECT_EQ(o.unsupported, Names{"compression"});
}

TEST(CheckJobTemplate, JobNameMustBeAName) {
  EXPECT_EQ(check(JobRequest().op_string(IPP_TAG_KEYWORD, "job-name", "x")).status, kBadRequest);
  EXPECT_EQ(check(JobRequest().op_string(IPP_TAG_NAME, "job-name", "x")).status, kOk);
}

TEST(CheckJobTemplate, UnknownAttributesAreLeftForTheFilters) {
  Outcome o = check(JobRequest().fidelity(true).keyword("fit-to-page", {"true"}, IPP_TAG_NAME));
  EXPECT_EQ(o.status, kOk);
  EXPECT_TRUE(o.unsupported.empty());
}

TEST(CheckJobTemplate, JobStatusAttributesFromTheClientAreUnsupported) {
  Outcome o = check(JobRequest().integer("job-id", {42}).integer("job-state", {3}, IPP_TAG_ENUM));
  EXPECT_EQ(o.status, kIgnored);
  EXPECT_EQ(o.unsupported, (Names{"job-id", "job-state"}));
}

TEST(CheckJobTemplate, ReportsEveryUnsupportedAttributeAndTheFirstInTheMessage) {
  Outcome o = check(JobRequest().integer("number-up", {3}).keyword("sides", {"two-sided-long-edge"}),
                    mono_simplex());
  EXPECT_EQ(o.unsupported, (Names{"number-up", "sides"}));
  EXPECT_EQ(o.message, "Unsupported number-up value \"3\".");
}

TEST(CheckJobTemplate, StatusMessageGoesIntoTheOperationGroupAheadOfUnsupported) {
  JobRequest r;
  r.integer("copies", {0}).keyword("sides", {"three-sided"});
  IppMessage response = IppMessage::make_response(r.get(), IPP_STATUS_OK);
  EXPECT_EQ(check_job_template(r.get(), color_duplex(), response), kIgnored);

  std::vector<ipp_tag_t> groups;
  int messages = 0;
  for (ipp_attribute_t* a = ippFirstAttribute(response.get()); a; a = ippNextAttribute(response.get())) {
    if (groups.empty() || groups.back() != ippGetGroupTag(a)) groups.push_back(ippGetGroupTag(a));
    if (attribute_name(a) == "status-message") ++messages;
  }
  EXPECT_EQ(groups, (std::vector<ipp_tag_t>{IPP_TAG_OPERATION, IPP_TAG_UNSUPPORTED_GROUP}));
  EXPECT_EQ(messages, 1);
  EXPECT_EQ(response.find_string("status-message", IPP_TAG_OPERATION), "Unsupported copies value \"0\".");
}

TEST(CheckJobTemplate, ABadRequestAfterAnUnsupportedValueRewritesTheMessage) {
  JobRequest r;
  r.integer("copies", {0}).keyword("sides", {"one-sided"}, IPP_TAG_NAME);
  IppMessage response = IppMessage::make_response(r.get(), IPP_STATUS_OK);
  std::string message;
  EXPECT_EQ(check_job_template(r.get(), color_duplex(), response, &message), kBadRequest);
  EXPECT_EQ(message, "Bad sides: wrong value tag.");
  EXPECT_EQ(response.find_string("status-message", IPP_TAG_OPERATION), message);
}

TEST(CheckJobTemplate, StatusMessageStaysWithinText255ForLongValues) {
  std::string long_value = "x" + std::string(200, 'y') + "\xC3\xA9" + std::string(100, 'z');
  Outcome o = check(JobRequest().keyword("media", {long_value}, IPP_TAG_NAME));
  EXPECT_EQ(o.status, kIgnored);
  EXPECT_LE(o.message.size(), 255u);
  EXPECT_EQ(o.message.rfind("Unsupported media value \"xyyy", 0), 0u) << o.message;
}

// --- keywords -----------------------------------------------------------------------

TEST(CheckJobTemplate, SidesFollowTheDuplexer) {
  EXPECT_EQ(check(JobRequest().keyword("sides", {"two-sided-short-edge"})).status, kOk);
  EXPECT_EQ(check(JobRequest().keyword("sides", {"two-sided-short-edge"}), mono_simplex()).status, kIgnored);
  EXPECT_EQ(check(JobRequest().keyword("sides", {"one-sided"}), mono_simplex()).status, kOk);
  EXPECT_EQ(check(JobRequest().keyword("sides", {"one-sided"}, IPP_TAG_NAME)).status, kBadRequest);
}

TEST(CheckJobTemplate, ColorModeFollowsTheColorCapability) {
  EXPECT_EQ(check(JobRequest().keyword("print-color-mode", {"color"}), mono_simplex()).status, kIgnored);
  EXPECT_EQ(check(JobRequest().keyword("print-color-mode", {"monochrome"}), mono_simplex()).status, kOk);
  EXPECT_EQ(check(JobRequest().keyword("print-color-mode", {"auto"}), mono_simplex()).status, kOk);
  EXPECT_EQ(check(JobRequest().keyword("print-color-mode", {"sepia"})).status, kIgnored);
}

TEST(CheckJobTemplate, OtherKeywordAttributes) {
  EXPECT_EQ(check(JobRequest().keyword("output-bin", {"top"})).status, kIgnored);
  EXPECT_EQ(check(JobRequest().keyword("print-scaling", {"stretch"})).status, kIgnored);
  EXPECT_EQ(check(JobRequest().keyword("multiple-document-handling", {"single-document"})).status, kIgnored);
  EXPECT_EQ(check(JobRequest().keyword("print-scaling", {"fit", "fill"})).status, kBadRequest);
}

// --- enums and integers -------------------------------------------------------------

TEST(CheckJobTemplate, PrintQuality) {
  EXPECT_EQ(check(JobRequest().integer("print-quality", {IPP_QUALITY_DRAFT}, IPP_TAG_ENUM)).status, kOk);
  EXPECT_EQ(check(JobRequest().integer("print-quality", {7}, IPP_TAG_ENUM)).status, kIgnored);
  EXPECT_EQ(check(JobRequest().integer("print-quality", {4}, IPP_TAG_INTEGER)).status, kBadRequest);
}

TEST(CheckJobTemplate, OrientationRequested) {
  EXPECT_EQ(check(JobRequest().integer("orientation-requested", {6}, IPP_TAG_ENUM)).status, kOk);
  EXPECT_EQ(check(JobRequest().integer("orientation-requested", {2}, IPP_TAG_ENUM)).status, kIgnored);
  EXPECT_EQ(check(JobRequest().keyword("orientation-requested", {"portrait"})).status, kBadRequest);
}

TEST(CheckJobTemplate, FinishingsOnlyNone) {
  EXPECT_EQ(check(JobRequest().integer("finishings", {IPP_FINISHINGS_STAPLE}, IPP_TAG_ENUM)).status, kIgnored);
  EXPECT_EQ(check(JobRequest().integer("finishings", {3, 3}, IPP_TAG_ENUM)).status, kOk);
}

TEST(CheckJobTemplate, JobPriorityIsOneToHundred) {
  EXPECT_EQ(check(JobRequest().integer("job-priority", {1})).status, kOk);
  EXPECT_EQ(check(JobRequest().integer("job-priority", {100})).status, kOk);
  EXPECT_EQ(check(JobRequest().integer("job-priority", {0})).status, kIgnored);
  EXPECT_EQ(check(JobRequest().integer("job-priority", {101})).status, kIgnored);
  EXPECT_EQ(check(JobRequest().integer("job-priority", {50}, IPP_TAG_ENUM)).status, kBadRequest);
}

TEST(CheckJobTemplate, NumberUp) {
  for (int n : {1, 2, 4, 6, 9, 16}) EXPECT_EQ(check(JobRequest().integer("number-up", {n})).status, kOk) << n;
  for (int n : {0, 3, 8, 32}) EXPECT_EQ(check(JobRequest().integer("number-up", {n})).status, kIgnored) << n;
}

TEST(CheckJobTemplate, PrinterResolution) {
  EXPECT_EQ(check(JobRequest().resolution(300, 300)).status, kOk);
  EXPECT_EQ(check(JobRequest().resolution(118, 118, IPP_RES_PER_CM)).status, kOk);  // 300 dpi
  EXPECT_EQ(check(JobRequest().resolution(1200, 1200)).status, kIgnored);
  EXPECT_EQ(check(JobRequest().resolution(300, 600)).status, kIgnored);
  EXPECT_EQ(check(JobRequest().integer("printer-resolution", {600})).status, kBadRequest);
}

// --- job-hold-until, job-sheets, page-ranges ---------------------------------------

TEST(CheckJobTemplate, JobHoldUntilKeywordsAndTimesOfDay) {
  for (const char* v : {"no-hold", "indefinite", "day-time", "evening", "night", "second-shift", "third-shift",
                        "weekend", "23:59", "07:05", "7:05", "12:00:30"})
    EXPECT_EQ(check(JobRequest().keyword("job-hold-until", {v})).status, kOk) << v;
  EXPECT_EQ(check(JobRequest().keyword("job-hold-until", {"18:30"}, IPP_TAG_NAME)).status, kOk);
  for (const char* v : {"noon", "24:00", "12:60", "12:5", "12:00:60", "1:2:3:4", "", ":"})
    EXPECT_EQ(check(JobRequest().keyword("job-hold-until", {v})).status, kIgnored) << '"' << v << '"';
  EXPECT_EQ(check(JobRequest().integer("job-hold-until", {1200})).status, kBadRequest);
}

TEST(CheckJobTemplate, JobSheetsNoneOrStandardOneOrTwoValues) {
  EXPECT_EQ(check(JobRequest().keyword("job-sheets", {"none"})).status, kOk);
  EXPECT_EQ(check(JobRequest().keyword("job-sheets", {"standard", "none"}, IPP_TAG_NAME)).status, kOk);
  EXPECT_EQ(check(JobRequest().keyword("job-sheets", {"classified"})).status, kIgnored);
  EXPECT_EQ(check(JobRequest().keyword("job-sheets", {"none", "none", "none"})).status, kBadRequest);
}

TEST(CheckJobTemplate, PageRangesMustAscendWithoutOverlap) {
  EXPECT_EQ(check(JobRequest().ranges("page-ranges", {1}, {1})).status, kOk);
  EXPECT_EQ(check(JobRequest().ranges("page-ranges", {1, 4, 9}, {3, 8, 9})).status, kOk);
  EXPECT_EQ(check(JobRequest().ranges("page-ranges", {5, 1}, {7, 3})).status, kBadRequest);  // descending
  EXPECT_EQ(check(JobRequest().ranges("page-ranges", {1, 3}, {5, 7})).status, kBadRequest);  // overlapping
  EXPECT_EQ(check(JobRequest().ranges("page-ranges", {5}, {3})).status, kBadRequest);        // lower > upper
  EXPECT_EQ(check(JobRequest().ranges("page-ranges", {0}, {2})).status, kBadRequest);        // page 0
  EXPECT_EQ(check(JobRequest().integer("page-ranges", {1})).status, kBadRequest);
}

// --- media and media-col -----------------------------------------------------------

TEST(CheckJobTemplate, MediaByPwgLegacyOrPpdName) {
  EXPECT_EQ(check(JobRequest().keyword("media", {"na_letter_8.5x11in"})).status, kOk);
  EXPECT_EQ(check(JobRequest().keyword("media", {"iso-a4"})).status, kOk);
  EXPECT_EQ(check(JobRequest().keyword("media", {"Letter"}, IPP_TAG_NAME)).status, kOk);
  Outcome a0 = check(JobRequest().keyword("media", {"iso_a0_841x1189mm"}));
  EXPECT_EQ(a0.status, kIgnored);
  EXPECT_EQ(a0.unsupported, Names{"media"});
  EXPECT_EQ(check(JobRequest().keyword("media", {"bogus"})).status, kIgnored);
  EXPECT_EQ(check(JobRequest().integer("media", {4})).status, kBadRequest);
}

TEST(CheckJobTemplate, MediaTakesCupsStyleSizeSourceAndTypeValues) {
  EXPECT_EQ(check(JobRequest().keyword("media", {"iso_a4_210x297mm", "auto", "stationery"})).status, kOk);
  EXPECT_EQ(check(JobRequest().keyword("media", {"iso_a4_210x297mm", "na_letter_8.5x11in"})).status, kIgnored);
}

TEST(CheckJobTemplate, MediaColMatchesSupportedSizesWithinTolerance) {
  EXPECT_EQ(check(JobRequest().collection("media-col", media_col(21000, 29700))).status, kOk);
  EXPECT_EQ(check(JobRequest().collection("media-col", media_col(21030, 29660))).status, kOk);
  Outcome odd = check(JobRequest().collection("media-col", media_col(10000, 10000)));
  EXPECT_EQ(odd.status, kIgnored);
  EXPECT_EQ(odd.unsupported, Names{"media-col"});
}

TEST(CheckJobTemplate, MediaColMembers) {
  auto with = [](std::function<void(IppMessage&)> extra) {
    return check(JobRequest().collection("media-col", media_col(21590, 27940, std::move(extra)))).status;
  };
  EXPECT_EQ(with([](IppMessage& c) {
              c.add_string(IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-source", "auto");
              c.add_string(IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-type", "stationery");
              c.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "media-left-margin", 635);
              c.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "media-top-margin", 1270);
              c.add_string(IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-size-name", "na_letter_8.5x11in");
            }),
            kOk);
  EXPECT_EQ(with([](IppMessage& c) { c.add_string(IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-source", "tray-9"); }),
            kIgnored);
  EXPECT_EQ(with([](IppMessage& c) { c.add_string(IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-type", "labels"); }),
            kIgnored);
  EXPECT_EQ(with([](IppMessage& c) { c.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "media-bottom-margin", 0); }),
            kIgnored);
  EXPECT_EQ(with([](IppMessage& c) { c.add_string(IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-color", "blue"); }),
            kIgnored);
  EXPECT_EQ(with([](IppMessage& c) { c.add_string(IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-left-margin", "0"); }),
            kBadRequest);
}

TEST(CheckJobTemplate, MediaColWithoutDimensionsIsABadRequest) {
  IppMessage size;
  size.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "x-dimension", 21000);
  IppMessage col;
  ippAddCollection(col.get(), IPP_TAG_ZERO, "media-size", size.get());
  Outcome o = check(JobRequest().collection("media-col", col));
  EXPECT_EQ(o.status, kBadRequest);
  EXPECT_EQ(check(JobRequest().keyword("media-col", {"iso_a4_210x297mm"})).status, kBadRequest);
}

TEST(CheckJobTemplate, MediaAndMediaColTogetherAreABadRequest) {
  Outcome o = check(JobRequest().keyword("media", {"iso_a4_210x297mm"}).collection("media-col", media_col(21000, 29700)));
  EXPECT_EQ(o.status, kBadRequest);
}

TEST(CheckJobTemplate, ConfiguredMediaListIsWhatCounts) {
  PrinterDescription p = color_duplex();
  p.media_supported = {"na_letter_8.5x11in"};
  EXPECT_EQ(check(JobRequest().keyword("media", {"na_letter_8.5x11in"}), p).status, kOk);
  EXPECT_EQ(check(JobRequest().keyword("media", {"iso_a4_210x297mm"}), p).status, kIgnored);
  EXPECT_EQ(check(JobRequest().collection("media-col", media_col(21000, 29700)), p).status, kIgnored);
}

}  // namespace
}  // namespace quire
