// ChildProcess: spawns one filter or backend in a process group of its own, with its
// stderr on a pipe, and reports its exit through a pidfd — no SIGCHLD handler needed.
#pragma once

#include <sys/types.h>

#include <expected>
#include <string>
#include <vector>

namespace quire {

struct SpawnSpec {
  std::string path;                 // executable
  std::vector<std::string> argv;    // argv[0] included
  std::vector<std::string> env;     // "NAME=value"
  std::string stdin_path = "/dev/null";
  std::string stdout_path = "/dev/null";
  pid_t process_group = 0;          // 0: a new group led by the child
};

struct SpawnedProcess {
  pid_t pid = -1;
  int pidfd = -1;       // readable once the child has exited
  int stderr_fd = -1;   // read end of the child's stderr, non-blocking
};

std::expected<SpawnedProcess, std::string> spawn_process(const SpawnSpec& spec);

// Reaps an exited child; returns its wait status (as waitpid gives it).
int reap_process(pid_t pid);

// "exit status 2", "killed by signal 9 (Killed)".
std::string describe_wait_status(int status);

}  // namespace quire
