// fork/exec with a process group, an optional user switch, a stderr pipe and a pidfd.
// Between fork and exec the child calls only async-signal-safe functions: every
// string it needs is built before the fork.
#include "pipeline/child_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace quire {
namespace {

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// In the child: reports the failing step's errno on `report` and exits.
[[noreturn]] void child_fail(int report, int step) {
  int payload[2] = {step, errno};
  (void)!::write(report, payload, sizeof payload);
  _exit(127);
}

// Puts `fd` at `target` (or opens `path` there). Returns false on failure.
bool place_fd(int fd, const char* path, int flags, int target) {
  if (fd >= 0) return fd == target ? ::fcntl(fd, F_SETFD, 0) == 0 : ::dup2(fd, target) == target;
  int opened = ::open(path, flags | O_CLOEXEC, 0600);
  if (opened < 0) return false;
  if (opened != target && ::dup2(opened, target) != target) return false;
  if (opened != target) ::close(opened);
  return true;
}

constexpr unsigned kCloseRangeCloexec = 1u << 2;  // CLOSE_RANGE_CLOEXEC (linux/close_range.h)

enum Step { kStdin = 1, kStdout, kStderr, kGroup, kGroups, kGid, kUid, kChdir, kExec };
const char* step_name(int step) {
  switch (step) {
    case kStdin: return "standard input";
    case kStdout: return "standard output";
    case kStderr: return "standard error";
    case kGroup: return "setpgid";
    case kGroups: return "setgroups";
    case kGid: return "setgid";
    case kUid: return "setuid";
    case kChdir: return "chdir";
    default: return "exec";
  }
}

[[noreturn]] void run_child(const SpawnSpec& spec, char** argv, char** envp, int err_write, int report) {
  // Descriptors we are about to place could sit on 0..2 themselves; move them up.
  int in = spec.stdin_fd >= 0 && spec.stdin_fd <= 2 ? ::fcntl(spec.stdin_fd, F_DUPFD_CLOEXEC, 3) : spec.stdin_fd;
  int out = spec.stdout_fd >= 0 && spec.stdout_fd <= 2 ? ::fcntl(spec.stdout_fd, F_DUPFD_CLOEXEC, 3) : spec.stdout_fd;
  if (err_write <= 2) err_write = ::fcntl(err_write, F_DUPFD_CLOEXEC, 3);
  if (!place_fd(in, spec.stdin_path.c_str(), O_RDONLY, 0)) child_fail(report, kStdin);
  if (!place_fd(out, spec.stdout_path.c_str(), O_WRONLY, 1)) child_fail(report, kStdout);
  if (::dup2(err_write, 2) != 2) child_fail(report, kStderr);
  // No descriptor of the daemon (sockets, the spool database) survives the exec...
  ::syscall(SYS_close_range, 3u, ~0u, kCloseRangeCloexec);
  // ...but the ones asked for. Extra descriptors go up out of the way first, so that placing one cannot
  // overwrite another's source.
  int moved[8];
  std::size_t extras = spec.extra_fds.size() < 8 ? spec.extra_fds.size() : 8;
  for (std::size_t i = 0; i < extras; ++i) moved[i] = ::fcntl(spec.extra_fds[i].first, F_DUPFD_CLOEXEC, 16);
  for (std::size_t i = 0; i < extras; ++i)
    if (moved[i] < 0 || ::dup2(moved[i], spec.extra_fds[i].second) != spec.extra_fds[i].second) child_fail(report, kStderr);
  if (::setpgid(0, spec.process_group) != 0) child_fail(report, kGroup);
  if (spec.gid) {
    if (::setgroups(1, &*spec.gid) != 0) child_fail(report, kGroups);
    if (::setgid(*spec.gid) != 0) child_fail(report, kGid);
  }
  if (spec.uid && ::setuid(*spec.uid) != 0) child_fail(report, kUid);
  if (!spec.working_dir.empty() && ::chdir(spec.working_dir.c_str()) != 0) child_fail(report, kChdir);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(spec.path.c_str(), argv, envp);
  child_fail(report, kExec);
}

}  // namespace

std::expected<SpawnedProcess, std::string> spawn_process(const SpawnSpec& spec) {
  int err_pipe[2];
  int report_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return std::unexpected(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(report_pipe, O_CLOEXEC) != 0) {
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    return std::unexpected(std::string("pipe: ") + std::strerror(errno));
  }
  auto argv = c_strings(spec.argv);
  auto envp = c_strings(spec.env);
  pid_t pid = ::fork();
  if (pid == 0) run_child(spec, argv.data(), envp.data(), err_pipe[1], report_pipe[1]);
  int fork_errno = errno;
  ::close(err_pipe[1]);
  ::close(report_pipe[1]);
  if (pid < 0) {
    ::close(err_pipe[0]);
    ::close(report_pipe[0]);
    return std::unexpected(std::string("fork: ") + std::strerror(fork_errno));
  }
  // Also set the group from this side, so a kill(-group) right after we return
  // cannot miss the child (the race POSIX describes for setpgid).
  ::setpgid(pid, spec.process_group ? spec.process_group : pid);
  int payload[2] = {0, 0};
  ssize_t n;
  while ((n = ::read(report_pipe[0], payload, sizeof payload)) < 0 && errno == EINTR) {
  }
  ::close(report_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof payload)) {
    reap_process(pid);
    ::close(err_pipe[0]);
    return std::unexpected(spec.path + ": " + step_name(payload[0]) + ": " + std::strerror(payload[1]));
  }
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    int saved = errno;
    ::kill(pid, SIGKILL);
    reap_process(pid);
    ::close(err_pipe[0]);
    return std::unexpected(std::string("pidfd_open: ") + std::strerror(saved));
  }
  ::fcntl(err_pipe[0], F_SETFL, ::fcntl(err_pipe[0], F_GETFL) | O_NONBLOCK);
  return SpawnedProcess{pid, pidfd, err_pipe[0]};
}

int reap_process(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "status " + std::to_string(status);
}

std::optional<RunAs> unprivileged_account() {
  if (::geteuid() != 0) return std::nullopt;
  for (const char* name : {"lp", "nobody"}) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    char buf[1024];
    if (::getpwnam_r(name, &pw, buf, sizeof buf, &found) == 0 && found) return RunAs{found->pw_uid, found->pw_gid};
  }
  return RunAs{65534, 65534};
}

}  // namespace quire
