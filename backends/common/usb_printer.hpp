// USB printers as libusb sees them: printer-class interfaces (7/1/1 unidirectional,
// 7/1/2 bidirectional), their IEEE 1284 device IDs, the usb:// URIs CUPS gives them
// (usb://Make/Model?serial=SN[&interface=N]), and matching a queue's URI to a device.
// Used by the usb backend only, on its one thread.
#pragma once

#include <libusb-1.0/libusb.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "device_uri.hpp"

namespace quire::backend {

// bmRequestType of the printer class's requests: class, device-to-host, to an interface.
inline constexpr uint8_t kPrinterClassRequestIn = static_cast<uint8_t>(LIBUSB_REQUEST_TYPE_CLASS) |
                                                  static_cast<uint8_t>(LIBUSB_ENDPOINT_IN) |
                                                  static_cast<uint8_t>(LIBUSB_RECIPIENT_INTERFACE);

struct UsbDeviceUnref {
  void operator()(libusb_device* d) const { libusb_unref_device(d); }
};
using UsbDeviceRef = std::unique_ptr<libusb_device, UsbDeviceUnref>;

struct UsbHandleClose {
  void operator()(libusb_device_handle* h) const { libusb_close(h); }
};
using UsbHandle = std::unique_ptr<libusb_device_handle, UsbHandleClose>;

// libusb's context; one per process.
class UsbContext {
 public:
  static std::expected<UsbContext, std::string> create();
  UsbContext(UsbContext&& other) noexcept : ctx_(other.ctx_) { other.ctx_ = nullptr; }
  UsbContext& operator=(UsbContext&&) = delete;
  ~UsbContext() {
    if (ctx_) libusb_exit(ctx_);
  }
  libusb_context* get() const { return ctx_; }

 private:
  explicit UsbContext(libusb_context* ctx) : ctx_(ctx) {}
  libusb_context* ctx_;
};

struct UsbPrinter {
  UsbDeviceRef device;
  int config_index = 0;
  int config_value = 1;
  int interface_number = 0;
  int alt_setting = 0;
  int protocol = 0;  // 1 unidirectional, 2 bidirectional
  uint8_t out_endpoint = 0;
  uint8_t in_endpoint = 0;  // 0: no back-channel
  std::string device_id;
  std::string make, model, serial;  // as they appear in the URI
  std::string uri;
  std::string make_and_model;
};

// Every printer on the bus that we can open, one interface each (bidirectional
// preferred). Devices we may not open (permissions) are skipped with a DEBUG line.
std::vector<UsbPrinter> find_usb_printers(libusb_context* ctx);

// Reads the IEEE 1284 device ID with the printer class's GET_DEVICE_ID request.
std::optional<std::string> read_usb_device_id(libusb_device_handle* handle,
                                              const UsbPrinter& printer);

// What a queue's usb:// URI asks for.
struct UsbQuery {
  std::string make, model;
  std::optional<std::string> serial;
  std::optional<int> interface_number;
};
std::expected<UsbQuery, std::string> parse_usb_query(const DeviceUri& uri);

// Make and model compare without case; serial and interface only when the URI names them.
bool matches(const UsbPrinter& printer, const UsbQuery& query);

}  // namespace quire::backend
