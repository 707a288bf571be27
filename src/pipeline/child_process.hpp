// ChildProcess: starts one filter or backend in a job's process group, optionally as
// an unprivileged user, with its stderr on a pipe, and reports its exit through a
// pidfd — no SIGCHLD handler needed. Callable from any thread.
#pragma once

#include <sys/types.h>

#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace quire {

struct SpawnSpec {
  std::string path;                 // executable
  std::vector<std::string> argv;    // argv[0] included
  std::vector<std::string> env;     // "NAME=value"
  // Standard input and output: an open descriptor (dup'ed into place; the caller
  // keeps and closes its own) or, when -1, a path opened in the child.
  int stdin_fd = -1;
  int stdout_fd = -1;
  std::string stdin_path = "/dev/null";
  std::string stdout_path = "/dev/null";
  // More descriptors to place: {open descriptor, number in the child}. CUPS gives
  // filters and backends the back channel on 3 and the side channel on 4.
  std::vector<std::pair<int, int>> extra_fds;
  pid_t process_group = 0;          // 0: a new group led by the child
  std::optional<uid_t> uid;         // switch to this user (and gid) before exec
  std::optional<gid_t> gid;
  std::string working_dir;          // "" = inherit
};

struct SpawnedProcess {
  pid_t pid = -1;
  int pidfd = -1;       // readable once the child has exited
  int stderr_fd = -1;   // read end of the child's stderr, non-blocking
};

// Fails (with the exec error seen in the child) when the program cannot start.
std::expected<SpawnedProcess, std::string> spawn_process(const SpawnSpec& spec);

// Reaps an exited child; returns its wait status (as waitpid gives it).
int reap_process(pid_t pid);

// "exit status 2", "killed by signal 9 (Killed)".
std::string describe_wait_status(int status);

// The unprivileged account filters run as when the daemon is root ("lp", else
// "nobody"); nullopt when the daemon is not root (children keep its identity).
struct RunAs {
  uid_t uid;
  gid_t gid;
};
std::optional<RunAs> unprivileged_account();

}  // namespace quire
