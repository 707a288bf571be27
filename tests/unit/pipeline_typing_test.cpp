// Document typing (mime.types rules), the conversion graph, job options and the page
// arithmetic of the Ghostscript route: pure functions, no processes.
#include "pipeline/conversion_graph.hpp"
#include "pipeline/ghostscript_command.hpp"
#include "pipeline/job_options.hpp"
#include "pipeline/mime_types.hpp"
#include "pipeline/page_count.hpp"
#include "quire/drivers.hpp"
#include "quire/filter_catalog.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace quire {
namespace {

std::span<const std::byte> bytes(std::string_view s) { return {reinterpret_cast<const std::byte*>(s.data()), s.size()}; }

const MimeTypes& shipped_types() {
  static MimeTypes types = [] {
    MimeTypes t;
    auto loaded = t.add_file(std::filesystem::path(QUIRE_SOURCE_DIR) / "conf" / "mime.types");
    EXPECT_TRUE(loaded) << loaded.error();
    return t;
  }();
  return types;
}

TEST(MimeTypes, DetectsEveryShippedTypeByContent) {
  const auto& t = shipped_types();
  EXPECT_EQ(t.detect(bytes("%PDF-1.7\n%\xe2\xe3")), "application/pdf");
  EXPECT_EQ(t.detect(bytes("%!PS-Adobe-3.0\n%%Pages: 1\n")), "application/postscript");
  EXPECT_EQ(t.detect(bytes("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 1 1\n")), "image/x-eps");
  EXPECT_EQ(t.detect(bytes("\x1b" "E\x1b&l0O")), "application/vnd.hp-pcl");
  EXPECT_EQ(t.detect(bytes("\x1b%-12345X@PJL ENTER LANGUAGE = PCLXL\n) HP-PCL XL;2;0\n")), "application/vnd.hp-pclxl");
  EXPECT_EQ(t.detect(bytes("\x1b%-12345X@PJL ENTER LANGUAGE=POSTSCRIPT\n%!PS\n")), "application/postscript");
  EXPECT_EQ(t.detect(bytes(std::string("RaS2PwgRaster\0\0\0", 16))), "image/pwg-raster");
  EXPECT_EQ(t.detect(bytes("RaS3xxxxxxxx")), "application/vnd.cups-raster");
  EXPECT_EQ(t.detect(bytes(std::string("UNIRAST\0\0\0\0\1", 12))), "image/urf");
  EXPECT_EQ(t.detect(bytes("\xff\xd8\xff\xe0\0\x10JFIF")), "image/jpeg");
  EXPECT_EQ(t.detect(bytes("\x89PNG\r\n\x1a\n\0\0")), "image/png");
  EXPECT_EQ(t.detect(bytes(std::string("II*\0\x08\0\0\0", 8))), "image/tiff");
  EXPECT_EQ(t.detect(bytes("Hello, wörld ✓\n\fnext page\n")), "text/plain");
  EXPECT_EQ(t.detect(bytes(std::string("\0\1\2\3binary", 10))), "application/octet-stream");
}

TEST(MimeTypes, ClaimedFormatMustMatchTheBytes) {
  const auto& t = shipped_types();
  auto pdf = bytes("%PDF-1.4\n");
  auto ok = type_document(t, "application/pdf", pdf);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->type, "application/pdf");
  auto lie = type_document(t, "image/png", pdf);
  ASSERT_FALSE(lie);
  EXPECT_NE(lie.error().find("does not match"), std::string::npos);
  auto autotyped = type_document(t, "application/octet-stream", pdf);
  ASSERT_TRUE(autotyped);
  EXPECT_EQ(autotyped->type, "application/pdf");
  // EPS satisfies a PostScript claim (its rule matches) and keeps that type.
  auto eps = type_document(t, "application/postscript", bytes("%!PS-Adobe-3.0 EPSF-3.0\n"));
  ASSERT_TRUE(eps);
  EXPECT_EQ(eps->type, "application/postscript");
  EXPECT_EQ(eps->detected, "image/x-eps");
}

TEST(MimeTypes, RuleGrammarReportsErrorsWithLine) {
  MimeTypes t;
  auto bad = t.add_rules("text/plain printable(0,10)\nimage/x bogus(1)\n", "test.types");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().rfind("test.types:2:", 0), 0u) << bad.error();
}

TEST(MimeTypes, AndOrParenthesesAndHex) {
  MimeTypes t;
  ASSERT_TRUE(t.add_rules("a/b (string(0,<4142>) + char(2,67)) contains(0,8,\"zz\") priority(10)\n", "t"));
  EXPECT_TRUE(t.matches("a/b", bytes("ABC")));
  EXPECT_FALSE(t.matches("a/b", bytes("ABD")));
  EXPECT_TRUE(t.matches("a/b", bytes("xxxzzx")));
}

TEST(ConversionGraph, PicksTheCheapestChain) {
  ConversionGraph g;
  ASSERT_TRUE(g.add_rules("a/x b/y 10 f1\nb/y c/z 10 f2\na/x c/z 30 direct\na/x a/x 5 same\n", "t"));
  auto chain = g.cheapest_chain("a/x", {"c/z"});
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[0].program, "f1");
  g.add({"a/x", "c/z", 15, "direct"});
  chain = g.cheapest_chain("a/x", {"c/z"});
  ASSERT_EQ(chain->size(), 1u);
  EXPECT_EQ((*chain)[0].program, "direct");
  EXPECT_TRUE(g.cheapest_chain("a/x", {"a/x"})->empty());
  EXPECT_FALSE(g.cheapest_chain("c/z", {"a/x"}));
  EXPECT_EQ(g.identity_for("a/x")->program, "same");
}

TEST(ConversionGraph, ShippedRulesGoStraightToThePrinterLanguage) {
  ConversionGraph g;
  ASSERT_TRUE(g.add_file(std::filesystem::path(QUIRE_SOURCE_DIR) / "conf" / "mime.convs"));
  for (const char* from : {"application/pdf", "application/postscript", "image/x-eps"}) {
    for (const char* to : {"application/vnd.hp-pclxl", "application/vnd.hp-pcl"}) {
      auto chain = g.cheapest_chain(from, {to});
      ASSERT_TRUE(chain) << from << " -> " << to;
      ASSERT_EQ(chain->size(), 1u) << from << " -> " << to;
      EXPECT_EQ(chain->front().program, "quire-gs");
    }
  }
  auto text = g.cheapest_chain("text/plain", {"application/vnd.hp-pclxl"});
  ASSERT_TRUE(text);
  EXPECT_EQ(text->size(), 2u);
  auto jpeg = g.cheapest_chain("image/jpeg", {"application/pdf", "image/pwg-raster"});
  ASSERT_TRUE(jpeg);
  EXPECT_EQ(jpeg->size(), 1u);
}

TEST(JobOptions, ParsesCupsOptionsAndLegacyNames) {
  auto o = parse_job_options("copies=3 page-ranges=1-3,7- number-up=4 sides=two-sided-short-edge "
                             "media=na_letter_8.5x11in orientation-requested=4 print-color-mode=monochrome "
                             "Collate=false fit-to-page job-sheets=standard,none",
                             1);
  EXPECT_EQ(o.copies, 3);
  EXPECT_FALSE(o.collate);
  ASSERT_EQ(o.page_ranges.size(), 2u);
  EXPECT_TRUE(o.selects(2));
  EXPECT_FALSE(o.selects(5));
  EXPECT_TRUE(o.selects(100));
  EXPECT_EQ(o.number_up, 4);
  EXPECT_TRUE(o.is_duplex());
  EXPECT_NEAR(o.media_width_pt, 612, 0.5);
  EXPECT_EQ(o.orientation, 4);
  EXPECT_TRUE(o.fit_to_page);
  EXPECT_EQ(o.job_sheets, "standard");
  EXPECT_EQ(page_list_text(o.page_ranges), "1-3,7-");
  EXPECT_EQ(impressions_per_copy(o, 10), 2);  // pages 1,2,3,7,8,9,10 = 7, 4-up
}

TEST(JobOptions, NothingClientSentCanBreakALine) {
  EXPECT_EQ(sanitize_for_child("a\nPAGE: 9\r\x01"), "a PAGE: 9  ");
  auto stripped = options_without_layout("copies=2 page-ranges=1-2 media=iso_a4_210x297mm number-up=2");
  EXPECT_EQ(stripped, "media=iso_a4_210x297mm");
}

TEST(GhostscriptCommand, BuildsOneProcessCommandLines) {
  GhostscriptJob job;
  job.options = parse_job_options("page-ranges=2-3 number-up=2 sides=two-sided-long-edge copies=2 collate=false", 1);
  job.device = ghostscript_device("application/vnd.hp-pclxl", "", job.options);
  job.input_type = "application/pdf";
  auto argv = ghostscript_argv(job);
  auto has = [&](const std::string& a) { return std::find(argv.begin(), argv.end(), a) != argv.end(); };
  EXPECT_EQ(job.device, "pxlmono");
  EXPECT_TRUE(has("-dSAFER"));
  EXPECT_TRUE(has("-sDEVICE=pxlmono"));
  EXPECT_TRUE(has("-sPageList=2-3"));
  EXPECT_TRUE(has("-sNupControl=2x1"));
  EXPECT_TRUE(has("-dDuplex=true"));
  EXPECT_TRUE(has("-dNumCopies=2"));
  EXPECT_EQ(argv.back(), "-");
  EXPECT_EQ(ghostscript_device("application/vnd.hp-pcl", "", parse_job_options("sides=two-sided-long-edge", 1)), "ljet4d");
  EXPECT_EQ(ghostscript_device("application/vnd.hp-pclxl", "pxlcolor", parse_job_options("print-color-mode=monochrome", 1)),
            "pxlmono");
}

TEST(GhostscriptPageCounter, CountsImpressionsAfterRangesAndNup) {
  auto options = parse_job_options("page-ranges=2-5 number-up=2", 1);
  GhostscriptPageCounter ps(options, false, 1);  // PostScript: events for every input page
  std::vector<std::string> lines;
  ps.feed("QUIRE-DOC");
  for (int i = 0; i < 7; ++i)
    if (auto l = ps.feed("QUIRE-PAGE"); l && !l->empty()) lines.push_back(*l);
  EXPECT_EQ(lines, (std::vector<std::string>{"PAGE: 1 1", "PAGE: 2 1"}));
  GhostscriptPageCounter pdf(options, true, 3);  // PDF: events for selected pages only
  pdf.feed("QUIRE-DOC");
  for (int i = 0; i < 4; ++i) pdf.feed("QUIRE-PAGE");
  EXPECT_EQ(pdf.impressions(), 2);
  EXPECT_FALSE(pdf.feed("DEBUG: something else"));
}

TEST(PageCount, TrustsDscOnlyWhenItAddsUp) {
  EXPECT_EQ(count_dsc_pages("%!PS-Adobe-3.0\n%%Pages: 2\n%%Page: 1 1\n%%Page: 2 2\n"), 2);
  EXPECT_EQ(count_dsc_pages("%!PS-Adobe-3.0\n%%Pages: (atend)\n%%Page: 1 1\n%%Trailer\n%%Pages: 1\n"), 1);
  EXPECT_EQ(count_dsc_pages("%!PS-Adobe-3.0\n%%Pages: 3\n%%Page: 1 1\n"), 0);  // lies
  EXPECT_EQ(count_dsc_pages("%!\n%%Pages: 1\n%%Page: 1 1\n"), 0);                // not DSC
  EXPECT_EQ(count_dsc_pages("%!PS-Adobe-3.0\n%%Pages: 1\n%%Page: 1 1\n%%BeginDocument: x\n%%Page: 1 1\n"
                            "%%EndDocument\n"),
            1);  // embedded documents' pages are not ours
}

TEST(Drivers, ListsTheBuiltInDriversWithMakeAndModel) {
  auto drivers = list_drivers({});
  std::vector<std::string> ids;
  for (const auto& d : drivers) ids.push_back(d.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"quire/generic-pcl6", "quire/generic-pcl5e", "quire/generic-postscript",
                                           "quire/generic-pdf", "everywhere", "raw"}));
  EXPECT_EQ(drivers[0].make_and_model, "Generic PCL 6/PCL XL Printer");
  EXPECT_FALSE(find_driver("nosuch"));
}

TEST(Drivers, CapabilitiesFollowTheRoutes) {
  FilterCatalog::Options o;
  o.data_dir = std::filesystem::path(QUIRE_SOURCE_DIR) / "conf";
  auto catalog = FilterCatalog::load(o);
  ASSERT_TRUE(catalog) << catalog.error();
  auto pcl6 = driver_capabilities(*find_driver("quire/generic-pcl6"), **catalog, false, true);
  for (const char* t : {"application/pdf", "application/postscript", "text/plain", "image/jpeg", "image/png"})
    EXPECT_NE(std::find(pcl6.document_formats.begin(), pcl6.document_formats.end(), t), pcl6.document_formats.end()) << t;
  EXPECT_EQ(std::find(pcl6.document_formats.begin(), pcl6.document_formats.end(), "image/pwg-raster"),
            pcl6.document_formats.end());  // no route from raster to PCL XL
  EXPECT_EQ(pcl6.color_modes, (std::vector<std::string>{"monochrome"}));
  EXPECT_EQ(pcl6.sides.size(), 3u);
  auto raw = driver_capabilities(*find_driver("raw"), **catalog, true, true);
  EXPECT_EQ(raw.number_up, (std::vector<int>{1}));
}

}  // namespace
}  // namespace quire
