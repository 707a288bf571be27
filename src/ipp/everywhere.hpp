// IPP Everywhere queues (lpadmin -m everywhere): the printer is asked what it is and what
// it takes (Get-Printer-Attributes over its ipp:// or ipps:// device URI), and a PPD
// describing it becomes the queue's driver, as CUPS does. The PPD's filter lines name
// the formats the printer takes, so the filter chain's routes follow from the printer;
// its options (PageSize, Duplex, ColorModel) are what `lpoptions -l` shows.
#pragma once

#include <expected>
#include <string>
#include <vector>

namespace quire {

// What a printer says about itself, as far as a queue needs it.
struct RemotePrinter {
  std::string make_and_model;
  std::string info;
  std::string location;
  std::string device_id;
  std::vector<std::string> document_formats;
  std::vector<std::string> media_supported;  // PWG self-describing names
  std::string media_default;
  std::vector<int> resolutions_dpi;
  bool color = false;
  bool duplex = false;
};

// Blocking: connects, asks, and gives up after `timeout_seconds`. Errors say what failed
// ("Unable to connect to 10.0.0.5:631: Connection refused").
std::expected<RemotePrinter, std::string> query_ipp_printer(const std::string& uri, int timeout_seconds);

// The PPD for an IPP Everywhere printer, or why it is not one (it must take PDF, PWG
// raster or Apple raster).
std::expected<std::string, std::string> everywhere_ppd(const RemotePrinter& printer);

}  // namespace quire
