// libusb enumeration of printer-class interfaces and CUPS-compatible usb:// URIs.
#include "usb_printer.hpp"

#include <cups/http.h>
#include <strings.h>

#include <cstdlib>

#include "backend_status.hpp"
#include "ieee1284.hpp"

namespace quire::backend {
namespace {

constexpr unsigned kControlTimeoutMs = 5000;
constexpr uint8_t kPrinterClass = 7, kPrinterSubclass = 1;

struct ConfigDeleter {
  void operator()(libusb_config_descriptor* c) const { libusb_free_config_descriptor(c); }
};

// Fills the interface fields of `printer` with the best printer interface of one config.
bool pick_interface(const libusb_config_descriptor& config, UsbPrinter& printer) {
  int best = 0;
  for (int i = 0; i < config.bNumInterfaces; ++i) {
    const libusb_interface& itf = config.interface[i];
    for (int a = 0; a < itf.num_altsetting; ++a) {
      const libusb_interface_descriptor& alt = itf.altsetting[a];
      if (alt.bInterfaceClass != kPrinterClass || alt.bInterfaceSubClass != kPrinterSubclass)
        continue;
      if (alt.bInterfaceProtocol != 1 && alt.bInterfaceProtocol != 2) continue;  // not 1284.4
      if (alt.bInterfaceProtocol <= best) continue;
      uint8_t out = 0, in = 0;
      for (int e = 0; e < alt.bNumEndpoints; ++e) {
        const libusb_endpoint_descriptor& ep = alt.endpoint[e];
        if ((ep.bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK) continue;
        if (ep.bEndpointAddress & LIBUSB_ENDPOINT_IN) {
          in = in ? in : ep.bEndpointAddress;
        } else {
          out = out ? out : ep.bEndpointAddress;
        }
      }
      if (!out) continue;
      best = alt.bInterfaceProtocol;
      printer.interface_number = alt.bInterfaceNumber;
      printer.alt_setting = alt.bAlternateSetting;
      printer.protocol = alt.bInterfaceProtocol;
      printer.out_endpoint = out;
      printer.in_endpoint = alt.bInterfaceProtocol == 2 ? in : 0;
    }
  }
  return best > 0;
}

std::optional<UsbPrinter> printer_interface(libusb_device* device) {
  libusb_device_descriptor desc{};
  if (libusb_get_device_descriptor(device, &desc) != 0) return std::nullopt;
  for (int c = 0; c < desc.bNumConfigurations; ++c) {
    libusb_config_descriptor* raw = nullptr;
    if (libusb_get_config_descriptor(device, static_cast<uint8_t>(c), &raw) != 0) continue;
    std::unique_ptr<libusb_config_descriptor, ConfigDeleter> config(raw);
    UsbPrinter printer;
    if (!pick_interface(*config, printer)) continue;
    printer.config_index = c;
    printer.config_value = config->bConfigurationValue;
    printer.device.reset(libusb_ref_device(device));
    return printer;
  }
  return std::nullopt;
}

std::string string_descriptor(libusb_device_handle* handle, uint8_t index) {
  if (index == 0) return "";
  unsigned char text[256];
  int n = libusb_get_string_descriptor_ascii(handle, index, text, sizeof text - 1);
  return n > 0 ? std::string(reinterpret_cast<char*>(text), static_cast<std::size_t>(n)) : "";
}

// Make, model and serial the way CUPS's usb backend builds them, so that queues made
// under CUPS keep finding their printer.
void describe(libusb_device_handle* handle, UsbPrinter& printer) {
  libusb_device_descriptor desc{};
  libusb_get_device_descriptor(printer.device.get(), &desc);
  printer.device_id = read_usb_device_id(handle, printer).value_or("");
  DeviceId id = DeviceId::parse(printer.device_id);
  printer.serial = string_descriptor(handle, desc.iSerialNumber);
  if (printer.serial.empty()) printer.serial = id.serial();
  printer.make =
      id.manufacturer().empty() ? string_descriptor(handle, desc.iManufacturer) : id.uri_make();
  std::string model = id.model().empty() ? string_descriptor(handle, desc.iProduct) : id.model();
  if (printer.make.empty()) printer.make = "Unknown";
  if (model.size() > printer.make.size() &&
      strncasecmp(model.c_str(), printer.make.c_str(), printer.make.size()) == 0 &&
      model[printer.make.size()] == ' ') {
    model = model.substr(printer.make.size() + 1);
  }
  printer.model = model.empty() ? "Unknown Model" : model;
  printer.make_and_model = id.empty() ? printer.make + " " + printer.model : id.make_and_model();
  char uri[1024];
  std::string query = printer.serial.empty() ? "" : "?serial=" + printer.serial;
  if (printer.interface_number > 0) {
    query += (query.empty() ? "?" : "&") + std::string("interface=") +
             std::to_string(printer.interface_number);
  }
  httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof uri, "usb", nullptr, printer.make.c_str(), 0,
                   "/%s%s", printer.model.c_str(), query.c_str());
  printer.uri = uri;
}

}  // namespace

std::expected<UsbContext, std::string> UsbContext::create() {
  libusb_context* ctx = nullptr;
  int rc = libusb_init(&ctx);
  if (rc != 0)
    return std::unexpected(std::string("Unable to initialize USB access: ") + libusb_strerror(rc));
  return UsbContext(ctx);
}

std::optional<std::string> read_usb_device_id(libusb_device_handle* handle,
                                              const UsbPrinter& printer) {
  unsigned char buffer[1024] = {};
  int n = libusb_control_transfer(
      handle, kPrinterClassRequestIn, 0, static_cast<uint16_t>(printer.config_index),
      static_cast<uint16_t>((printer.interface_number << 8) | printer.alt_setting), buffer,
      sizeof buffer, kControlTimeoutMs);
  if (n < 2) return std::nullopt;
  return decode_device_id(buffer, static_cast<std::size_t>(n));
}

std::vector<UsbPrinter> find_usb_printers(libusb_context* ctx) {
  libusb_device** list = nullptr;
  ssize_t count = libusb_get_device_list(ctx, &list);
  std::vector<UsbPrinter> printers;
  for (ssize_t i = 0; i < count; ++i) {
    auto printer = printer_interface(list[i]);
    if (!printer) continue;
    libusb_device_handle* raw = nullptr;
    if (int rc = libusb_open(list[i], &raw); rc != 0) {
      report_debug(std::string("Unable to open a USB printer: ") + libusb_strerror(rc));
      continue;
    }
    UsbHandle handle(raw);
    // GET_DEVICE_ID goes to the interface, which usblp may hold: borrow it (libusb gives
    // it back to usblp on release), as CUPS does. A printer busy with another job keeps
    // its interface; its URI then comes from the string descriptors.
    libusb_set_auto_detach_kernel_driver(handle.get(), 1);
    bool claimed = libusb_claim_interface(handle.get(), printer->interface_number) == 0;
    describe(handle.get(), *printer);
    if (claimed) libusb_release_interface(handle.get(), printer->interface_number);
    printers.push_back(std::move(*printer));
  }
  if (count >= 0) libusb_free_device_list(list, 1);
  return printers;
}

std::expected<UsbQuery, std::string> parse_usb_query(const DeviceUri& uri) {
  UsbQuery q;
  q.make = uri.host();
  q.model = uri.path().empty() ? "" : uri.path().substr(1);
  if (q.make.empty() || q.model.empty()) {
    return std::unexpected("Device URI " + uri.text() + " does not name a make and a model");
  }
  q.serial = uri.option("serial");
  if (q.serial && (q.serial->empty() || *q.serial == "?")) q.serial.reset();  // CUPS: "no serial"
  if (auto itf = uri.option("interface")) q.interface_number = std::atoi(itf->c_str());
  return q;
}

bool matches(const UsbPrinter& printer, const UsbQuery& query) {
  if (strcasecmp(printer.make.c_str(), query.make.c_str()) != 0) return false;
  if (strcasecmp(printer.model.c_str(), query.model.c_str()) != 0) return false;
  if (query.serial && *query.serial != printer.serial) return false;
  if (query.interface_number && *query.interface_number != printer.interface_number) return false;
  return true;
}

}  // namespace quire::backend
