// What an admin picks from when adding a queue: CUPS-Get-Devices (`lpinfo -v`, the
// backends' discovery) and CUPS-Get-PPDs (`lpinfo -m`, the models Quire can drive).
#include "ipp/operation.hpp"

#include "quire/device_discovery.hpp"
#include "quire/drivers.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <cctype>

namespace quire {
namespace {

constexpr int kDefaultDiscoverySeconds = 10;

// ppd-type as cups-driverd reports it, from what the driver hands the printer.
const char* ppd_type(const DriverInfo& d) {
  if (d.is_raw()) return "unknown";
  if (!d.ppd.empty()) return d.formats == std::vector<std::string>{"printer/ppd"} ? "unknown" : "postscript";
  const std::string& first = d.formats.front();
  if (first == "application/postscript") return "postscript";
  if (first == "application/pdf") return "pdf";
  if (first.starts_with("image/")) return "raster";
  return "unknown";
}

// The models, read from the PPD directories at most once a minute: a CUPS-Get-PPDs should
// not open every PPD file on the system (thousands with Debian's driver packages) each
// time, on the scheduler strand. Shared by the process's schedulers, hence the lock.
std::vector<DriverInfo> cached_drivers(const std::vector<std::filesystem::path>& ppd_dirs) {
  static constexpr auto kFresh = std::chrono::seconds(60);
  static std::mutex mutex;
  static std::vector<std::filesystem::path> dirs;
  static std::vector<DriverInfo> drivers;
  static std::chrono::steady_clock::time_point read_at;
  std::lock_guard lock(mutex);
  auto now = std::chrono::steady_clock::now();
  if (dirs != ppd_dirs || drivers.empty() || now - read_at > kFresh) {
    drivers = list_drivers(ppd_dirs);
    dirs = ppd_dirs;
    read_at = now;
  }
  return drivers;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

bool scheme_listed(ipp_attribute_t* attr, const std::string& uri) {
  std::string scheme = uri.substr(0, uri.find(':'));
  for (const auto& s : attribute_strings(attr))
    if (s == scheme) return true;
  return false;
}

}  // namespace

void handle_cups_get_devices(const OperationPtr& op) {
  int seconds = std::clamp(op->request.find_integer("timeout", IPP_TAG_OPERATION).value_or(kDefaultDiscoverySeconds), 1, 60);
  const auto& options = op->scheduler.options();
  discover_devices(op->scheduler.strand(), options.discovery_dirs, options.state_dir / "tmp", std::chrono::seconds(seconds),
                   [op](std::vector<DiscoveredDevice> devices) {
                     ipp_attribute_t* include = op->request.find("include-schemes", IPP_TAG_OPERATION);
                     ipp_attribute_t* exclude = op->request.find("exclude-schemes", IPP_TAG_OPERATION);
                     auto limit = op->request.find_integer("limit", IPP_TAG_OPERATION);
                     int count = 0;
                     for (const auto& d : devices) {
                       if ((include && !scheme_listed(include, d.uri)) || (exclude && scheme_listed(exclude, d.uri))) continue;
                       if (limit && count >= *limit) break;
                       if (count++ > 0) op->response.add_separator();
                       IppMessage& r = op->response;
                       r.add_string(IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "device-class", d.device_class);
                       r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "device-info", d.info);
                       r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "device-make-and-model", d.make_and_model);
                       r.add_string(IPP_TAG_PRINTER, IPP_TAG_URI, "device-uri", d.uri);
                       r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "device-id", d.device_id);
                       r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "device-location", d.location);
                     }
                     op->reply();
                   });
}

// The models lpadmin -m takes (`lpinfo -m`): Quire's drivers, then the PPD files under
// /usr/share/ppd. Not "everywhere": CUPS's lpinfo adds that line itself. Filters as cups-driverd applies them: ppd-make, ppd-make-and-model,
// ppd-name (exact, case-insensitive), limit.
void handle_cups_get_ppds(const OperationPtr& op) {
  const IppMessage& rq = op->request;
  auto make = rq.find_string("ppd-make", IPP_TAG_OPERATION);
  auto model = rq.find_string("ppd-make-and-model", IPP_TAG_OPERATION);
  auto name = rq.find_string("ppd-name", IPP_TAG_OPERATION);
  auto limit = rq.find_integer("limit", IPP_TAG_OPERATION);
  int count = 0;
  for (const auto& d : cached_drivers(op->scheduler.options().ppd_dirs)) {
    if (d.id == "everywhere") continue;
    if ((make && !equal_ignoring_case(*make, d.make)) || (model && !equal_ignoring_case(*model, d.make_and_model)) ||
        (name && *name != d.id))
      continue;
    if (limit && count >= *limit) break;
    if (count++ > 0) op->response.add_separator();
    IppMessage& r = op->response;
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_NAME, "ppd-name", d.id);
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_LANGUAGE, "ppd-natural-language", "en");
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "ppd-make", d.make);
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "ppd-make-and-model", d.make_and_model);
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "ppd-device-id", d.device_id);
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "ppd-product", "(" + d.make_and_model + ")");
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "ppd-psversion", "");
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "ppd-type", ppd_type(d));
    r.add_integer(IPP_TAG_PRINTER, IPP_TAG_INTEGER, "ppd-model-number", 0);
  }
  op->reply();
}

}  // namespace quire
