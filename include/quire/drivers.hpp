// Drivers: what a queue's printer understands. Quire ships generic drivers (no PPD
// file needed) and uses Debian's PPD files the way CUPS does (their *cupsFilter
// lines join the conversion graph). list_drivers() is what CUPS-Get-PPDs and
// `lpinfo -m` show; a queue names its driver in printers.conf ("Driver id" or
// "PPD /path/file.ppd"). Pure functions over files; callable from any thread.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

struct DriverInfo {
  std::string id;              // ppd-name: "raw", "everywhere", "quire/generic-pcl6", "lsb/usr/cupsfilters/x.ppd"
  std::string make_and_model;  // ppd-make-and-model
  std::string make;            // ppd-make
  std::string device_id;       // ppd-device-id (IEEE 1284), may be empty
  // Formats the printer takes, best first (the pipeline's targets). Empty for raw.
  std::vector<std::string> formats;
  std::string gs_device;       // Ghostscript device for the colour printer, if any
  std::string gs_device_mono;  // ... and for a monochrome one
  std::filesystem::path ppd;   // for PPD drivers
  std::string media_default;   // PWG media name of a PPD's *DefaultPageSize ("na_letter_8.5x11in")
  bool is_raw() const { return id == "raw"; }
};

// The drivers Quire ships: Generic PCL 6/PCL XL, Generic PCL 5e, Generic PostScript,
// Generic PDF, IPP Everywhere, raw.
const std::vector<DriverInfo>& builtin_drivers();

// A driver by id: a built-in one, or a PPD given by path or by its "lsb/usr/..." name
// under /usr/share/ppd. Errors name the id.
std::expected<DriverInfo, std::string> find_driver(std::string_view id);

// The driver a PPD file describes (make and model, its filters' input formats).
std::expected<DriverInfo, std::string> driver_from_ppd(const std::filesystem::path& ppd);

// What a queue with a driver can honour: for the IPP layer's job template checks
// (unsupported values are rejected there, with the right status) and for its printer
// attributes (document-format-supported, number-up-supported, sides-supported, ...).
struct DriverCapabilities {
  std::vector<std::string> document_formats;  // every type with a route to the printer
  std::vector<int> number_up;                  // 1 only on raw queues
  std::vector<std::string> number_up_layouts;  // all eight on driver queues
  std::vector<std::string> sides;              // one-sided, and two-sided-* when the printer duplexes
  std::vector<std::string> color_modes;        // monochrome, and color when the printer has it
  std::vector<int> resolutions_dpi;
  std::vector<std::string> job_sheets;         // none, standard
  bool page_ranges = false;
  bool fit_to_page = false;
};

class FilterCatalog;
DriverCapabilities driver_capabilities(const DriverInfo& driver, const FilterCatalog& catalog, bool color, bool duplex);

// Built-in drivers, then every PPD file under `ppd_dirs` (default /usr/share/ppd),
// sorted by make and model.
std::vector<DriverInfo> list_drivers(const std::vector<std::filesystem::path>& ppd_dirs = {"/usr/share/ppd"});

}  // namespace quire
