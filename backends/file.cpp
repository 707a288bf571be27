// file backend: writes a job to a file (file:///path, or a bare path such as /dev/null
// as lpadmin accepts it) or, when the URI names a directory (file:///dir/), to
// DIR/PRINTER-JOBID.prn. Whether file URIs are allowed at all is the scheduler's
// decision (FileDevice), not this program's. Exit codes: see docs/backends.md.
// Where and how the target is written is quire/file_target.hpp, which the daemon also
// uses when it delivers a raw job itself; stdin (a filter's output) is this program's.
#include <cstdlib>
#include <string>

#include "common/back_channel.hpp"
#include "common/backend_process.hpp"
#include "common/backend_status.hpp"
#include "common/device_stream.hpp"
#include "common/job_args.hpp"
#include "quire/file_target.hpp"

namespace qb = quire::backend;
using qb::ExitCode;

namespace {

std::string printer_name() {
  const char* printer = std::getenv("PRINTER");
  return printer ? printer : "";
}

void report(std::string_view line) { qb::report_line(line); }

// The filters' output on stdin, copied once (they made the copies); on SIGTERM what
// they still write is taken for a few seconds (docs/backends.md).
ExitCode print_stdin(const qb::JobArgs& args) {
  auto path = quire::file_device_path(args.device_uri);
  if (!path) {
    qb::report_error(path.error());
    return ExitCode::kStop;
  }
  quire::FileTarget target = quire::choose_file_target(*path, printer_name(), args.job_id);
  auto opened = quire::open_file_target(target);
  if (!opened) {
    qb::report_error(opened.error());
    return ExitCode::kFailed;
  }
  qb::UniqueFd out(*opened);
  qb::report_info("Writing to " + target.path);
  qb::StreamOptions options;
  options.read_back_channel = false;
  options.stop_on_cancel = false;
  auto back_channel = qb::BackChannel::from_fd3();
  auto written = qb::copy_to_device(STDIN_FILENO, out.get(), back_channel, options);
  if (!written && written.error().failure == qb::StreamFailure::kCanceled) {
    qb::report_info("Job canceled.");
    return ExitCode::kOk;
  }
  if (!written) {
    qb::report_error(target.path + ": " + written.error().describe());
    return ExitCode::kFailed;
  }
  if (auto synced = quire::sync_file_target(out.get(), target.path); !synced) {
    qb::report_error(synced.error());
    return ExitCode::kFailed;
  }
  if (!qb::cancel_requested()) qb::report_info("Wrote " + target.path);
  return ExitCode::kOk;
}

ExitCode print(const qb::JobArgs& args) {
  if (!args.file) return print_stdin(args);
  quire::FileDelivery delivery{args.device_uri, printer_name(), args.job_id, *args.file, args.copies, qb::cancel_fd()};
  return static_cast<ExitCode>(quire::deliver_file(delivery, report).exit_code);
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
