// The root certificate file of CUPS's Local authentication scheme.
#include "quire/local_certificates.hpp"

#include "auth/user_groups.hpp"
#include "quire/log.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace quire {
namespace {

constexpr std::size_t kCertificateBytes = 16;  // 32 hex digits, as CUPS's certificates

std::expected<std::string, std::string> random_certificate() {
  std::array<unsigned char, kCertificateBytes> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(std::string("getrandom: ") + std::strerror(errno));
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string text;
  for (unsigned char b : bytes) {
    text += kHex[b >> 4];
    text += kHex[b & 15];
  }
  return text;
}

// The group that may read the root certificate: the first SystemGroup that is not
// root's own (root reads it anyway).
std::optional<gid_t> reader_group(const std::vector<std::string>& system_groups) {
  for (const auto& name : system_groups)
    if (auto gid = auth::group_id(name); gid && *gid != 0) return gid;
  return std::nullopt;
}

// Constant-time comparison: a certificate must not leak through response timing.
bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::expected<std::unique_ptr<LocalCertificates>, std::string> LocalCertificates::create(
    const std::filesystem::path& dir, const std::vector<std::string>& system_groups) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || ::chmod(dir.c_str(), 0711) != 0)
    return std::unexpected(dir.string() + ": " + (ec ? ec.message() : std::strerror(errno)));
  auto certificate = random_certificate();
  if (!certificate) return std::unexpected(certificate.error());
  const std::filesystem::path file = dir / "0";
  ::unlink(file.c_str());
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
  if (fd < 0) return std::unexpected(file.string() + ": " + std::strerror(errno));
  const bool written = ::write(fd, certificate->data(), certificate->size()) == static_cast<ssize_t>(certificate->size());
  const int write_errno = errno;
  if (auto gid = reader_group(system_groups); gid && ::fchown(fd, ::geteuid(), *gid) != 0)
    log::error().debug("{}: cannot give group {} read access: {}", file.string(), *gid, std::strerror(errno));
  ::fchmod(fd, 0440);
  ::close(fd);
  if (!written) {
    ::unlink(file.c_str());
    return std::unexpected(file.string() + ": " + std::strerror(write_errno));
  }
  return std::unique_ptr<LocalCertificates>(new LocalCertificates(file, std::move(*certificate)));
}

LocalCertificates::~LocalCertificates() { ::unlink(root_file_.c_str()); }

std::optional<std::string> LocalCertificates::user_for(std::string_view certificate) const {
  if (same_secret(certificate, root_certificate_)) return std::string("root");
  return std::nullopt;
}

}  // namespace quire
