// posix_spawn with a fresh process group, a stderr pipe and a pidfd.
#include "pipeline/child_process.hpp"

#include <fcntl.h>
#include <spawn.h>
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

// Owns posix_spawn's attribute and file-action objects for one spawn.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

std::expected<SpawnedProcess, std::string> spawn_process(const SpawnSpec& spec) {
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return std::unexpected(std::string("pipe: ") + std::strerror(errno));
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, spec.stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&setup.actions, 1, spec.stdout_path.c_str(), O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, err_pipe[1], 2);
  // CUPS's back-channel (fd 3) and side-channel (fd 4) must be open: a backend that
  // finds them closed can mistake the next file it opens for one (CUPS 2.4's socket
  // backend reads its print file as side-channel requests). Until the pipeline wires
  // real channels, both are /dev/null.
  posix_spawn_file_actions_addopen(&setup.actions, 3, "/dev/null", O_RDWR, 0);
  posix_spawn_file_actions_addopen(&setup.actions, 4, "/dev/null", O_RDWR, 0);
  posix_spawnattr_setpgroup(&setup.attr, spec.process_group);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGCHLD);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  auto argv = c_strings(spec.argv);
  auto envp = c_strings(spec.env);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, spec.path.c_str(), &setup.actions, &setup.attr, argv.data(), envp.data());
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(err_pipe[0]);
    return std::unexpected(spec.path + ": " + std::strerror(rc));
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

}  // namespace quire
