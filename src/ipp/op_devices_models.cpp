// What an admin picks from when adding a queue: CUPS-Get-Devices (`lpinfo -v`, the
// backends' discovery) and CUPS-Get-PPDs (`lpinfo -m`, the models Quire can drive).
#include "ipp/operation.hpp"

#include "quire/device_discovery.hpp"

#include <algorithm>

namespace quire {
namespace {

constexpr int kDefaultDiscoverySeconds = 10;

struct Model {
  const char* name;
  const char* make;
  const char* make_and_model;
};

// Until the filter chain brings its drivers, the one model every queue can use.
constexpr Model kModels[] = {
    {"raw", "Raw", "Raw Queue"},
};

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

void handle_cups_get_ppds(const OperationPtr& op) {
  auto make_filter = op->request.find_string("ppd-make", IPP_TAG_OPERATION);
  int count = 0;
  for (const auto& m : kModels) {
    if (make_filter && *make_filter != m.make) continue;
    if (count++ > 0) op->response.add_separator();
    IppMessage& r = op->response;
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_NAME, "ppd-name", m.name);
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_LANGUAGE, "ppd-natural-language", "en");
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "ppd-make", m.make);
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "ppd-make-and-model", m.make_and_model);
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "ppd-device-id", "");
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "ppd-product", m.make_and_model);
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_TEXT, "ppd-psversion", "");
    r.add_string(IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "ppd-type", "unknown");
    r.add_integer(IPP_TAG_PRINTER, IPP_TAG_INTEGER, "ppd-model-number", 0);
  }
  op->reply();
}

}  // namespace quire
