// Starting a child with a process group, an optional user switch, a stderr pipe and a
// pidfd. The child is made with clone(CLONE_VM | CLONE_VFORK), as glibc's posix_spawn
// does, not fork: it borrows the daemon's memory until it calls exec, so no page tables
// are copied and no copy-on-write faults follow (fork's cost grows with the daemon's
// size; bench/spawn_bench.cpp measures both). posix_spawn itself cannot switch users.
// Until exec the child shares our memory and runs on a stack of its own, with every
// signal blocked: it calls only raw system calls (no glibc set*id, which would signal
// our threads), writes nothing but its failure report, and every string it needs is
// built before the clone.
#include "pipeline/child_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
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

// The child's code must not be instrumented: it shares the daemon's memory (and so its
// sanitizer shadow) and never returns from its frames.
#define QUIRE_CHILD_CODE __attribute__((no_sanitize("address", "undefined")))

// What the child needs, and where it reports the step that failed: our memory, which it
// shares until exec.
struct ChildStart {
  const SpawnSpec* spec;
  char** argv;
  char** envp;
  int err_write;
  pid_t parent;
  int failed_step = 0;
  int failed_errno = 0;
};

// In the child: records the failing step's errno and exits.
[[noreturn]] QUIRE_CHILD_CODE void child_fail(ChildStart& start, int step) {
  start.failed_errno = errno;
  start.failed_step = step;
  _exit(127);
}

// Puts `fd` at `target` (or opens `path` there). Returns false on failure.
QUIRE_CHILD_CODE bool place_fd(int fd, const char* path, int flags, int target) {
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

[[noreturn]] QUIRE_CHILD_CODE void run_child(ChildStart& start) {
  const SpawnSpec& spec = *start.spec;
  int err_write = start.err_write;
  // Descriptors we are about to place could sit on 0..2 themselves; move them up.
  int in = spec.stdin_fd >= 0 && spec.stdin_fd <= 2 ? ::fcntl(spec.stdin_fd, F_DUPFD_CLOEXEC, 3) : spec.stdin_fd;
  int out = spec.stdout_fd >= 0 && spec.stdout_fd <= 2 ? ::fcntl(spec.stdout_fd, F_DUPFD_CLOEXEC, 3) : spec.stdout_fd;
  if (err_write <= 2) err_write = ::fcntl(err_write, F_DUPFD_CLOEXEC, 3);
  if (!place_fd(in, spec.stdin_path.c_str(), O_RDONLY, 0)) child_fail(start, kStdin);
  if (!place_fd(out, spec.stdout_path.c_str(), O_WRONLY, 1)) child_fail(start, kStdout);
  if (::dup2(err_write, 2) != 2) child_fail(start, kStderr);
  // No descriptor of the daemon (sockets, the spool database) survives the exec...
  ::syscall(SYS_close_range, 3u, ~0u, kCloseRangeCloexec);
  // ...but the ones asked for. Extra descriptors go up out of the way first, so that placing one cannot
  // overwrite another's source.
  int moved[8];
  std::size_t extras = spec.extra_fds.size() < 8 ? spec.extra_fds.size() : 8;
  for (std::size_t i = 0; i < extras; ++i) moved[i] = ::fcntl(spec.extra_fds[i].first, F_DUPFD_CLOEXEC, 16);
  for (std::size_t i = 0; i < extras; ++i)
    if (moved[i] < 0 || ::dup2(moved[i], spec.extra_fds[i].second) != spec.extra_fds[i].second) child_fail(start, kStderr);
  if (::setpgid(0, spec.process_group) != 0) child_fail(start, kGroup);
  if (spec.gid) {
    if (::syscall(SYS_setgroups, 1, &*spec.gid) != 0) child_fail(start, kGroups);
    if (::syscall(SYS_setgid, *spec.gid) != 0) child_fail(start, kGid);
  }
  if (spec.uid && ::syscall(SYS_setuid, *spec.uid) != 0) child_fail(start, kUid);
  // After the user switch, which would clear it; and the parent may already be gone.
  if (spec.die_with_parent && (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != start.parent)) _exit(127);
  if (!spec.working_dir.empty() && ::chdir(spec.working_dir.c_str()) != 0) child_fail(start, kChdir);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(spec.path.c_str(), start.argv, start.envp);
  child_fail(start, kExec);
}

QUIRE_CHILD_CODE int child_main(void* start) { run_child(*static_cast<ChildStart*>(start)); }

constexpr std::size_t kChildStack = 256 * 1024;  // the child's own stack, until exec

// clone(CLONE_VM | CLONE_VFORK): returns once the child has called exec or exited.
pid_t start_child(ChildStart& start) {
  void* stack = ::mmap(nullptr, kChildStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return -1;
  // No handler of ours may run in the child while it shares our memory; it resets them
  // all before unblocking.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = ::clone(child_main, static_cast<char*>(stack) + kChildStack, CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
  int saved = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::munmap(stack, kChildStack);
  errno = saved;
  return pid;
}

}  // namespace

std::expected<SpawnedProcess, std::string> spawn_process(const SpawnSpec& spec) {
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return std::unexpected(std::string("pipe: ") + std::strerror(errno));
  auto argv = c_strings(spec.argv);
  auto envp = c_strings(spec.env);
  ChildStart start{&spec, argv.data(), envp.data(), err_pipe[1], ::getpid()};
  pid_t pid = start_child(start);
  int clone_errno = errno;
  ::close(err_pipe[1]);
  if (pid < 0) {
    ::close(err_pipe[0]);
    return std::unexpected(std::string("clone: ") + std::strerror(clone_errno));
  }
  // The child has exec'd (or failed) by now; its setpgid is done. Setting the group from
  // this side too is harmless after exec (EACCES) and keeps kill(-group) from missing it.
  ::setpgid(pid, spec.process_group ? spec.process_group : pid);
  if (start.failed_step != 0) {
    reap_process(pid);
    ::close(err_pipe[0]);
    return std::unexpected(spec.path + ": " + step_name(start.failed_step) + ": " + std::strerror(start.failed_errno));
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

std::optional<int> try_reap_process(pid_t pid) {
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(pid, &status, WNOHANG)) < 0 && errno == EINTR) {
  }
  if (r == 0) return std::nullopt;
  return r < 0 ? 0 : status;  // not our child (any more): nothing to wait for
}

bool kill_and_reap(pid_t pid, int timeout_ms) {
  ::kill(pid, SIGKILL);
  for (int waited = 0; waited <= timeout_ms; waited += 5) {
    if (try_reap_process(pid)) return true;
    ::usleep(5000);
  }
  return false;
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
