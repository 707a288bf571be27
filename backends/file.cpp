// file backend: writes a job to a file (file:///path) or, when the URI names a
// directory (file:///dir/), to DIR/PRINTER-JOBID.prn. CUPS's backend convention:
//   file job-id user title copies options [file]
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr int kBackendOk = 0;
constexpr int kBackendFailed = 1;

std::string path_from_uri(const char* uri) {
  std::string s = uri ? uri : "";
  if (s.rfind("file://", 0) == 0) s.erase(0, 7);
  else if (s.rfind("file:", 0) == 0) s.erase(0, 5);
  return s;
}

bool copy_all(int in, int out) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out, buf + off, static_cast<std::size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return false;
      off += w;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 1) return kBackendOk;  // discovery: a file device is configured, not found
  if (argc < 6 || argc > 7) {
    std::fprintf(stderr, "Usage: %s job-id user title copies options [file]\n", argv[0]);
    return kBackendFailed;
  }
  std::string target = path_from_uri(std::getenv("DEVICE_URI"));
  if (target.empty()) {
    std::fprintf(stderr, "ERROR: DEVICE_URI is not set\n");
    return kBackendFailed;
  }
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
  struct stat st {};
  if (target.back() == '/' || (::stat(target.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) {
    const char* printer = std::getenv("PRINTER");
    if (target.back() != '/') target += '/';
    target += std::string(printer ? printer : "job") + "-" + argv[1] + ".prn";
    flags |= O_APPEND;  // later documents of the same job follow the first
  } else if (::stat(target.c_str(), &st) != 0 || S_ISREG(st.st_mode)) {
    flags |= O_TRUNC;
  }
  int in = argc == 7 ? ::open(argv[6], O_RDONLY | O_CLOEXEC) : 0;
  if (in < 0) {
    std::fprintf(stderr, "ERROR: Unable to open print file: %s\n", std::strerror(errno));
    return kBackendFailed;
  }
  int out = ::open(target.c_str(), flags, 0644);
  if (out < 0) {
    std::fprintf(stderr, "ERROR: Unable to open %s: %s\n", target.c_str(), std::strerror(errno));
    return kBackendFailed;
  }
  std::fprintf(stderr, "INFO: Writing to %s\n", target.c_str());
  if (!copy_all(in, out) || (::fsync(out) != 0 && errno != EINVAL && errno != EROFS)) {
    std::fprintf(stderr, "ERROR: Unable to write %s: %s\n", target.c_str(), std::strerror(errno));
    return kBackendFailed;
  }
  ::close(out);
  std::fprintf(stderr, "INFO: Wrote %s\n", target.c_str());
  return kBackendOk;
}
