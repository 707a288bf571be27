// IPP Everywhere queues: asking the printer, and the PPD that describes it.
#include "ipp/everywhere.hpp"

#include "quire/ipp_message.hpp"

#include <cups/cups.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace quire {
namespace {

// The formats an IPP Everywhere printer may take, in the order Quire prefers to send
// them (lower cost first): PDF keeps text as text; the rasters are the fallback.
struct Format {
  const char* mime;
  int cost;
};
constexpr Format kEverywhereFormats[] = {
    {"application/pdf", 0},
    {"image/pwg-raster", 10},
    {"image/urf", 20},
};

std::vector<std::string> strings_of(ipp_t* response, const char* name) {
  std::vector<std::string> out;
  if (ipp_attribute_t* a = ippFindAttribute(response, name, IPP_TAG_ZERO))
    for (int i = 0; i < ippGetCount(a); ++i)
      if (const char* s = ippGetString(a, i, nullptr)) out.emplace_back(s);
  return out;
}

std::string string_of(ipp_t* response, const char* name) {
  auto values = strings_of(response, name);
  return values.empty() ? std::string() : values.front();
}

// PPD strings are quoted: a quote in a printer's name must not end them early.
std::string ppd_text(std::string s) {
  std::replace(s.begin(), s.end(), '"', '\'');
  return s;
}

int points(int hundredths_of_mm) { return static_cast<int>(hundredths_of_mm * 72.0 / 2540.0 + 0.5); }

}  // namespace

std::expected<RemotePrinter, std::string> query_ipp_printer(const std::string& uri, int timeout_seconds) {
  char scheme[32], userpass[256], host[256], resource[1024];
  int port = 0;
  if (httpSeparateURI(HTTP_URI_CODING_ALL, uri.c_str(), scheme, sizeof scheme, userpass, sizeof userpass, host,
                      sizeof host, &port, resource, sizeof resource) < HTTP_URI_STATUS_OK ||
      (std::string_view(scheme) != "ipp" && std::string_view(scheme) != "ipps"))
    return std::unexpected("\"" + uri + "\" is not an ipp:// or ipps:// printer URI");
  http_encryption_t encryption = std::string_view(scheme) == "ipps" ? HTTP_ENCRYPTION_ALWAYS : HTTP_ENCRYPTION_IF_REQUESTED;
  std::unique_ptr<http_t, decltype(&httpClose)> http(
      httpConnect2(host, port, nullptr, AF_UNSPEC, encryption, 1, timeout_seconds * 1000, nullptr), &httpClose);
  if (!http) return std::unexpected(fmt::format("Unable to connect to {}:{}: {}", host, port, std::strerror(errno)));
  httpSetTimeout(http.get(), timeout_seconds, nullptr, nullptr);

  ipp_t* request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
  ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, uri.c_str());
  static const char* const kWanted[] = {"printer-description", "job-template", "media-col-database"};
  ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 3, nullptr, kWanted);
  IppMessage response(cupsDoRequest(http.get(), request, resource));  // takes and frees `request`
  if (!response.get() || ippGetStatusCode(response.get()) > IPP_STATUS_OK_CONFLICTING)
    return std::unexpected(fmt::format("{} did not answer Get-Printer-Attributes: {}", uri, cupsLastErrorString()));

  ipp_t* r = response.get();
  RemotePrinter p;
  p.make_and_model = string_of(r, "printer-make-and-model");
  if (p.make_and_model.empty()) p.make_and_model = "IPP Everywhere Printer";
  p.info = string_of(r, "printer-info");
  p.location = string_of(r, "printer-location");
  p.device_id = string_of(r, "printer-device-id");
  p.document_formats = strings_of(r, "document-format-supported");
  p.media_supported = strings_of(r, "media-supported");
  p.media_default = string_of(r, "media-default");
  if (ipp_attribute_t* a = ippFindAttribute(r, "color-supported", IPP_TAG_BOOLEAN)) p.color = ippGetBoolean(a, 0);
  for (const auto& sides : strings_of(r, "sides-supported"))
    if (sides.starts_with("two-sided")) p.duplex = true;
  if (ipp_attribute_t* a = ippFindAttribute(r, "printer-resolution-supported", IPP_TAG_RESOLUTION))
    for (int i = 0; i < ippGetCount(a); ++i) {
      int y = 0;
      ipp_res_t units;
      int x = ippGetResolution(a, i, &y, &units);
      if (units == IPP_RES_PER_INCH && x == y) p.resolutions_dpi.push_back(x);
    }
  return p;
}

std::expected<std::string, std::string> everywhere_ppd(const RemotePrinter& printer) {
  std::string filters;
  for (const auto& f : kEverywhereFormats)
    if (std::ranges::find(printer.document_formats, f.mime) != printer.document_formats.end())
      filters += fmt::format("*cupsFilter2: \"{0} {0} {1} -\"\n", f.mime, f.cost);
  if (filters.empty())
    return std::unexpected("The printer takes neither PDF, PWG raster nor Apple raster: it is not an IPP Everywhere printer");

  std::string model = ppd_text(printer.make_and_model);
  std::string make = model.substr(0, model.find(' '));
  std::string ppd = fmt::format(
      "*PPD-Adobe: \"4.3\"\n*FormatVersion: \"4.3\"\n*FileVersion: \"1.0\"\n*LanguageVersion: English\n"
      "*LanguageEncoding: ISOLatin1\n*PCFileName: \"EVERYWHERE.PPD\"\n*Manufacturer: \"{0}\"\n"
      "*ModelName: \"{1}\"\n*ShortNickName: \"{1}\"\n*NickName: \"{1} - IPP Everywhere\"\n"
      "*PSVersion: \"(3010.000) 0\"\n*LanguageLevel: \"3\"\n*ColorDevice: {2}\n*DefaultColorSpace: {3}\n"
      "*FileSystem: False\n*Throughput: \"1\"\n*LandscapeOrientation: Plus90\n*TTRasterizer: Type42\n",
      make, model, printer.color ? "True" : "False", printer.color ? "RGB" : "Gray");
  if (!printer.device_id.empty()) ppd += "*1284DeviceID: \"" + ppd_text(printer.device_id) + "\"\n";
  ppd += filters;

  // Page sizes: the printer's media by their PPD names where PWG knows one.
  struct Size {
    std::string keyword, text;
    int width, length;
  };
  std::vector<Size> sizes;
  std::string default_size;
  for (const auto& name : printer.media_supported) {
    pwg_media_t* m = pwgMediaForPWG(name.c_str());
    if (!m || m->width <= 0 || m->length <= 0) continue;
    std::string keyword = m->ppd ? m->ppd : name;
    if (std::ranges::any_of(sizes, [&](const Size& s) { return s.keyword == keyword; })) continue;
    sizes.push_back({keyword, keyword, points(m->width), points(m->length)});
    if (name == printer.media_default) default_size = keyword;
  }
  if (sizes.empty()) sizes.push_back({"A4", "A4", 595, 842});
  if (default_size.empty()) default_size = sizes.front().keyword;
  ppd += "*OpenUI *PageSize: PickOne\n*OrderDependency: 10 AnySetup *PageSize\n*DefaultPageSize: " + default_size + "\n";
  for (const auto& s : sizes)
    ppd += fmt::format("*PageSize {}/{}: \"<</PageSize[{} {}]>>setpagedevice\"\n", s.keyword, s.text, s.width, s.length);
  ppd += "*CloseUI: *PageSize\n*DefaultPageRegion: " + default_size + "\n";
  for (const auto& s : sizes)
    ppd += fmt::format("*PageRegion {}/{}: \"<</PageSize[{} {}]>>setpagedevice\"\n", s.keyword, s.text, s.width, s.length);
  ppd += "*DefaultImageableArea: " + default_size + "\n";
  for (const auto& s : sizes) ppd += fmt::format("*ImageableArea {}: \"12 12 {} {}\"\n", s.keyword, s.width - 12, s.length - 12);
  ppd += "*DefaultPaperDimension: " + default_size + "\n";
  for (const auto& s : sizes) ppd += fmt::format("*PaperDimension {}: \"{} {}\"\n", s.keyword, s.width, s.length);

  if (printer.color)
    ppd += "*OpenUI *ColorModel/Color Mode: PickOne\n*OrderDependency: 10 AnySetup *ColorModel\n*DefaultColorModel: RGB\n"
           "*ColorModel Gray/Grayscale: \"<</cupsColorSpace 18/cupsBitsPerColor 8>>setpagedevice\"\n"
           "*ColorModel RGB/Color: \"<</cupsColorSpace 19/cupsBitsPerColor 8>>setpagedevice\"\n*CloseUI: *ColorModel\n";
  if (printer.duplex)
    ppd += "*OpenUI *Duplex/2-Sided Printing: PickOne\n*OrderDependency: 10 AnySetup *Duplex\n*DefaultDuplex: None\n"
           "*Duplex None/Off: \"<</Duplex false>>setpagedevice\"\n"
           "*Duplex DuplexNoTumble/Long-Edge (Portrait): \"<</Duplex true/Tumble false>>setpagedevice\"\n"
           "*Duplex DuplexTumble/Short-Edge (Landscape): \"<</Duplex true/Tumble true>>setpagedevice\"\n*CloseUI: *Duplex\n";
  ppd += "*% End of the IPP Everywhere PPD Quire wrote from the printer's attributes\n";
  return ppd;
}

}  // namespace quire
