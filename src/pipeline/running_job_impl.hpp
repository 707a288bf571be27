// RunningJob's insides, shared by its facets: running_job.cpp (documents, status
// lines, the relay, outcomes) and running_job_launch.cpp (starting the processes).
// Private to src/pipeline/. Everything here runs on the job's strand.
#pragma once

#include "quire/running_job.hpp"

#include "pipeline/banner_page.hpp"
#include "pipeline/child_process.hpp"
#include "pipeline/document_plan.hpp"
#include "pipeline/job_environment.hpp"
#include "quire/drivers.hpp"
#include "quire/log.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <map>
#include <utility>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace quire {
namespace running_job_detail {


namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;

constexpr std::size_t kMaxStderrLine = 4096;       // longer lines are cut
constexpr int kMaxForwardedLines = 20000;          // per document; a flood is dropped
constexpr auto kCancelGrace = std::chrono::seconds(5);
constexpr int kBackendFailed = 1, kBackendStop = 4, kBackendCancel = 5, kBackendRetry = 6, kBackendRetryCurrent = 7;

enum class Role { kFilter, kBackend, kCounter };

struct Process {
  std::string name;
  Role role = Role::kFilter;
  pid_t pid = -1;
  std::unique_ptr<Descriptor> exit_watch;
  std::unique_ptr<Descriptor> stderr_pipe;
  std::array<char, 4096> buffer{};
  std::string partial;
  bool exited = false;    // reaped
  bool finished = false;  // reaped, its stderr read to the end, and accounted for
  int status = 0;
  std::unique_ptr<asio::steady_timer> linger;  // how long stderr may outlive the process
};
using ProcessPtr = std::shared_ptr<Process>;

// An owned descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

inline std::expected<std::pair<Fd, Fd>, std::string> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::unexpected(std::string("pipe: ") + std::strerror(errno));
  return std::make_pair(Fd(fds[0]), Fd(fds[1]));
}



}  // namespace running_job_detail

// Only running_job*.cpp include this header; the detail names read better bare there.
using namespace running_job_detail;

struct RunningJob::Impl : std::enable_shared_from_this<RunningJob::Impl> {
  Executor executor;
  JobRunSpec spec;
  JobRunCallbacks callbacks;
  DriverInfo driver;
  JobOptions options;
  std::size_t document = 0;
  int attempt = 0;
  pid_t group = 0;
  std::vector<ProcessPtr> processes;
  std::unique_ptr<Descriptor> relay_in, relay_out;
  std::vector<char> relay_buffer;  // 64 KiB once a relay starts (most raw jobs have none)
  bool relay_active = false, relay_writing = false;
  std::uint64_t relay_bytes = 0;
  std::chrono::steady_clock::time_point last_progress;
  asio::steady_timer watchdog, kill_timer, retry_timer;
  std::string failure;  // first filter failure of this document's run
  bool canceled = false, reported = false, stopped = false;
  bool no_output = false;   // the chain ended without a byte for the backend
  bool killed_by_us = false;  // deaths by our signals are not the filters' failures
  int forwarded_lines = 0;
  int impressions = 0;
  std::filesystem::path temp_dir;
  pid_t counting_pid = 0;  // the Quire filter whose PAGE: lines count, if any
  std::filesystem::path banner;  // job-sheets: documents[0] is this generated banner
  // While the daemon writes a document to a file: device itself: readable once the
  // writing is to stop (an eventfd the worker polls).
  std::shared_ptr<Fd> delivery_cancel;
  // This document's target may block (a FIFO, a device node): the backend writes it.
  std::size_t backend_document = std::numeric_limits<std::size_t>::max();

  Impl(Executor ex, JobRunSpec s, JobRunCallbacks cb)
      : executor(ex), spec(std::move(s)), callbacks(std::move(cb)), watchdog(ex), kill_timer(ex), retry_timer(ex) {}

  // ---- Reporting ----
  void report(JobRunResult result) {
    if (reported) return;
    reported = true;
    cleanup();
    if (result.exit_code == 0 && options.is_duplex()) result.sheets = (impressions + 1) / 2;
    else if (result.exit_code == 0) result.sheets = impressions;
    auto cb = std::move(callbacks.on_exit);
    callbacks = {};
    if (cb) cb(std::move(result));
  }

  void cleanup() {
    if (!banner.empty()) {
      std::error_code ec;
      std::filesystem::remove(banner, ec);
      banner.clear();
    }
    stop_delivery();
    kill_group(SIGKILL);
    for (auto& p : processes) {
      p->exit_watch.reset();
      p->stderr_pipe.reset();
      p->linger.reset();
      if (!p->exited && p->pid > 0) {
        if (!kill_and_reap(p->pid)) log::error().warn("[Job {}] {} (pid {}) did not end", spec.job_id, p->name, p->pid);
        p->exited = true;
      }
    }
    relay_in.reset();
    relay_out.reset();
    watchdog.cancel();
    kill_timer.cancel();
    retry_timer.cancel();
    remove_temp_dir();
  }

  void kill_group(int sig) {
    killed_by_us = true;
    if (group > 0 && std::any_of(processes.begin(), processes.end(), [](auto& p) { return !p->exited; }))
      ::kill(-group, sig);
  }

  // ---- Status lines ----
  void forward_line(Process& p, const std::string& line) {
    // Several filters of a chain may count; the one nearest the printer is believed.
    if (line.starts_with("PAGE:") && p.role == Role::kFilter && counting_pid > 0 && p.pid != counting_pid)
      return log::error().debug("[Job {}] {}: {}", spec.job_id, p.name, line);
    if (line.starts_with("PAGE:") && p.role != Role::kBackend) {
      int n = 0, copies = 1;
      if (std::sscanf(line.c_str() + 5, "%d %d", &n, &copies) >= 1 && line.find("total") == std::string::npos)
        impressions += std::max(1, copies);
    }
    // Status lines show a filter is alive, up to the flood limit (a filter that only
    // floods stderr is not making progress).
    if (forwarded_lines < kMaxForwardedLines) last_progress = std::chrono::steady_clock::now();
    if (++forwarded_lines > kMaxForwardedLines) {
      if (forwarded_lines == kMaxForwardedLines + 1)
        log::error().warn("[Job {}] {} floods its status lines; the rest are dropped", spec.job_id, p.name);
      return;
    }
    if (p.role == Role::kFilter || p.role == Role::kCounter) {
      if (!line.starts_with("PAGE:") && !line.starts_with("STATE:") && !line.starts_with("INFO:") &&
          !line.starts_with("ERROR:") && !line.starts_with("WARNING:") && !line.starts_with("ATTR:") &&
          !line.starts_with("DEBUG"))
        return log::error().debug("[Job {}] {}: {}", spec.job_id, p.name, line);
      if (line.starts_with("ERROR:") && p.role == Role::kFilter) last_error[p.name] = line.substr(6);
    }
    if (callbacks.on_status_line) callbacks.on_status_line(line);
  }
  std::map<std::string, std::string> last_error;

  void feed(Process& p, const char* data, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      if (data[i] == '\n') {
        forward_line(p, p.partial);
        p.partial.clear();
      } else if (p.partial.size() < kMaxStderrLine) {
        p.partial.push_back(data[i]);
      }
    }
  }

  void read_stderr(const ProcessPtr& proc) {
    if (!proc->stderr_pipe) return;
    proc->stderr_pipe->async_read_some(asio::buffer(proc->buffer), [self = shared_from_this(), proc](boost::system::error_code ec, std::size_t n) {
      if (self->reported || ec == asio::error::operation_aborted) return;
      if (ec) return self->stderr_ended(proc);  // end of file: every writer is gone
      self->feed(*proc, proc->buffer.data(), n);
      self->read_stderr(proc);
    });
  }

  void stderr_ended(const ProcessPtr& proc) {
    if (!proc->partial.empty()) forward_line(*proc, proc->partial);
    proc->partial.clear();
    proc->stderr_pipe.reset();
    if (proc->exited) finish_process(proc);
  }

  void drain_stderr(Process& p) {
    if (!p.stderr_pipe) return;
    char buf[4096];
    for (int rounds = 0; rounds < 256; ++rounds) {  // bounded: a grandchild may keep writing
      ssize_t n = ::read(p.stderr_pipe->native_handle(), buf, sizeof buf);
      if (n <= 0) break;
      feed(p, buf, static_cast<std::size_t>(n));
    }
    if (!p.partial.empty()) forward_line(p, p.partial);
    p.partial.clear();
    p.stderr_pipe.reset();
  }

  // ---- Documents ----
  void run_document() {
    if (canceled) return report({kBackendCancel, "canceled"});
    if (document >= spec.documents.size()) return report({0, ""});
    const DocumentRecord& doc = spec.documents[document];
    auto plan = spec.catalog ? plan_document(*spec.catalog, driver, doc.path, doc.format, options)
                             : std::expected<DocumentPlan, PlanError>(DocumentPlan{.raw = true});
    if (!plan) {
      log::error().error("[Job {}] document {}: {}", spec.job_id, doc.number, plan.error().message);
      return report({kBackendFailed, plan.error().message,
                     plan.error().document_format_error ? "document-format-error" : ""});
    }
    if (plan->raw) plan->type = plan->final_type = doc.format.empty() ? "application/octet-stream" : doc.format;
    failure.clear();
    no_output = false;
    killed_by_us = false;
    last_error.clear();
    forwarded_lines = 0;
    processes.clear();
    group = 0;
    relay_bytes = 0;
    if (can_deliver_in_process(*plan)) {
      relay_active = false;
      log::error().info("[Job {}] document {}: {} written by the daemon", spec.job_id, doc.number, plan->type);
      return deliver_in_process(doc);
    }
    if (auto started = start_processes(*plan, doc); !started) {
      log::error().error("[Job {}] {}", spec.job_id, started.error());
      kill_group(SIGKILL);
      return report({kBackendFailed, started.error()});
    }
    std::string route;
    for (const auto& s : plan->steps) route += s.name + " | ";
    log::error().info("[Job {}] document {}: {} -> {} via {}{}", spec.job_id, doc.number, plan->type, plan->final_type,
                      route, spec.backend.filename().string());
    last_progress = std::chrono::steady_clock::now();
    if (relay_active) arm_watchdog();
  }

  // In-process delivery (running_job_deliver.cpp).
  bool can_deliver_in_process(const DocumentPlan& plan) const;
  void deliver_in_process(const DocumentRecord& doc);
  void on_delivered(int exit_code, bool canceled, std::vector<std::string> lines);
  void stop_delivery() const;

  struct Launch;
  std::expected<void, std::string> start_processes(const DocumentPlan& plan, const DocumentRecord& doc);
  std::expected<Fd, std::string> start_filters(Launch& launch);
  std::expected<void, std::string> start_relayed_backend(Launch& launch, Fd chain_output);
  std::expected<void, std::string> start_direct(Launch& launch);
  void run_as_filter(SpawnSpec& s) const;
  std::expected<Process*, std::string> spawn(std::string name, Role role, SpawnSpec spawn);

  // A process is done when it has exited and its stderr has ended, so that no status
  // line it wrote is lost to the order the two events arrive in. A grandchild may keep
  // stderr open: after a second, what is there is read and the rest ignored.
  void watch_exit(const ProcessPtr& proc) {
    proc->exit_watch->async_wait(Descriptor::wait_read, [self = shared_from_this(), proc](boost::system::error_code ec) {
      if (ec || self->reported) return;
      self->collect_exit(proc);
    });
  }

  // Reaping never blocks the event loop: a child not reapable yet is looked at again.
  void collect_exit(const ProcessPtr& proc) {
    auto status = try_reap_process(proc->pid);
    if (!status) {
      proc->linger = std::make_unique<asio::steady_timer>(executor, std::chrono::milliseconds(20));
      proc->linger->async_wait([self = shared_from_this(), proc](boost::system::error_code ec) {
        if (!ec && !self->reported && !proc->exited) self->collect_exit(proc);
      });
      return;
    }
    {
      auto self = shared_from_this();
      proc->status = *status;
      proc->exited = true;
      proc->exit_watch.reset();
      if (!proc->stderr_pipe) return self->finish_process(proc);
      proc->linger = std::make_unique<asio::steady_timer>(self->executor, std::chrono::seconds(1));
      proc->linger->async_wait([self, proc](boost::system::error_code lec) {
        if (lec || self->reported || proc->finished) return;
        self->drain_stderr(*proc);
        self->finish_process(proc);
      });
    }
  }

  void finish_process(const ProcessPtr& proc) {
    if (proc->finished) return;
    proc->finished = true;
    if (proc->linger) proc->linger->cancel();
    on_process_exit(*proc);
  }

  void on_process_exit(Process& p) {
    last_progress = std::chrono::steady_clock::now();
    bool ok = WIFEXITED(p.status) && WEXITSTATUS(p.status) == 0;
    log::error().debug("[Job {}] {} (pid {}) ended: {}", spec.job_id, p.name, p.pid, describe_wait_status(p.status));
    bool our_kill = killed_by_us && WIFSIGNALED(p.status) && (WTERMSIG(p.status) == SIGKILL || WTERMSIG(p.status) == SIGTERM);
    if (!ok && p.role == Role::kFilter && failure.empty() && !canceled && !our_kill) {
      failure = "filter " + p.name + " failed (" + describe_wait_status(p.status) + ")";
      if (auto it = last_error.find(p.name); it != last_error.end() && !it->second.empty()) failure += ":" + it->second;
      kill_group(SIGTERM);
      arm_kill(std::chrono::seconds(2));
    }
    maybe_finish_document();
  }

  void maybe_finish_document() {
    for (auto& p : processes)
      if (!p->finished) return;
    if (relay_in || relay_out) return;
    watchdog.cancel();
    kill_timer.cancel();
    remove_temp_dir();
    if (canceled) return report({kBackendCancel, "canceled"});
    if (failure.empty() && no_output) failure = "the filter chain produced no output";
    if (!failure.empty()) return apply_error_policy();
    for (auto& p : processes) {
      if (p->role != Role::kBackend) continue;
      if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0) break;
      return on_backend_failure(*p);
    }
    ++document;
    attempt = 0;
    run_document();
  }

  // The backend's exit code (CUPS's): FAILED (or a crash) goes to the printer's error
  // policy, RETRY runs the document again after retry_interval and RETRY_CURRENT at
  // once (both at most retry_limit times, then the job is aborted); the others
  // (HOLD, STOP, CANCEL, AUTH_REQUIRED) are the scheduler's to apply.
  void on_backend_failure(const Process& p) {
    on_backend_exit(WIFEXITED(p.status) ? WEXITSTATUS(p.status) : -1, describe_wait_status(p.status));
  }

  // `code` -1: the backend crashed; `how` says how it ended ("exit status 1").
  void on_backend_exit(int code, const std::string& how) {
    std::string why = "backend " + spec.backend.filename().string() + " failed: " + how;
    if (code == kBackendFailed || code == -1) {
      failure = why;
      return apply_error_policy();
    }
    if (code != kBackendRetry && code != kBackendRetryCurrent) return report({code, why});
    log::error().warn("[Job {}] {}", spec.job_id, why);
    if (!schedule_retry(code == kBackendRetry ? spec.retry_interval : std::chrono::seconds(0)))
      report({kBackendFailed, why + "; gave up after " + std::to_string(attempt + 1) + " attempts"});
  }

  void apply_error_policy() {
    const std::string& policy = spec.error_policy;
    log::error().error("[Job {}] {}", spec.job_id, failure);
    if ((policy == "retry-current-job" || policy == "retry-job") &&
        schedule_retry(policy == "retry-job" ? spec.retry_interval : std::chrono::seconds(0)))
      return;
    report({policy == "stop-printer" ? kBackendStop : kBackendFailed, failure});
  }

  // Runs the document again after `delay`; false once retry_limit attempts were made.
  bool schedule_retry(std::chrono::seconds delay) {
    if (attempt + 1 >= spec.retry_limit) return false;
    ++attempt;
    log::error().warn("[Job {}] retrying ({} of {}) in {} s", spec.job_id, attempt, spec.retry_limit - 1, delay.count());
    if (callbacks.on_status_line)
      callbacks.on_status_line("INFO: Retrying the job in " + std::to_string(delay.count()) + " s (attempt " +
                               std::to_string(attempt + 1) + " of " + std::to_string(spec.retry_limit) + ")");
    retry_timer.expires_after(delay);
    retry_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && !self->reported) self->run_document();
    });
    return true;
  }

  // ---- The relay: last filter's output → backend's input ----
  void relay_read() {
    if (relay_buffer.empty()) relay_buffer.resize(65536);
    relay_in->async_read_some(asio::buffer(relay_buffer), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (self->reported || !self->relay_in) return;
      if (ec) return self->relay_eof();
      self->relay_bytes += n;
      self->last_progress = std::chrono::steady_clock::now();
      self->relay_writing = true;
      asio::async_write(*self->relay_out, asio::buffer(self->relay_buffer.data(), n),
                        [self](boost::system::error_code wec, std::size_t) {
                          self->relay_writing = false;
                          if (self->reported || !self->relay_out) return;
                          self->last_progress = std::chrono::steady_clock::now();
                          if (wec) {  // the backend stopped reading: its exit status tells why
                            self->relay_in.reset();
                            self->relay_out.reset();
                            return self->maybe_finish_document();
                          }
                          self->relay_read();
                        });
    });
  }

  void relay_eof() {
    relay_in.reset();
    if (relay_bytes == 0 && !canceled) {
      // Nothing to print is an error, not an empty job: stop the backend before it
      // sees end-of-file and "prints" nothing. A filter's own failure, known once
      // every process has ended, explains it better.
      no_output = true;
      kill_group(SIGKILL);
    }
    relay_out.reset();
    maybe_finish_document();
  }

  void arm_watchdog() {
    auto period = std::min<std::chrono::steady_clock::duration>(std::chrono::seconds(1), spec.filter_timeout / 4);
    watchdog.expires_after(period);
    watchdog.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->reported || !self->relay_in) return;
      auto idle = std::chrono::steady_clock::now() - self->last_progress;
      // While a write is pending the backend (the printer) is the slow one.
      if (!self->relay_writing && idle >= self->spec.filter_timeout && self->failure.empty()) {
        std::string culprit = "the filter chain";
        for (auto& p : self->processes)
          if (p->role == Role::kFilter && !p->exited) {
            culprit = "filter " + p->name;
            break;
          }
        self->failure = culprit + " produced no output for " + std::to_string(self->spec.filter_timeout.count()) +
                        " s and was killed";
        self->kill_group(SIGKILL);
        return;
      }
      self->arm_watchdog();
    });
  }

  void arm_kill(std::chrono::seconds grace) {
    kill_timer.expires_after(grace);
    kill_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && !self->reported) self->kill_group(SIGKILL);
    });
  }

  void remove_temp_dir() {
    if (temp_dir.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(temp_dir, ec);
    temp_dir.clear();
  }
};


}  // namespace quire
