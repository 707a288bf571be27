// ATTR: lines → printer attributes: the whitelist, CUPS's quoting, value checks.
#include "quire/device_attributes.hpp"

#include <gtest/gtest.h>

namespace quire {
namespace {

std::vector<std::string> values(const IppMessage& m, const char* name) {
  return attribute_strings(m.find(name));
}

TEST(DeviceAttributes, SetsMarkersWithCupsTypes) {
  IppMessage attrs;
  auto u = apply_attr_line("marker-levels=40,-1 marker-types=toner,ink marker-colors=#000000,none", attrs);
  EXPECT_TRUE(u.rejected.empty());
  EXPECT_TRUE(u.markers_changed);
  ipp_attribute_t* levels = attrs.find("marker-levels");
  ASSERT_NE(levels, nullptr);
  EXPECT_EQ(ippGetValueTag(levels), IPP_TAG_INTEGER);
  EXPECT_EQ(ippGetGroupTag(levels), IPP_TAG_PRINTER);
  ASSERT_EQ(ippGetCount(levels), 2);
  EXPECT_EQ(ippGetInteger(levels, 1), -1);
  EXPECT_EQ(ippGetValueTag(attrs.find("marker-types")), IPP_TAG_KEYWORD);
  EXPECT_EQ(ippGetValueTag(attrs.find("marker-colors")), IPP_TAG_NAME);
  EXPECT_EQ(values(attrs, "marker-colors"), (std::vector<std::string>{"#000000", "none"}));
}

TEST(DeviceAttributes, QuotesKeepSpacesAndCommas) {
  IppMessage attrs;
  apply_attr_line(R"(marker-names='"Black, XL",Cyan Toner' marker-message="Replace the drum")", attrs);
  EXPECT_EQ(values(attrs, "marker-names"), (std::vector<std::string>{"Black, XL", "Cyan Toner"}));
  EXPECT_EQ(values(attrs, "marker-message"), (std::vector<std::string>{"Replace the drum"}));
}

TEST(DeviceAttributes, LaterLinesReplaceEarlierValues) {
  IppMessage attrs;
  apply_attr_line("marker-levels=90", attrs);
  apply_attr_line("marker-levels=85", attrs);
  ipp_attribute_t* levels = attrs.find("marker-levels");
  ASSERT_EQ(ippGetCount(levels), 1);
  EXPECT_EQ(ippGetInteger(levels, 0), 85);
  int count = 0;
  for (ipp_attribute_t* a = ippFirstAttribute(attrs.get()); a; a = ippNextAttribute(attrs.get())) ++count;
  EXPECT_EQ(count, 1);
}

TEST(DeviceAttributes, PrinterAlertIsAnOctetString) {
  IppMessage attrs;
  auto u = apply_attr_line("printer-alert='code=jam;index=1' printer-alert-description='Paper jam'", attrs);
  EXPECT_EQ(u.applied.size(), 2u);
  EXPECT_FALSE(u.markers_changed);
  ipp_attribute_t* alert = attrs.find("printer-alert");
  ASSERT_NE(alert, nullptr);
  EXPECT_EQ(ippGetValueTag(alert), IPP_TAG_STRING);
  int len = 0;
  auto* data = static_cast<const char*>(ippGetOctetString(alert, 0, &len));
  EXPECT_EQ(std::string(data, static_cast<std::size_t>(len)), "code=jam;index=1");
}

TEST(DeviceAttributes, RefusesNamesOutsideTheWhitelist) {
  IppMessage attrs;
  auto u = apply_attr_line("printer-state=5 job-state=9 printer-is-accepting-jobs=false marker-levels=3", attrs);
  EXPECT_EQ(u.rejected.size(), 3u);
  EXPECT_EQ(u.applied, (std::vector<std::string>{"marker-levels"}));
  EXPECT_EQ(attrs.find("printer-state"), nullptr);
}

TEST(DeviceAttributes, RefusesBadValuesOneAttributeAtATime) {
  IppMessage attrs;
  auto u = apply_attr_line("marker-levels=101 marker-low-levels=-1 marker-types=Toner! marker-high-levels=x "
                           "marker-names= marker-message=a,b marker-colors=#FF0000",
                           attrs);
  EXPECT_EQ(u.rejected.size(), 6u);
  EXPECT_EQ(u.applied, (std::vector<std::string>{"marker-colors"}));
  EXPECT_EQ(attrs.find("marker-levels"), nullptr);
}

TEST(DeviceAttributes, BoundsValueCountAndLength) {
  IppMessage attrs;
  std::string many = "marker-levels=";
  for (int i = 0; i < 65; ++i) many += (i ? ",1" : "1");
  EXPECT_EQ(apply_attr_line(many, attrs).rejected.size(), 1u);
  apply_attr_line("marker-names=" + std::string(2000, 'n'), attrs);
  EXPECT_EQ(values(attrs, "marker-names").at(0).size(), 255u);
}

TEST(DeviceAttributes, EmptyAndMalformedLinesDoNothing) {
  IppMessage attrs;
  EXPECT_TRUE(apply_attr_line("", attrs).applied.empty());
  EXPECT_EQ(apply_attr_line("marker-levels", attrs).rejected.size(), 1u);
  EXPECT_EQ(apply_attr_line("marker-message='unterminated", attrs).applied.size(), 1u);
  EXPECT_EQ(ippFirstAttribute(attrs.get()) != nullptr, true);
}

}  // namespace
}  // namespace quire
