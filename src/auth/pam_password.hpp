// Checking a user name and password with PAM (Basic authentication from remote
// clients), as cupsd does: pam_authenticate then pam_acct_mgmt. Blocking (PAM modules
// may sleep seconds after a wrong password): call it off the network threads.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>

namespace quire::auth {

struct PamOptions {
  std::string service = "cups";  // /etc/pam.d/cups, which Debian's CUPS installs
  // A directory to read the service file from instead of /etc/pam.d (tests point it
  // at a private directory; pam_start_confdir, Linux-PAM 1.4+).
  std::optional<std::filesystem::path> config_dir;
};

// Succeeds when PAM accepts the password and the account; the error is PAM's reason.
std::expected<void, std::string> check_password(const PamOptions& options, const std::string& user,
                                                const std::string& password, const std::string& remote_host);

}  // namespace quire::auth
