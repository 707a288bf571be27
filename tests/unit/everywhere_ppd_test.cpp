// The PPD Quire writes for an IPP Everywhere printer (lpadmin -m everywhere): its filter
// lines name the formats the printer takes, cheapest first; its page sizes are the
// printer's media; a printer that takes none of PDF, PWG raster and URF is refused.
#include "ipp/everywhere.hpp"

#include <gtest/gtest.h>

namespace quire {
namespace {

RemotePrinter office_printer() {
  RemotePrinter p;
  p.make_and_model = "Acme \"Laser\" 9000";
  p.document_formats = {"application/octet-stream", "image/urf", "image/pwg-raster", "application/pdf"};
  p.media_supported = {"na_letter_8.5x11in", "iso_a4_210x297mm", "custom_min_3x5in"};
  p.media_default = "iso_a4_210x297mm";
  p.color = true;
  p.duplex = true;
  return p;
}

TEST(EverywherePpd, FilterLinesFollowWhatThePrinterTakesPdfFirst) {
  auto ppd = everywhere_ppd(office_printer());
  ASSERT_TRUE(ppd) << ppd.error();
  auto pdf = ppd->find("*cupsFilter2: \"application/pdf application/pdf 0 -\"");
  auto pwg = ppd->find("*cupsFilter2: \"image/pwg-raster image/pwg-raster 10 -\"");
  auto urf = ppd->find("*cupsFilter2: \"image/urf image/urf 20 -\"");
  ASSERT_NE(pdf, std::string::npos);
  ASSERT_NE(pwg, std::string::npos);
  ASSERT_NE(urf, std::string::npos);
  EXPECT_LT(pdf, pwg);
  EXPECT_LT(pwg, urf);
}

TEST(EverywherePpd, PageSizesAreThePrintersMediaWithItsDefault) {
  auto ppd = everywhere_ppd(office_printer());
  ASSERT_TRUE(ppd) << ppd.error();
  EXPECT_NE(ppd->find("*DefaultPageSize: A4\n"), std::string::npos);
  EXPECT_NE(ppd->find("*PageSize Letter/Letter: \"<</PageSize[612 792]>>setpagedevice\""), std::string::npos);
  EXPECT_NE(ppd->find("*PageSize A4/A4: \"<</PageSize[595 842]>>setpagedevice\""), std::string::npos);
  EXPECT_EQ(ppd->find("custom_min"), std::string::npos) << "a size range is not a page size";
  EXPECT_NE(ppd->find("*OpenUI *Duplex"), std::string::npos);
  EXPECT_NE(ppd->find("*ColorDevice: True"), std::string::npos);
  // A quote in the printer's name must not end a PPD string early.
  EXPECT_NE(ppd->find("*NickName: \"Acme 'Laser' 9000 - IPP Everywhere\""), std::string::npos);
}

TEST(EverywherePpd, APrinterWithoutPdfPwgOrUrfIsRefused) {
  RemotePrinter p = office_printer();
  p.document_formats = {"application/postscript", "application/vnd.hp-pcl"};
  auto ppd = everywhere_ppd(p);
  ASSERT_FALSE(ppd);
  EXPECT_NE(ppd.error().find("not an IPP Everywhere printer"), std::string::npos) << ppd.error();
}

TEST(EverywherePpd, AQueryToAnythingButIppIsRefusedWithoutConnecting) {
  auto printer = query_ipp_printer("socket://127.0.0.1:9100", 1);
  ASSERT_FALSE(printer);
  EXPECT_NE(printer.error().find("not an ipp:// or ipps://"), std::string::npos) << printer.error();
}

}  // namespace
}  // namespace quire
