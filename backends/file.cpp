// file backend: writes a job to a file (file:///path, or a bare path such as /dev/null
// as lpadmin accepts it) or, when the URI names a directory (file:///dir/), to
// DIR/PRINTER-JOBID.prn. Whether file URIs are allowed at all is the scheduler's
// decision (FileDevice), not this program's. Exit codes: see docs/backends.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/back_channel.hpp"
#include "common/backend_process.hpp"
#include "common/backend_status.hpp"
#include "common/device_stream.hpp"
#include "common/device_uri.hpp"
#include "common/job_args.hpp"

namespace qb = quire::backend;
using qb::ExitCode;

namespace {

// "file:///tmp/x%20y" → "/tmp/x y"; "/dev/null" stays as it is. Any scheme is accepted
// so that the program also works installed under another name.
std::expected<std::string, std::string> path_from_uri(const std::string& uri) {
  if (!uri.empty() && uri[0] == '/') return uri;
  auto parsed = qb::DeviceUri::parse(uri);
  if (!parsed) return std::unexpected(parsed.error());
  // libcups reads "file:" as "file:/"; only an explicit "/" may mean the root directory.
  bool names_a_path = uri.find('/', uri.find(':')) != std::string::npos;
  if (parsed->path().empty() || !names_a_path)
    return std::unexpected("Device URI " + uri + " names no file");
  return parsed->path();
}

struct Target {
  std::string path;
  int flags;
};

Target choose_target(std::string path, const qb::JobArgs& args) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
  struct stat st {};
  if (path.back() == '/' || (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) {
    const char* printer = std::getenv("PRINTER");
    if (path.back() != '/') path += '/';
    path += std::string(printer && *printer ? printer : "job") + "-" + args.job_id + ".prn";
    return {path, flags | O_APPEND};  // later documents of the same job follow the first
  }
  if (::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) flags |= O_TRUNC;
  return {path, flags};
}

ExitCode write_copies(const qb::JobArgs& args, int in, int out, const std::string& target) {
  qb::StreamOptions options;
  options.read_back_channel = false;
  options.stop_on_cancel = args.file.has_value();
  auto back_channel = qb::BackChannel::from_fd3();
  for (int copy = 0; copy < args.copies; ++copy) {
    if (args.file) ::lseek(in, 0, SEEK_SET);
    auto written = qb::copy_to_device(in, out, back_channel, options);
    if (!written && written.error().failure == qb::StreamFailure::kCanceled) {
      qb::report_info("Job canceled.");
      return ExitCode::kOk;
    }
    if (!written) {
      qb::report_error(target + ": " + written.error().describe());
      return ExitCode::kFailed;
    }
  }
  // Devices and pipes cannot be synced; that is not a failure.
  if (::fsync(out) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP) {
    qb::report_errno("Unable to write " + target, errno);
    return ExitCode::kFailed;
  }
  return ExitCode::kOk;
}

ExitCode print(const qb::JobArgs& args) {
  auto path = path_from_uri(args.device_uri);
  if (!path) {
    qb::report_error(path.error());
    return ExitCode::kStop;
  }
  Target target = choose_target(*path, args);
  auto input = qb::open_print_data(args);
  if (!input) {
    qb::report_error(input.error());
    return ExitCode::kFailed;
  }
  qb::UniqueFd out(::open(target.path.c_str(), target.flags, 0644));
  if (!out.valid()) {
    qb::report_errno("Unable to open " + target.path, errno);
    return ExitCode::kFailed;
  }
  ::fcntl(out.get(), F_SETFL, ::fcntl(out.get(), F_GETFL) | O_NONBLOCK);
  qb::report_info("Writing to " + target.path);
  ExitCode code = write_copies(args, input->get(), out.get(), target.path);
  if (code == ExitCode::kOk && !qb::cancel_requested()) qb::report_info("Wrote " + target.path);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  qb::start_backend();
  if (qb::is_discovery(argc)) return qb::to_int(ExitCode::kOk);  // configured, not found
  auto args = qb::parse_job_args(argc, argv, /*resolve_dnssd=*/false);
  if (!args) {
    qb::report_error(args.error());
    return qb::to_int(ExitCode::kFailed);
  }
  return qb::to_int(print(*args));
}
