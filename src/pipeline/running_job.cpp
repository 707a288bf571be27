// RunningJob: runs the backend for each of a job's documents in turn, reads its
// status lines from stderr, and reports the outcome once.
#include "quire/running_job.hpp"

#include "pipeline/child_process.hpp"
#include "quire/log.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace quire {
namespace {

constexpr std::size_t kMaxStderrLine = 4096;     // longer lines are cut
constexpr auto kCancelGrace = std::chrono::seconds(5);

std::vector<std::string> backend_environment(const JobRunSpec& spec, const DocumentRecord& doc) {
  const char* path = std::getenv("PATH");
  return {
      "DEVICE_URI=" + spec.device_uri,
      "PRINTER=" + spec.printer,
      "CONTENT_TYPE=" + (doc.format.empty() ? std::string("application/octet-stream") : doc.format),
      "FINAL_CONTENT_TYPE=" + (doc.format.empty() ? std::string("application/octet-stream") : doc.format),
      "CUPS_SERVERROOT=" + spec.state_dir.string(),
      "CUPS_STATEDIR=" + (spec.state_dir / "run").string(),
      "TMPDIR=" + (spec.state_dir / "tmp").string(),
      "PATH=" + std::string(path ? path : "/usr/bin:/bin"),
      "CHARSET=utf-8",
      "LANG=C.UTF-8",
      "SOFTWARE=Quire/0.1",
      "CUPS_MAX_MESSAGE=2047",
  };
}

}  // namespace

struct RunningJob::Impl {
  Executor executor;
  JobRunSpec spec;
  JobRunCallbacks callbacks;
  SpawnedProcess process;
  std::unique_ptr<boost::asio::posix::stream_descriptor> exit_watch;
  std::unique_ptr<boost::asio::posix::stream_descriptor> stderr_pipe;
  boost::asio::steady_timer kill_timer;
  std::array<char, 4096> stderr_buffer{};
  std::string partial_line;
  bool canceled = false;
  bool reported = false;

  Impl(Executor ex, JobRunSpec s, JobRunCallbacks cb)
      : executor(ex), spec(std::move(s)), callbacks(std::move(cb)), kill_timer(ex) {}

  void report(int exit_code, std::string reason) {
    if (reported) return;
    reported = true;
    if (callbacks.on_exit) callbacks.on_exit(exit_code, std::move(reason));
  }

  void feed_stderr(const char* data, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      if (data[i] == '\n') {
        if (callbacks.on_status_line) callbacks.on_status_line(partial_line);
        partial_line.clear();
      } else if (partial_line.size() < kMaxStderrLine) {
        partial_line.push_back(data[i]);
      }
    }
  }

  // Reads what is left in the pipe after the child exited (non-blocking).
  void drain_stderr() {
    if (!stderr_pipe) return;
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(stderr_pipe->native_handle(), buf, sizeof buf);
      if (n <= 0) break;
      feed_stderr(buf, static_cast<std::size_t>(n));
    }
    if (!partial_line.empty() && callbacks.on_status_line) callbacks.on_status_line(partial_line);
    partial_line.clear();
    stderr_pipe.reset();
  }

  void close_process() {
    exit_watch.reset();
    if (process.pid > 0) process.pid = -1;
  }
};

RunningJob::RunningJob(Executor executor, JobRunSpec spec, JobRunCallbacks callbacks)
    : impl_(std::make_unique<Impl>(executor, std::move(spec), std::move(callbacks))) {}

RunningJob::~RunningJob() {
  if (impl_->process.pid > 0) {
    ::kill(-impl_->process.pid, SIGKILL);
    reap_process(impl_->process.pid);
  }
}

std::shared_ptr<RunningJob> RunningJob::start(Executor executor, JobRunSpec spec, JobRunCallbacks callbacks) {
  auto job = std::make_shared<RunningJob>(executor, std::move(spec), std::move(callbacks));
  boost::asio::post(executor, [job] { job->run_document(0); });
  return job;
}

void RunningJob::run_document(std::size_t index) {
  Impl& m = *impl_;
  if (m.canceled) return m.report(5, "canceled");
  if (index >= m.spec.documents.size()) return m.report(0, "");
  const DocumentRecord& doc = m.spec.documents[index];
  SpawnSpec spawn;
  spawn.path = m.spec.backend.string();
  spawn.argv = {m.spec.device_uri, std::to_string(m.spec.job_id), m.spec.user, m.spec.title,
                std::to_string(m.spec.copies), m.spec.options, doc.path.string()};
  spawn.env = backend_environment(m.spec, doc);
  auto process = spawn_process(spawn);
  if (!process) return m.report(-1, "cannot start backend " + process.error());
  m.process = *process;
  log::error().debug("[Job {}] started backend {} (pid {}) for document {}", m.spec.job_id, spawn.path,
                     m.process.pid, doc.number);
  m.exit_watch = std::make_unique<boost::asio::posix::stream_descriptor>(m.executor, m.process.pidfd);
  m.stderr_pipe = std::make_unique<boost::asio::posix::stream_descriptor>(m.executor, m.process.stderr_fd);

  read_stderr();
  auto self = shared_from_this();
  m.exit_watch->async_wait(boost::asio::posix::descriptor_base::wait_read,
                           [this, self, index](boost::system::error_code ec) {
                             if (ec) return;
                             int status = reap_process(impl_->process.pid);
                             impl_->process.pid = -1;
                             on_process_exit(index, status);
                           });
}

// Reads status lines until the pipe closes or the process's exit drains it.
void RunningJob::read_stderr() {
  if (!impl_->stderr_pipe) return;
  auto self = shared_from_this();
  impl_->stderr_pipe->async_read_some(boost::asio::buffer(impl_->stderr_buffer),
                                      [this, self](boost::system::error_code ec, std::size_t n) {
                                        if (ec || !impl_->stderr_pipe) return;
                                        impl_->feed_stderr(impl_->stderr_buffer.data(), n);
                                        read_stderr();
                                      });
}

void RunningJob::on_process_exit(std::size_t index, int status) {
  Impl& m = *impl_;
  m.drain_stderr();
  m.exit_watch.reset();
  m.kill_timer.cancel();
  if (m.canceled) return m.report(5, "canceled");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return run_document(index + 1);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  m.report(code, "backend " + m.spec.backend.filename().string() + " failed: " + describe_wait_status(status));
}

void RunningJob::cancel() {
  Impl& m = *impl_;
  if (m.canceled) return;
  m.canceled = true;
  if (m.process.pid <= 0) return m.report(5, "canceled");
  ::kill(-m.process.pid, SIGTERM);
  auto self = shared_from_this();
  m.kill_timer.expires_after(kCancelGrace);
  m.kill_timer.async_wait([this, self](boost::system::error_code ec) {
    if (!ec && impl_->process.pid > 0) ::kill(-impl_->process.pid, SIGKILL);
  });
}

}  // namespace quire
