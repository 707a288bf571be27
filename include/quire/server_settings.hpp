// ServerSettings: the cupsd.conf the daemon runs with, as a file an administrator (or
// cupsctl, over HTTP) reads and replaces while the daemon runs. A replacement is
// validated first (a fatal problem leaves the file alone and says file:line), written
// atomically, then handed to the change listeners, which apply what can change live
// (LogLevel, access rules); the rest is named as waiting for a restart.
#pragma once

#include "quire/config.hpp"

#include <expected>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

// Owned by the daemon (shared_ptr), shared with the admin web handler. Thread-safe;
// replace() blocks on the disk (fsync): call it off the network threads.
class ServerSettings {
 public:
  // Runs after each successful replace(), on the replacing thread.
  using ChangeListener = std::function<void(const ServerConfig& before, const ServerConfig& after)>;

  struct Replaced {
    std::vector<ConfigDiagnostic> warnings;
    std::vector<std::string> needs_restart;  // directives whose new values wait for a restart
  };
  struct Refusal {
    bool invalid = true;  // the text is wrong (400); otherwise it could not be written (500)
    std::string message;  // "cupsd.conf:12: MaxJobs: expected a whole number..."
  };

  // `file` is the cupsd.conf `current` was read from.
  ServerSettings(std::filesystem::path file, ServerConfig current);

  const std::filesystem::path& file() const { return file_; }
  ServerConfig current() const;
  std::expected<std::string, std::string> read_text() const;
  std::expected<Replaced, Refusal> replace(std::string_view text);
  void on_change(ChangeListener listener);

 private:
  const std::filesystem::path file_;
  mutable std::mutex mutex_;
  ServerConfig current_;
  std::vector<ChangeListener> listeners_;
};

// The directives whose change between `before` and `after` only a restart applies
// (Listen, Port, MaxJobs, ...).
std::vector<std::string> settings_needing_restart(const ServerConfig& before, const ServerConfig& after);

}  // namespace quire
