// RunningJob: a job's child processes while it prints. For each document in turn it
// types the bytes, plans the cheapest filter chain to the printer's language, and runs
// filters → backend connected by pipes, all in one process group, following CUPS's
// calling convention. Lives on the scheduler strand; its callbacks run there.
//
// A document's run, and how it ends:
//   plan ──(lie / unprintable)──► aborted, document-format-error
//    │
//   spawn filters (as lp when root) ─pipe─► … ─pipe─► [relay in the daemon] ─pipe─► backend
//    │     every process's stderr: status lines (PAGE:, STATE:, INFO:, ERROR:, ATTR:, DEBUG:)
//    ├─ all exit 0, output seen ──────────────► next document, then success
//    ├─ a filter crashes or fails ────────────► error policy: abort-job (default),
//    │                                          retry-current-job / retry-job (limited),
//    │                                          stop-printer
//    ├─ no output (nor status lines) for filter_timeout ► the group is killed; a failure
//    ├─ filters exit 0 with no output ────────► a failure ("produced no output")
//    ├─ backend exits FAILED or crashes ─────► the error policy, as for a filter
//    ├─ backend exits RETRY / RETRY_CURRENT ──► the document again after
//    │                                          retry_interval / at once, at most
//    │                                          retry_limit attempts, then aborted
//    └─ backend exits HOLD, STOP, CANCEL, … ──► its CUPS exit code, for the scheduler
// A raw document (no filter, no page counter) for a file: device whose target is a
// regular file, a directory or /dev/null is written by the daemon on a worker thread
// instead (quire/file_target.hpp, the backend's own code): the same status lines and
// exit codes, so the same outcomes above; Cancel-Job stops it between two blocks.
// The relay lets the pipeline see the chain's output: whether there was any, and
// whether it stalled while the backend was ready for more (a hung filter), without
// blaming a filter for a slow printer.
#pragma once

#include "quire/filter_catalog.hpp"
#include "quire/ipp_message.hpp"
#include "quire/spool.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace quire {

// What a job run needs to know, in CUPS's terms.
struct JobRunSpec {
  int job_id = 0;
  std::string printer;            // PRINTER
  std::string printer_info;       // PRINTER_INFO
  std::string printer_location;   // PRINTER_LOCATION
  std::string device_uri;         // DEVICE_URI
  std::filesystem::path backend;  // executable for the URI scheme
  std::string user;
  std::string title;
  int copies = 1;
  std::string options;            // CUPS options string, "name=value name=value"
  std::vector<DocumentRecord> documents;
  std::filesystem::path state_dir;  // for CUPS_SERVERROOT / TMPDIR
  // The printer's driver ("raw", "quire/generic-pcl6", "lsb/usr/...ppd", a PPD path);
  // empty means raw. Without a catalog every queue is raw.
  std::string driver;
  bool color = true;              // the printer prints colour (picks pxlcolor/pxlmono)
  std::shared_ptr<const FilterCatalog> catalog;
  // ErrorPolicy: abort-job, retry-current-job, retry-job, stop-printer.
  std::string error_policy = "abort-job";
  std::chrono::seconds filter_timeout{300};  // no output for this long: a hung filter
  std::chrono::seconds retry_interval{30};   // retry-job waits this long
  int retry_limit = 5;
  // Set only when device_uri is a file: device (or a bare path): where its raw
  // documents are written by the daemon itself, as cupsd does: no filter, no backend
  // process (running_job_deliver.cpp). Empty: always the backend process.
  boost::asio::any_io_executor delivery_executor;
};

// CUPS's options string (filters' argv[5]) for a job's attributes, as cupsd builds it:
// every job-template attribute the client sent, control characters made spaces.
std::string filter_options(const IppMessage& job_attributes);

// How a run ended.
struct JobRunResult {
  int exit_code = 0;             // CUPS backend exit code (0 ok, 1 failed, 4 stop, 5 cancel, ...)
  std::string reason;            // human-readable, for the log and job-state-message
  std::string job_state_reason;  // e.g. "document-format-error"; "" = the scheduler's default
  int sheets = 0;                // media sheets counted (0 = unknown)
};

struct JobRunCallbacks {
  std::function<void(const std::string& line)> on_status_line;  // one stderr line, any process
  std::function<void(JobRunResult result)> on_exit;             // once, at the end
};

class RunningJob : public std::enable_shared_from_this<RunningJob> {
 public:
  using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;
  // Starts the first document; failures to start arrive through on_exit.
  static std::shared_ptr<RunningJob> start(Executor executor, JobRunSpec spec, JobRunCallbacks callbacks);
  ~RunningJob();
  // Asks the process group to stop (SIGTERM, then SIGKILL after a grace period).
  void cancel();

  RunningJob(Executor executor, JobRunSpec spec, JobRunCallbacks callbacks);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace quire
