// The media facet of build_printer_attributes: PWG names, sizes in hundredths of mm,
// media-col collections, and the built-in list.
#include "quire/printer_attributes.hpp"

#include <gtest/gtest.h>

#include <cups/cups.h>

#include <algorithm>
#include <optional>
#include <regex.h>
#include <string>
#include <vector>

namespace quire {
namespace {

PrinterDescription printer_with_media(std::vector<std::string> media, std::string media_default) {
  PrinterDescription p;
  p.name = "m";
  p.document_formats = {"application/pdf"};
  p.media_supported = std::move(media);
  p.media_default = std::move(media_default);
  return p;
}

std::optional<int> member_integer(ipp_t* col, const char* name) {
  ipp_attribute_t* a = ippFindAttribute(col, name, IPP_TAG_INTEGER);
  if (!a) return std::nullopt;
  return ippGetInteger(a, 0);
}

std::pair<int, int> size_of(ipp_t* media_col) {
  ipp_attribute_t* size = ippFindAttribute(media_col, "media-size", IPP_TAG_BEGIN_COLLECTION);
  if (!size) return {-1, -1};
  ipp_t* s = ippGetCollection(size, 0);
  return {member_integer(s, "x-dimension").value_or(-1), member_integer(s, "y-dimension").value_or(-1)};
}

// ipp-2.0.test's MEDIA_REGEX: every media-supported value must be a PWG 5101.1 name.
const char* const kPwgMediaName =
    "^(choice(_((custom|na|asme|roc|oe|roll)_[a-z0-9][-a-z0-9]*_([1-9][0-9]*(\\.[0-9]*[1-9])?|0\\.[0-9]*[1-9])x([1-"
    "9][0-9]*(\\.[0-9]*[1-9])?|0\\.[0-9]*[1-9])in|(custom|iso|jis|jpn|prc|om|roll)_[a-z0-9][-a-z0-9]*_([1-9][0-9]*"
    "(\\.[0-9]*[1-9])?|0\\.[0-9]*[1-9])x([1-9][0-9]*(\\.[0-9]*[1-9])?|0\\.[0-9]*[1-9])mm)){2,}|(custom|na|asme|roc|"
    "oe|roll)_[a-z0-9][-a-z0-9]*_([1-9][0-9]*(\\.[0-9]*[1-9])?|0\\.[0-9]*[1-9])x([1-9][0-9]*(\\.[0-9]*[1-9])?|0\\."
    "[0-9]*[1-9])in|(custom|iso|jis|jpn|prc|om|roll)_[a-z0-9][-a-z0-9]*_([1-9][0-9]*(\\.[0-9]*[1-9])?|0\\.[0-9]*[1-"
    "9])x([1-9][0-9]*(\\.[0-9]*[1-9])?|0\\.[0-9]*[1-9])mm)$";

// Matches the way ipptool does: POSIX extended regular expressions.
bool matches(const std::string& text, const char* pattern) {
  regex_t re;
  if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) return false;
  bool matched = regexec(&re, text.c_str(), 0, nullptr, 0) == 0;
  regfree(&re);
  return matched;
}

TEST(PrinterMedia, EmptyConfigurationAdvertisesTheBuiltInList) {
  IppMessage attrs = build_printer_attributes(printer_with_media({}, "iso_a4_210x297mm"), "h");
  EXPECT_EQ(attribute_strings(attrs.find("media-supported")),
            (std::vector<std::string>{"iso_a4_210x297mm", "na_letter_8.5x11in", "na_legal_8.5x14in",
                                      "iso_a5_148x210mm", "na_executive_7.25x10.5in", "iso_dl_110x220mm",
                                      "na_number-10_4.125x9.5in", "na_index-4x6_4x6in"}));
  EXPECT_EQ(attrs.find_string("media-default"), "iso_a4_210x297mm");
  EXPECT_EQ(attribute_strings(attrs.find("media-ready")), std::vector<std::string>{"iso_a4_210x297mm"});
}

TEST(PrinterMedia, AllNamesMatchIppToolsPwgRegex) {
  IppMessage attrs = build_printer_attributes(printer_with_media({}, "na_letter_8.5x11in"), "h");
  for (const auto& name : attribute_strings(attrs.find("media-supported")))
    EXPECT_TRUE(matches(name, kPwgMediaName)) << name;
  EXPECT_TRUE(matches(*attrs.find_string("media-default"), kPwgMediaName));
  EXPECT_FALSE(matches("A4", kPwgMediaName)) << "the pattern must reject non-PWG names";
}

TEST(PrinterMedia, LegacyAndPpdNamesBecomePwgNamesAndUnknownOnesAreDropped) {
  IppMessage attrs =
      build_printer_attributes(printer_with_media({"A4", "na-letter", "iso_a4_210x297mm", "bogus"}, "Letter"), "h");
  EXPECT_EQ(attribute_strings(attrs.find("media-supported")),
            (std::vector<std::string>{"iso_a4_210x297mm", "na_letter_8.5x11in"}));
  EXPECT_EQ(attrs.find_string("media-default"), "na_letter_8.5x11in");
}

TEST(PrinterMedia, UnsupportedDefaultFallsBackToTheFirstSupported) {
  IppMessage attrs =
      build_printer_attributes(printer_with_media({"na_letter_8.5x11in", "na_legal_8.5x14in"}, "iso_a3_297x420mm"),
                               "h");
  EXPECT_EQ(attrs.find_string("media-default"), "na_letter_8.5x11in");
}

TEST(PrinterMedia, MediaColDefaultDescribesTheDefaultSizeInHundredthsOfMm) {
  IppMessage attrs = build_printer_attributes(printer_with_media({}, "iso_a4_210x297mm"), "h");
  ipp_attribute_t* def = attrs.find("media-col-default");
  ASSERT_NE(def, nullptr);
  ipp_t* col = ippGetCollection(def, 0);
  EXPECT_EQ(size_of(col), std::make_pair(21000, 29700));
  EXPECT_EQ(member_integer(col, "media-left-margin"), 635);
  EXPECT_EQ(member_integer(col, "media-right-margin"), 635);
  EXPECT_EQ(member_integer(col, "media-top-margin"), 1270);
  EXPECT_EQ(member_integer(col, "media-bottom-margin"), 1270);
  ipp_attribute_t* source = ippFindAttribute(col, "media-source", IPP_TAG_KEYWORD);
  ipp_attribute_t* type = ippFindAttribute(col, "media-type", IPP_TAG_KEYWORD);
  ASSERT_TRUE(source && type);
  EXPECT_STREQ(ippGetString(source, 0, nullptr), "auto");
  EXPECT_STREQ(ippGetString(type, 0, nullptr), "stationery");
}

TEST(PrinterMedia, DatabaseAndSizeSupportedHaveOneEntryPerSizeInOrder) {
  IppMessage attrs = build_printer_attributes(
      printer_with_media({"na_letter_8.5x11in", "na_index-4x6_4x6in"}, "na_letter_8.5x11in"), "h");
  ipp_attribute_t* db = attrs.find("media-col-database");
  ipp_attribute_t* sizes = attrs.find("media-size-supported");
  ASSERT_EQ(ippGetCount(db), 2);
  ASSERT_EQ(ippGetCount(sizes), 2);
  EXPECT_EQ(size_of(ippGetCollection(db, 0)), std::make_pair(21590, 27940));
  EXPECT_EQ(size_of(ippGetCollection(db, 1)), std::make_pair(10160, 15240));
  ipp_t* second = ippGetCollection(sizes, 1);
  EXPECT_EQ(member_integer(second, "x-dimension"), 10160);
  EXPECT_EQ(member_integer(second, "y-dimension"), 15240);
}

TEST(PrinterMedia, MediaColSupportedListsTheMembersWithTheirSupportedValues) {
  IppMessage attrs = build_printer_attributes(printer_with_media({}, ""), "h");
  auto members = attribute_strings(attrs.find("media-col-supported"));
  for (const char* m : {"media-size", "media-source", "media-type", "media-left-margin"})
    EXPECT_NE(std::find(members.begin(), members.end(), m), members.end()) << m;
  // ipp-2.0.test: each listed member needs its -supported attribute.
  EXPECT_EQ(attribute_strings(attrs.find("media-type-supported")), (std::vector<std::string>{"auto", "stationery"}));
  EXPECT_EQ(attribute_strings(attrs.find("media-source-supported")), std::vector<std::string>{"auto"});
  EXPECT_EQ(attrs.find_integer("media-left-margin-supported"), 635);
  EXPECT_EQ(attrs.find_integer("media-top-margin-supported"), 1270);
}

TEST(PrinterMedia, LargeMediaSetsCupsSizeBits) {
  IppMessage attrs = build_printer_attributes(printer_with_media({"iso_a4_210x297mm", "iso_a1_594x841mm"}, ""), "h");
  int type = *attrs.find_integer("printer-type");
  EXPECT_TRUE(type & CUPS_PRINTER_SMALL);
  EXPECT_TRUE(type & CUPS_PRINTER_LARGE);
  EXPECT_FALSE(type & CUPS_PRINTER_MEDIUM);
}

}  // namespace
}  // namespace quire
