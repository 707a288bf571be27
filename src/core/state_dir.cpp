// A state directory's layout and the embedded default configuration.
#include "quire/config.hpp"
#include "quire/daemon.hpp"

#include <cups/cups.h>

#include <ctime>

namespace quire {
namespace fs = std::filesystem;

void initialize_state_dir(const fs::path& state_dir) {
  for (const char* sub : {"log", "spool", "run", "tmp", "output"}) fs::create_directories(state_dir / sub);
  if (!fs::exists(state_dir / "cupsd.conf")) {
    auto written = write_file_atomically(state_dir / "cupsd.conf", default_cupsd_conf());
    if (!written) throw std::runtime_error(written.error());
  }
  // The pristine default, kept up to date with this version (CUPS's cupsd.conf.default).
  if (auto kept = write_file_atomically(state_dir / "cupsd.conf.default", default_cupsd_conf()); !kept)
    throw std::runtime_error(kept.error());
  if (fs::exists(state_dir / "printers.conf")) return;
  PrinterConfig demo;
  auto& d = demo.description;
  d.name = "demo";
  d.info = "Demo printer (writes each job to a file)";
  d.location = (state_dir / "output").string();
  d.make_and_model = "Quire file output";
  d.device_uri = "file://" + (fs::absolute(state_dir) / "output").lexically_normal().string() + "/";
  char uuid[64];
  httpAssembleUUID("localhost", 631, "demo", 0, uuid, sizeof uuid);
  d.uuid = uuid;
  d.document_formats = {"application/octet-stream", "application/pdf", "application/postscript", "image/jpeg",
                        "image/png", "image/pwg-raster", "image/urf", "text/plain"};
  d.config_change_time = static_cast<std::int64_t>(std::time(nullptr));
  demo.is_default = true;
  auto written = save_printers_conf(state_dir / "printers.conf", {demo});
  if (!written) throw std::runtime_error(written.error());
}

}  // namespace quire
