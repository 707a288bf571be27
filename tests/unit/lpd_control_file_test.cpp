// Control file parsing: every line RFC 1179 defines, and what makes one malformed.
#include "lpd/control_file.hpp"

#include <gtest/gtest.h>

namespace quire::lpd {
namespace {

TEST(LpdControlFile, ReadsEveryLineRfc1179Defines) {
  auto control = parse_control_file(
      "Hclient.example\nPalice\nJquarterly report\nCA\nLalice\nMalice\nTReport title\nI8\nW132\n"
      "1times.r\n2times.i\n3times.b\n4special\n"
      "pdfA001client\npdfA001client\nUdfA001client\nNreport.txt\n");
  ASSERT_TRUE(control) << control.error().detail;
  EXPECT_EQ(control->host, "client.example");
  EXPECT_EQ(control->user, "alice");
  EXPECT_EQ(control->job_name, "quarterly report");
  EXPECT_EQ(control->banner_class, "A");
  EXPECT_EQ(control->banner, "alice");
  EXPECT_EQ(control->mail, "alice");
  EXPECT_EQ(control->title, "Report title");
  EXPECT_EQ(control->indent, 8);
  EXPECT_EQ(control->width, 132);
  EXPECT_EQ(control->troff_fonts[0], "times.r");
  EXPECT_EQ(control->troff_fonts[3], "special");
  ASSERT_EQ(control->prints.size(), 2u);
  EXPECT_EQ(control->prints[0].format, 'p');
  EXPECT_EQ(control->data_files(), std::vector<std::string>{"dfA001client"});
  EXPECT_EQ(control->source_names.at("dfA001client"), "report.txt");
  EXPECT_EQ(control->unlink, std::vector<std::string>{"dfA001client"});
}

TEST(LpdControlFile, EveryFormatLetterPrints) {
  for (char letter : std::string("cdfglnoprtv")) {
    auto control = parse_control_file(std::string("Hh\nPu\n") + letter + "dfA001h\n");
    ASSERT_TRUE(control) << letter;
    EXPECT_EQ(control->prints.at(0).format, letter);
  }
}

TEST(LpdControlFile, SourceNamesFollowOrPrecedeTheirFile) {
  // BSD lpr and CUPS: N after the print and U lines. LPRng: N before the print line.
  auto bsd = parse_control_file("Hh\nPu\nfdfA\nUdfA\nNa.txt\nfdfB\nUdfB\nNb.txt\n");
  ASSERT_TRUE(bsd);
  EXPECT_EQ(bsd->source_names.at("dfA"), "a.txt");
  EXPECT_EQ(bsd->source_names.at("dfB"), "b.txt");
  auto lprng = parse_control_file("Hh\nPu\nNa.txt\nfdfA\nNb.txt\nfdfB\n");
  ASSERT_TRUE(lprng);
  EXPECT_EQ(lprng->source_names.at("dfA"), "a.txt");
  EXPECT_EQ(lprng->source_names.at("dfB"), "b.txt");
}

TEST(LpdControlFile, ExtensionLettersAreIgnoredAndLatin1BecomesUtf8) {
  auto control = parse_control_file("Hh\nPu\nAu@h+123\nQoffice\nJcaf\xe9\nfdfA\n");
  ASSERT_TRUE(control);
  EXPECT_EQ(control->ignored, "AQ");
  EXPECT_EQ(control->job_name, "caf\xc3\xa9");
}

TEST(LpdControlFile, MissingHostOrUserOrPrintLineIsMalformed) {
  EXPECT_EQ(parse_control_file("Pu\nfdfA\n").error().refusal, Refusal::kMalformedControlFile);
  EXPECT_EQ(parse_control_file("Hh\nfdfA\n").error().refusal, Refusal::kMalformedControlFile);
  EXPECT_EQ(parse_control_file("Hh\nPu\nJjob\n").error().refusal, Refusal::kMalformedControlFile);
  EXPECT_EQ(parse_control_file("").error().refusal, Refusal::kMalformedControlFile);
}

TEST(LpdControlFile, BadLinesAreMalformedAndSayWhere) {
  auto unknown_format = parse_control_file("Hh\nPu\nzdfA\n");
  ASSERT_FALSE(unknown_format);
  EXPECT_EQ(unknown_format.error().detail, "control file line 3: unknown format letter 'z'");
  EXPECT_FALSE(parse_control_file("Hh\nPu\nIeight\nfdfA\n"));
  EXPECT_FALSE(parse_control_file("Hh\nPu\nW-3\nfdfA\n"));
  EXPECT_FALSE(parse_control_file(std::string("Hh\nPu\nJa\0b\nfdfA\n", 16)));
  EXPECT_FALSE(parse_control_file("Hh\nPu\n%what\nfdfA\n"));
  EXPECT_FALSE(parse_control_file("Hh\nPu\nJ" + std::string(2000, 'x') + "\nfdfA\n"));
}

TEST(LpdControlFile, UnsafeDataFileNamesAreRefused) {
  EXPECT_EQ(parse_control_file("Hh\nPu\nf/etc/passwd\n").error().refusal, Refusal::kBadFileName);
  EXPECT_EQ(parse_control_file("Hh\nPu\nfdfA\nU../x\n").error().refusal, Refusal::kBadFileName);
}

TEST(LpdControlFile, CrLfAndBlankLinesAreAccepted) {
  auto control = parse_control_file("Hh\r\nPu\r\n\r\nfdfA\r\n\n\n");
  ASSERT_TRUE(control);
  EXPECT_EQ(control->user, "u");
  EXPECT_EQ(control->prints.at(0).data_file, "dfA");
}

}  // namespace
}  // namespace quire::lpd
