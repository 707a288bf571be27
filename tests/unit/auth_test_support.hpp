// Test support for authentication: a private PAM configuration (pam_start_confdir) whose
// "cups" service accepts exactly one password, so Basic authentication runs through
// real PAM without touching /etc/pam.d or any account.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace quire::testing {

inline constexpr const char* kPamPassword = "s3cret pass";

// A temporary directory holding PAM service files. Removed on destruction.
class PamConfigDir {
 public:
  // `password`: the one password the "cups" service accepts (pam_exec hands it to a
  // script on stdin); empty: the service refuses everyone (pam_deny).
  explicit PamConfigDir(const std::string& password = kPamPassword) {
    dir_ = std::filesystem::temp_directory_path() /
           ("quire-pam-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
    std::ofstream service(dir_ / "cups");
    if (password.empty()) {
      service << "auth required pam_deny.so\naccount required pam_permit.so\n";
      return;
    }
    const auto script = dir_ / "check-password";
    std::ofstream(script) << "#!/bin/bash\nIFS= read -r -d '' pw\n"
                          << "[ \"$pw\" = '" << password << "' ]\n";
    std::filesystem::permissions(script, std::filesystem::perms(0755));
    service << "auth required pam_exec.so expose_authtok quiet " << script.string() << "\n"
            << "account required pam_permit.so\n";
  }
  ~PamConfigDir() { std::filesystem::remove_all(dir_); }
  const std::filesystem::path& path() const { return dir_; }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path dir_;
};

}  // namespace quire::testing
