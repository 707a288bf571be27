// Device discovery (CUPS-Get-Devices, `lpinfo -v`): every backend run with no
// arguments lists the devices it can reach; all run at once, each bounded by a time
// limit, so a hanging backend delays the answer by at most that limit.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace quire {

struct DiscoveredDevice {
  std::string device_class;  // direct, network, serial, file
  std::string uri;
  std::string make_and_model;
  std::string info;
  std::string device_id;
  std::string location;
};

// Parses one line of a backend's discovery output:
//   class uri "make-and-model" "info" ["device-id" ["location"]]
std::optional<DiscoveredDevice> parse_device_line(std::string_view line);

using DiscoveryHandler = std::function<void(std::vector<DiscoveredDevice>)>;

// Runs the backends found in `backend_dirs` (first directory wins per scheme) and
// calls `done` on `executor` with what they listed, after all ended or `limit` passed.
void discover_devices(boost::asio::strand<boost::asio::io_context::executor_type> executor,
                      const std::vector<std::filesystem::path>& backend_dirs, const std::filesystem::path& temp_dir,
                      std::chrono::seconds limit, DiscoveryHandler done);

}  // namespace quire
