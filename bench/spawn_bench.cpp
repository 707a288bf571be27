// spawn_bench: what starting a child costs the daemon, fork against the clone(CLONE_VM |
// CLONE_VFORK) that quire's spawn_process uses, with the process carrying as much
// touched memory as a busy quired (fork copies page tables and then takes copy-on-write
// faults in proportion). Each start runs /bin/true and is reaped before the next.
//
//   spawn_bench [--runs N] [--ballast-mib M ...]
// Prints one line per ballast: microseconds per start for each method, median of 5
// batches, as wall time and as the CPU this process (the daemon's side) spent.
#include "pipeline/child_process.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// The reference: a plain fork, the child doing what the daemon's child does first.
void start_with_fork(char** argv, char** envp) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::execve(argv[0], argv, envp);
    _exit(127);
  }
  int status;
  ::waitpid(pid, &status, 0);
}

void start_with_spawn(const quire::SpawnSpec& spec) {
  auto started = quire::spawn_process(spec);
  if (!started) {
    std::fprintf(stderr, "spawn_bench: %s\n", started.error().c_str());
    std::exit(1);
  }
  quire::reap_process(started->pid);
  ::close(started->pidfd);
  ::close(started->stderr_fd);
}

double self_cpu_us() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

struct Cost {
  double wall_us, cpu_us;
};

template <typename F>
Cost median_cost(int runs, F start) {
  std::vector<double> walls, cpus;
  for (int batch = 0; batch < 5; ++batch) {
    auto t0 = Clock::now();
    double c0 = self_cpu_us();
    for (int i = 0; i < runs / 5; ++i) start();
    cpus.push_back((self_cpu_us() - c0) / (runs / 5));
    walls.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / (runs / 5));
  }
  std::sort(walls.begin(), walls.end());
  std::sort(cpus.begin(), cpus.end());
  return {walls[2], cpus[2]};
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 1000;
  std::vector<int> ballasts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (arg == "--ballast-mib" && i + 1 < argc) ballasts.push_back(std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: spawn_bench [--runs N] [--ballast-mib M ...]\n");
      return 2;
    }
  }
  if (ballasts.empty()) ballasts = {0, 16, 64};
  char true_path[] = "/bin/true";
  char* child_argv[] = {true_path, nullptr};
  char* child_envp[] = {nullptr};
  quire::SpawnSpec spec;
  spec.path = true_path;
  spec.argv = {true_path};
  std::vector<std::vector<char>> ballast;
  int held = 0;
  for (int mib : ballasts) {
    for (; held < mib; ++held) ballast.emplace_back(1 << 20, 1);  // touched: resident
    Cost fork = median_cost(runs, [&] { start_with_fork(child_argv, child_envp); });
    Cost spawn = median_cost(runs, [&] { start_with_spawn(spec); });
    std::printf("ballast %3d MiB: fork %7.1f us wall, %6.1f us parent CPU | spawn_process %7.1f us wall, %6.1f us parent CPU\n",
                mib, fork.wall_us, fork.cpu_us, spawn.wall_us, spawn.cpu_us);
  }
  return 0;
}
