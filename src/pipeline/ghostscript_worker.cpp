// Supervising quire-gsd: spawn, watch its pidfd, restart with a growing delay when it
// keeps dying young.
#include "quire/ghostscript_worker.hpp"

#include "pipeline/child_process.hpp"
#include "quire/log.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace quire {

namespace asio = boost::asio;

struct GhostscriptWorker::State : std::enable_shared_from_this<GhostscriptWorker::State> {
  asio::strand<asio::io_context::executor_type> strand;
  std::filesystem::path program;
  std::filesystem::path directory;
  pid_t pid = -1;
  std::unique_ptr<asio::posix::stream_descriptor> exit_watch;
  std::unique_ptr<asio::posix::stream_descriptor> stderr_pipe;
  std::array<char, 1024> buffer{};
  asio::steady_timer restart_timer;
  std::chrono::steady_clock::time_point started;
  std::chrono::milliseconds delay{100};
  bool stopped = false;

  State(asio::io_context& io, std::filesystem::path p, std::filesystem::path d)
      : strand(asio::make_strand(io)), program(std::move(p)), directory(std::move(d)), restart_timer(strand) {}

  void spawn() {
    if (stopped) return;
    SpawnSpec spec;
    spec.path = program.string();
    spec.argv = {"quire-gsd", directory.string()};
    spec.env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=" + directory.string(), "TMPDIR=" + directory.string()};
    if (auto account = unprivileged_account()) {
      spec.uid = account->uid;
      spec.gid = account->gid;
    }
    spec.working_dir = directory.string();
    auto child = spawn_process(spec);
    if (!child) {
      log::error().error("[Ghostscript worker] cannot start: {}", child.error());
      return schedule_restart();
    }
    pid = child->pid;
    started = std::chrono::steady_clock::now();
    exit_watch = std::make_unique<asio::posix::stream_descriptor>(strand, child->pidfd);
    stderr_pipe = std::make_unique<asio::posix::stream_descriptor>(strand, child->stderr_fd);
    read_stderr();
    exit_watch->async_wait(asio::posix::descriptor_base::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      int status = reap_process(self->pid);
      self->pid = -1;
      self->exit_watch.reset();
      self->stderr_pipe.reset();
      if (self->stopped) return;
      log::error().info("[Ghostscript worker] ended ({}); starting another", describe_wait_status(status));
      self->schedule_restart();
    });
  }

  void read_stderr() {
    stderr_pipe->async_read_some(asio::buffer(buffer), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec || !self->stderr_pipe) return;
      log::error().debug("[Ghostscript worker] {}", std::string_view(self->buffer.data(), n));
      self->read_stderr();
    });
  }

  void schedule_restart() {
    if (stopped) return;
    bool died_young = std::chrono::steady_clock::now() - started < std::chrono::seconds(10);
    delay = died_young ? std::min(delay * 2, std::chrono::milliseconds(30000)) : std::chrono::milliseconds(100);
    restart_timer.expires_after(delay);
    restart_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->spawn();
    });
  }

  void shutdown() {
    stopped = true;
    restart_timer.cancel();
    exit_watch.reset();
    stderr_pipe.reset();
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      reap_process(pid);
      pid = -1;
    }
  }
};

GhostscriptWorker::GhostscriptWorker(asio::io_context& io, std::filesystem::path program, std::filesystem::path directory)
    : state_(std::make_shared<State>(io, std::move(program), std::move(directory))) {}

GhostscriptWorker::~GhostscriptWorker() {
  state_->shutdown();
  std::error_code ec;
  std::filesystem::remove_all(state_->directory, ec);
}

std::expected<std::filesystem::path, std::string> GhostscriptWorker::create_directory() {
  std::error_code ec;
  std::string pattern = (std::filesystem::temp_directory_path(ec) / "quire-gsd-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) return std::unexpected(pattern + ": " + std::strerror(errno));
  if (auto account = unprivileged_account(); account && ::chown(pattern.c_str(), account->uid, account->gid) != 0)
    return std::unexpected(pattern + ": chown: " + std::strerror(errno));
  return std::filesystem::path(pattern);
}

void GhostscriptWorker::start() {
  asio::post(state_->strand, [s = state_] { s->spawn(); });
}

void GhostscriptWorker::stop() {
  asio::post(state_->strand, [s = state_] { s->shutdown(); });
}

}  // namespace quire
