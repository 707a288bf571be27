// LocalCertificates: CUPS's "Local" authentication for clients on this machine. At
// start the daemon writes a random certificate to CERTS/0 (32 hex digits, mode 0440,
// group: the first SystemGroup other than root). libcups reads $CUPS_STATEDIR/certs/0
// when a 401 offers `Local trc="y"` and sends `Authorization: Local <certificate>`;
// whoever can read the file may act as root, so root and that group can administer
// without a password. The file is removed when this object goes (daemon shutdown).
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

// Owned by the daemon, shared with the Authenticator. Read-only after create():
// thread-safe.
class LocalCertificates {
 public:
  // Creates `dir` (0711) and a fresh root certificate in it. Errors name the file.
  static std::expected<std::unique_ptr<LocalCertificates>, std::string> create(
      const std::filesystem::path& dir, const std::vector<std::string>& system_groups);
  ~LocalCertificates();
  LocalCertificates(const LocalCertificates&) = delete;
  LocalCertificates& operator=(const LocalCertificates&) = delete;

  // The user a certificate stands for ("root"), or nullopt for an unknown one.
  std::optional<std::string> user_for(std::string_view certificate) const;
  const std::filesystem::path& root_certificate_file() const { return root_file_; }

 private:
  LocalCertificates(std::filesystem::path root_file, std::string root_certificate)
      : root_file_(std::move(root_file)), root_certificate_(std::move(root_certificate)) {}

  std::filesystem::path root_file_;
  std::string root_certificate_;
};

}  // namespace quire
