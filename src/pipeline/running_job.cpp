// RunningJob: plans each document, runs its filter chain into the backend, watches
// every process, and reports the outcome once (state machine in running_job.hpp).
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
#include <map>
#include <utility>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace quire {
namespace {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;

constexpr std::size_t kMaxStderrLine = 4096;       // longer lines are cut
constexpr int kMaxForwardedLines = 20000;          // per document; a flood is dropped
constexpr auto kCancelGrace = std::chrono::seconds(5);
constexpr int kBackendFailed = 1, kBackendStop = 4, kBackendCancel = 5;

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

std::expected<std::pair<Fd, Fd>, std::string> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::unexpected(std::string("pipe: ") + std::strerror(errno));
  return std::make_pair(Fd(fds[0]), Fd(fds[1]));
}


}  // namespace

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
  std::vector<char> relay_buffer = std::vector<char>(65536);
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
    kill_group(SIGKILL);
    for (auto& p : processes) {
      p->exit_watch.reset();
      p->stderr_pipe.reset();
      p->linger.reset();
      if (!p->exited && p->pid > 0) {
        reap_process(p->pid);
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
    if (line.starts_with("ATTR:")) return log::error().debug("[Job {}] {}: {}", spec.job_id, p.name, line);
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
      proc->status = reap_process(proc->pid);
      proc->exited = true;
      proc->exit_watch.reset();
      if (!proc->stderr_pipe) return self->finish_process(proc);
      proc->linger = std::make_unique<asio::steady_timer>(self->executor, std::chrono::seconds(1));
      proc->linger->async_wait([self, proc](boost::system::error_code lec) {
        if (lec || self->reported || proc->finished) return;
        self->drain_stderr(*proc);
        self->finish_process(proc);
      });
    });
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
      int code = WIFEXITED(p->status) ? WEXITSTATUS(p->status) : -1;
      return report({code, "backend " + spec.backend.filename().string() + " failed: " + describe_wait_status(p->status)});
    }
    ++document;
    attempt = 0;
    run_document();
  }

  void apply_error_policy() {
    const std::string& policy = spec.error_policy;
    log::error().error("[Job {}] {}", spec.job_id, failure);
    bool retry = (policy == "retry-current-job" || policy == "retry-job") && attempt + 1 < spec.retry_limit;
    if (retry) {
      ++attempt;
      auto delay = policy == "retry-job" ? spec.retry_interval : std::chrono::seconds(0);
      log::error().warn("[Job {}] retrying ({} of {}) in {} s", spec.job_id, attempt, spec.retry_limit - 1, delay.count());
      retry_timer.expires_after(delay);
      retry_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec && !self->reported) self->run_document();
      });
      return;
    }
    report({policy == "stop-printer" ? kBackendStop : kBackendFailed, failure});
  }

  // ---- The relay: last filter's output → backend's input ----
  void relay_read() {
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

std::expected<Process*, std::string> RunningJob::Impl::spawn(std::string name, Role role, SpawnSpec s) {
  s.process_group = group;
  auto started = spawn_process(s);
  if (!started) return std::unexpected("cannot start " + name + ": " + started.error());
  if (group == 0) group = started->pid;
  auto p = std::make_shared<Process>();
  p->name = std::move(name);
  p->role = role;
  p->pid = started->pid;
  p->exit_watch = std::make_unique<Descriptor>(executor, started->pidfd);
  p->stderr_pipe = std::make_unique<Descriptor>(executor, started->stderr_fd);
  processes.push_back(p);
  read_stderr(p);
  watch_exit(p);
  log::error().debug("[Job {}] started {} (pid {})", spec.job_id, p->name, p->pid);
  return p.get();
}


// What one document run's processes share while they are started.
struct RunningJob::Impl::Launch {
  const DocumentPlan& plan;
  const DocumentRecord& doc;
  JobEnvironment env;
  std::vector<std::string> filter_args;  // CUPS's argv for filters
  std::vector<std::string> backend_args;
  // CUPS's back channel (backend → filters, a pipe on fd 3) and side channel (a
  // socket pair on fd 4). Backends such as CUPS's socket wait on both.
  Fd back_read, back_write, side_filters, side_backend;

  std::expected<Fd, std::string> open_document() const {
    int fd = ::open(doc.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::unexpected("spool file " + doc.path.string() + ": " + std::strerror(errno));
    return Fd(fd);
  }
};

std::expected<void, std::string> RunningJob::Impl::start_processes(const DocumentPlan& plan, const DocumentRecord& doc) {
  auto env = JobEnvironment::from(spec, driver, plan, temp_dir);
  if (!env) return std::unexpected(env.error());
  temp_dir = env->temp_dir;
  Launch launch{plan, doc, std::move(*env), {}, {}, {}, {}, {}, {}};
  // A banner is one page whatever the job's copies, ranges and N-up say.
  bool is_banner = !banner.empty() && doc.path == banner;
  std::string options = sanitize_for_child(is_banner ? options_without_layout(spec.options) : spec.options);
  std::string copies = is_banner ? "1" : std::to_string(spec.copies);
  launch.filter_args = {spec.printer, std::to_string(spec.job_id), sanitize_for_child(spec.user),
                        sanitize_for_child(spec.title), copies, options};
  launch.backend_args = launch.filter_args;
  launch.backend_args[0] = spec.device_uri;
  if (is_banner)
    for (auto& e : launch.env.common)
      if (e == "CUPS_FILETYPE=document") e = "CUPS_FILETYPE=job-sheet";
  int back[2], side[2];
  if (::pipe2(back, O_CLOEXEC) != 0 || ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, side) != 0)
    return std::unexpected(std::string("back/side channel: ") + std::strerror(errno));
  launch.back_read.reset(back[0]);
  launch.back_write.reset(back[1]);
  launch.side_backend.reset(side[0]);
  launch.side_filters.reset(side[1]);

  if (plan.steps.empty()) return start_direct(launch);
  auto chain_output = start_filters(launch);
  if (!chain_output) return std::unexpected(chain_output.error());
  return start_relayed_backend(launch, std::move(*chain_output));
}

void RunningJob::Impl::run_as_filter(SpawnSpec& s) const {
  if (auto account = unprivileged_account()) {
    s.uid = account->uid;
    s.gid = account->gid;
  }
  s.working_dir = temp_dir.string();
}

// The filters, chained by pipes from the document; returns the last one's output.
std::expected<Fd, std::string> RunningJob::Impl::start_filters(Launch& launch) {
  const auto& steps = launch.plan.steps;
  // Quire's filters count pages exactly; the last of them in the chain is believed.
  // Filters after quire-gs get a document with the options already applied.
  std::size_t counting_step = steps.size();
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (steps[i].name == "quire-gs" || steps[i].name == "quire-texttops") counting_step = i;
  counting_pid = 0;
  bool options_applied = false;
  auto upstream = launch.open_document();
  if (!upstream) return std::unexpected(upstream.error());
  for (std::size_t index = 0; index < steps.size(); ++index) {
    auto pipe = make_pipe();
    if (!pipe) return std::unexpected(pipe.error());
    SpawnSpec s;
    s.path = steps[index].program.string();
    s.argv = launch.filter_args;
    if (options_applied) {
      s.argv[4] = "1";
      s.argv[5] = sanitize_for_child(options_without_layout(spec.options));
    }
    options_applied = options_applied || steps[index].name == "quire-gs";
    s.env = launch.env.for_filter(steps[index].source_type, steps[index].destination_type);
    s.stdin_fd = upstream->get();
    s.stdout_fd = pipe->second.get();
    s.extra_fds = {{launch.back_read.get(), 3}, {launch.side_filters.get(), 4}};
    run_as_filter(s);
    auto started = spawn(steps[index].name, Role::kFilter, std::move(s));
    if (!started) return std::unexpected(started.error());
    if (index == counting_step) counting_pid = (*started)->pid;
    *upstream = std::move(pipe->first);
  }
  return std::move(*upstream);
}

// The backend reading the chain's output through the relay.
std::expected<void, std::string> RunningJob::Impl::start_relayed_backend(Launch& launch, Fd chain_output) {
  auto pipe = make_pipe();
  if (!pipe) return std::unexpected(pipe.error());
  SpawnSpec backend;
  backend.path = spec.backend.string();
  backend.argv = launch.backend_args;
  backend.env = launch.env.for_backend();
  backend.extra_fds = {{launch.back_write.get(), 3}, {launch.side_backend.get(), 4}};
  backend.stdin_fd = pipe->first.get();
  auto started = spawn(spec.backend.filename().string(), Role::kBackend, std::move(backend));
  if (!started) return std::unexpected(started.error());
  relay_in = std::make_unique<Descriptor>(executor, chain_output.release());
  relay_out = std::make_unique<Descriptor>(executor, pipe->second.release());
  relay_in->non_blocking(true);
  relay_out->non_blocking(true);
  relay_active = true;
  relay_read();
  return {};
}

// No filter: the backend reads the spool file itself; a counter reports its pages.
std::expected<void, std::string> RunningJob::Impl::start_direct(Launch& launch) {
  relay_active = false;
  SpawnSpec backend;
  backend.path = spec.backend.string();
  backend.argv = launch.backend_args;
  backend.argv.push_back(launch.doc.path.string());
  backend.env = launch.env.for_backend();
  backend.extra_fds = {{launch.back_write.get(), 3}, {launch.side_backend.get(), 4}};
  if (auto started = spawn(spec.backend.filename().string(), Role::kBackend, std::move(backend)); !started)
    return std::unexpected(started.error());
  if (!launch.plan.count_separately || launch.plan.raw || !spec.catalog) return {};
  auto counter = spec.catalog->find_filter("quire-pagecount");
  auto document = launch.open_document();
  if (counter.empty() || !document) return {};
  SpawnSpec s;
  s.path = counter.string();
  s.argv = launch.filter_args;
  s.env = launch.env.for_filter(launch.plan.type);
  s.stdin_fd = document->get();
  run_as_filter(s);
  if (auto started = spawn("quire-pagecount", Role::kCounter, std::move(s)); !started)
    log::error().warn("[Job {}] {}", spec.job_id, started.error());  // pages go uncounted; the job prints
  return {};
}

RunningJob::RunningJob(Executor executor, JobRunSpec spec, JobRunCallbacks callbacks)
    : impl_(std::make_shared<Impl>(executor, std::move(spec), std::move(callbacks))) {}

RunningJob::~RunningJob() {
  // The scheduler drops us once we reported; make sure nothing of ours outlives it.
  impl_->reported = true;
  impl_->callbacks = {};
  impl_->cleanup();
}

std::shared_ptr<RunningJob> RunningJob::start(Executor executor, JobRunSpec spec, JobRunCallbacks callbacks) {
  auto job = std::make_shared<RunningJob>(executor, std::move(spec), std::move(callbacks));
  std::shared_ptr<Impl> impl = job->impl_;
  Impl& m = *impl;
  m.options = parse_job_options(m.spec.options, m.spec.copies);
  if (m.spec.driver.empty()) m.spec.driver = "raw";
  if (auto d = find_driver(m.spec.driver)) m.driver = std::move(*d);
  else {
    asio::post(executor, [impl, error = d.error()] { impl->report({kBackendStop, error}); });
    return job;
  }
  if (!m.driver.gs_device.empty() && !m.spec.color) m.driver.gs_device = m.driver.gs_device_mono;
  if (m.options.job_sheets == "standard" && !m.driver.is_raw()) {
    m.banner = m.spec.state_dir / "tmp" / ("banner-" + std::to_string(m.spec.job_id) + ".ps");
    BannerInfo info{m.spec.job_id, m.spec.title, m.spec.user, m.spec.printer, 0};
    if (auto written = write_banner(m.banner, info)) {
      DocumentRecord record;
      record.number = 0;
      record.format = "application/postscript";
      record.path = m.banner;
      m.spec.documents.insert(m.spec.documents.begin(), record);
    } else {
      log::error().warn("[Job {}] no banner page: {}", m.spec.job_id, written.error());
      m.banner.clear();
    }
  }
  asio::post(executor, [impl] { impl->run_document(); });
  return job;
}

void RunningJob::cancel() {
  Impl& m = *impl_;
  if (m.canceled || m.reported) return;
  m.canceled = true;
  if (std::none_of(m.processes.begin(), m.processes.end(), [](auto& p) { return !p->exited; })) {
    auto impl = impl_;
    asio::post(m.executor, [impl] { impl->report({kBackendCancel, "canceled"}); });
    return;
  }
  m.kill_group(SIGTERM);
  m.arm_kill(kCancelGrace);
}

}  // namespace quire
