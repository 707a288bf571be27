// RunningJob: a job's child processes while it prints. Today that is the backend for
// each document in turn (CUPS's calling convention); the filter chain slots in
// before it. Lives on the scheduler strand; its callbacks are posted there.
#pragma once

#include "quire/spool.hpp"

#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace quire {

// What a job run needs to know, in CUPS's terms.
struct JobRunSpec {
  int job_id = 0;
  std::string printer;           // PRINTER
  std::string device_uri;        // DEVICE_URI
  std::filesystem::path backend;  // executable for the URI scheme
  std::string user;
  std::string title;
  int copies = 1;
  std::string options;           // "name=value name=value"
  std::vector<DocumentRecord> documents;
  std::filesystem::path state_dir;  // for CUPS_SERVERROOT / TMPDIR
};

struct JobRunCallbacks {
  std::function<void(const std::string& line)> on_status_line;  // one stderr line
  std::function<void(int exit_code, std::string reason)> on_exit;  // once, at the end
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  void run_document(std::size_t index);
  void read_stderr();
  void on_process_exit(std::size_t index, int status);
};

}  // namespace quire
