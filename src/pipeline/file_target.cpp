// file: devices: the path a URI names, the file a job goes to, and writing a print
// file there (copies, cancel, sync) with the file backend's messages and exit codes.
#include "quire/file_target.hpp"

#include <cups/http.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace quire {
namespace {

constexpr int kExitOk = 0, kExitFailed = 1, kExitStop = 4;  // CUPS's backend exit codes
constexpr std::size_t kBlock = 64 * 1024;

std::string error_text(std::string_view what, int err) { return std::string(what) + ": " + std::strerror(err); }

// An owned descriptor (the backend's and the pipeline's own types are not visible here).
struct OwnedFd {
  int fd = -1;
  ~OwnedFd() {
    if (fd >= 0) ::close(fd);
  }
};

bool is_signalled(int cancel_fd) {
  if (cancel_fd < 0) return false;
  pollfd p{cancel_fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

enum class CopyEnd { kDone, kCanceled, kFailed };
struct CopyOutcome {
  CopyEnd end = CopyEnd::kDone;
  std::string error;  // for kFailed: "Unable to write print data: ..."
};

// Writes all of `data`, waiting (for a device that is not ready) on the device or the
// cancel descriptor, whichever comes first.
CopyOutcome write_all(int out, const char* data, std::size_t size, int cancel_fd) {
  while (size > 0) {
    ssize_t n = ::write(out, data, size);
    if (n >= 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EPIPE || errno == ECONNRESET) return {CopyEnd::kFailed, error_text("The printer closed the connection", errno)};
    if (errno != EAGAIN) return {CopyEnd::kFailed, error_text("Unable to write print data", errno)};
    std::array<pollfd, 2> fds{pollfd{out, POLLOUT, 0}, pollfd{cancel_fd, POLLIN, 0}};
    if (::poll(fds.data(), cancel_fd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
      return {CopyEnd::kFailed, error_text("Unable to write print data", errno)};
    if (fds[1].revents & POLLIN) return {CopyEnd::kCanceled, {}};
  }
  return {};
}

CopyOutcome copy_copies(int in, int out, int copies, int cancel_fd) {
  std::array<char, kBlock> buffer;
  for (int copy = 0; copy < copies; ++copy) {
    if (::lseek(in, 0, SEEK_SET) < 0) return {CopyEnd::kFailed, error_text("Unable to read print data", errno)};
    for (;;) {
      if (is_signalled(cancel_fd)) return {CopyEnd::kCanceled, {}};
      ssize_t n = ::read(in, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return {CopyEnd::kFailed, error_text("Unable to read print data", errno)};
      if (n == 0) break;
      if (auto written = write_all(out, buffer.data(), static_cast<std::size_t>(n), cancel_fd); written.end != CopyEnd::kDone)
        return written;
    }
  }
  return {};
}

bool is_dev_null(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

}  // namespace

std::expected<std::string, std::string> file_device_path(const std::string& uri) {
  if (!uri.empty() && uri[0] == '/') return uri;
  char scheme[64], userpass[256], host[1024], resource[4096];
  int port = 0;
  http_uri_status_t status = httpSeparateURI(HTTP_URI_CODING_MOST, uri.c_str(), scheme, sizeof scheme, userpass,
                                             sizeof userpass, host, sizeof host, &port, resource, sizeof resource);
  if (status < HTTP_URI_STATUS_OK)
    return std::unexpected("Bad device URI \"" + uri + "\": " + httpURIStatusString(status));
  std::string path = resource;
  if (auto query = path.find('?'); query != std::string::npos) path.erase(query);
  // libcups reads "file:" as "file:/"; only an explicit "/" may mean the root directory.
  bool names_a_path = uri.find('/', uri.find(':')) != std::string::npos;
  if (path.empty() || !names_a_path) return std::unexpected("Device URI " + uri + " names no file");
  return path;
}

FileTarget choose_file_target(std::string path, std::string_view printer, std::string_view job_id) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (path.back() == '/' || (exists && S_ISDIR(st.st_mode))) {
    if (path.back() != '/') path += '/';
    path += std::string(printer.empty() ? "job" : printer) + "-" + std::string(job_id) + ".prn";
    return {path, flags | O_APPEND, false};  // later documents of the same job follow the first
  }
  if (!exists || S_ISREG(st.st_mode)) return {path, flags | O_TRUNC, false};
  return {path, flags, !is_dev_null(st)};
}

std::expected<int, std::string> open_file_target(const FileTarget& target) {
  int fd = ::open(target.path.c_str(), target.open_flags, 0644);
  if (fd < 0) return std::unexpected(error_text("Unable to open " + target.path, errno));
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

std::expected<void, std::string> sync_file_target(int fd, const std::string& path) {
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP)
    return std::unexpected(error_text("Unable to write " + path, errno));
  return {};
}

FileDeliveryResult deliver_file(const FileDelivery& delivery, const std::function<void(std::string_view)>& report) {
  auto path = file_device_path(delivery.device_uri);
  if (!path) {
    report("ERROR: " + path.error());
    return {kExitStop, false};
  }
  return deliver_file_to(choose_file_target(*path, delivery.printer, delivery.job_id), delivery, report);
}

FileDeliveryResult deliver_file_to(const FileTarget& target, const FileDelivery& delivery,
                                   const std::function<void(std::string_view)>& report) {
  OwnedFd in{::open(delivery.document.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) {
    report("ERROR: " + error_text("Unable to open print file " + delivery.document, errno));
    return {kExitFailed, false};
  }
  auto opened = open_file_target(target);
  if (!opened) {
    report("ERROR: " + opened.error());
    return {kExitFailed, false};
  }
  OwnedFd out{*opened};
  report("INFO: Writing to " + target.path);
  CopyOutcome copied = copy_copies(in.fd, out.fd, delivery.copies, delivery.cancel_fd);
  if (copied.end == CopyEnd::kCanceled) {
    report("INFO: Job canceled.");
    return {kExitOk, true};
  }
  if (copied.end == CopyEnd::kFailed) {
    report("ERROR: " + target.path + ": " + copied.error);
    return {kExitFailed, false};
  }
  if (auto synced = sync_file_target(out.fd, target.path); !synced) {
    report("ERROR: " + synced.error());
    return {kExitFailed, false};
  }
  if (is_signalled(delivery.cancel_fd)) return {kExitOk, true};
  report("INFO: Wrote " + target.path);
  return {kExitOk, false};
}

}  // namespace quire
