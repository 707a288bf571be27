// Device discovery: backends in discovery mode, run in parallel with a deadline.
#include "quire/device_discovery.hpp"

#include "pipeline/child_process.hpp"
#include "quire/log.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>

namespace quire {
namespace fs = std::filesystem;
namespace {

using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;

// One discovery run: its children, their output files, the deadline.
struct Discovery : std::enable_shared_from_this<Discovery> {
  struct Child {
    std::string scheme;
    SpawnedProcess process;
    fs::path output;
    std::unique_ptr<boost::asio::posix::stream_descriptor> exit_watch;
    bool done = false;
  };

  Executor executor;
  boost::asio::steady_timer deadline;
  std::vector<Child> children;
  DiscoveryHandler handler;
  bool finished = false;

  Discovery(Executor ex, DiscoveryHandler h) : executor(ex), deadline(ex), handler(std::move(h)) {}

  ~Discovery() {
    for (auto& c : children) {
      if (c.process.pid > 0) {
        ::kill(-c.process.pid, SIGKILL);
        reap_process(c.process.pid);
      }
      if (c.process.stderr_fd >= 0) ::close(c.process.stderr_fd);
      std::error_code ec;
      fs::remove(c.output, ec);
    }
  }

  void on_exit(std::size_t index) {
    Child& c = children[index];
    reap_process(c.process.pid);
    c.process.pid = -1;
    c.done = true;
    c.exit_watch.reset();
    for (const auto& other : children)
      if (!other.done) return;
    finish();
  }

  void finish() {
    if (finished) return;
    finished = true;
    deadline.cancel();
    std::vector<DiscoveredDevice> devices;
    for (auto& c : children) {
      if (!c.done) log::error().warn("[Devices] backend {} did not answer in time, skipped", c.scheme);
      if (c.process.pid > 0) {
        ::kill(-c.process.pid, SIGKILL);
        reap_process(c.process.pid);
        c.process.pid = -1;
        c.exit_watch.reset();
      }
      std::ifstream in(c.output);
      std::string line;
      while (std::getline(in, line))
        if (auto device = parse_device_line(line)) devices.push_back(std::move(*device));
    }
    handler(std::move(devices));
  }
};

std::map<std::string, fs::path> backends_by_scheme(const std::vector<fs::path>& dirs) {
  std::map<std::string, fs::path> found;
  for (const auto& dir : dirs) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string scheme = entry.path().filename().string();
      if (entry.is_regular_file() && ::access(entry.path().c_str(), X_OK) == 0) found.emplace(scheme, entry.path());
    }
  }
  return found;
}

// Reads one "quoted string" or bare word at `pos`, advancing it.
std::optional<std::string> next_field(std::string_view line, std::size_t& pos) {
  while (pos < line.size() && line[pos] == ' ') ++pos;
  if (pos >= line.size()) return std::nullopt;
  std::string out;
  if (line[pos] == '"') {
    for (++pos; pos < line.size() && line[pos] != '"'; ++pos) {
      if (line[pos] == '\\' && pos + 1 < line.size()) ++pos;
      out.push_back(line[pos]);
    }
    if (pos >= line.size()) return std::nullopt;  // unterminated
    ++pos;
  } else {
    while (pos < line.size() && line[pos] != ' ') out.push_back(line[pos++]);
  }
  return out;
}

}  // namespace

std::optional<DiscoveredDevice> parse_device_line(std::string_view line) {
  std::size_t pos = 0;
  DiscoveredDevice d;
  auto device_class = next_field(line, pos);
  auto uri = next_field(line, pos);
  auto make = next_field(line, pos);
  auto info = next_field(line, pos);
  if (!device_class || !uri || !make || !info || uri->empty()) return std::nullopt;
  d.device_class = *device_class;
  d.uri = *uri;
  d.make_and_model = *make;
  d.info = *info;
  d.device_id = next_field(line, pos).value_or("");
  d.location = next_field(line, pos).value_or("");
  return d;
}

void discover_devices(Executor executor, const std::vector<fs::path>& backend_dirs, const fs::path& temp_dir,
                      std::chrono::seconds limit, DiscoveryHandler done) {
  auto run = std::make_shared<Discovery>(executor, std::move(done));
  for (const auto& [scheme, path] : backends_by_scheme(backend_dirs)) {
    SpawnSpec spec;
    spec.path = path.string();
    spec.argv = {scheme};
    spec.env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "SOFTWARE=Quire/0.1"};
    spec.stdout_path = (temp_dir / ("discovery-" + std::to_string(::getpid()) + "-" + scheme)).string();
    { std::ofstream create(spec.stdout_path); }
    auto process = spawn_process(spec);
    if (!process) {
      log::error().warn("[Devices] cannot run backend {}: {}", scheme, process.error());
      continue;
    }
    run->children.push_back({scheme, *process, spec.stdout_path});
  }
  if (run->children.empty()) return boost::asio::post(executor, [run] { run->finish(); });
  for (std::size_t i = 0; i < run->children.size(); ++i) {
    auto& child = run->children[i];
    child.exit_watch = std::make_unique<boost::asio::posix::stream_descriptor>(executor, child.process.pidfd);
    child.exit_watch->async_wait(boost::asio::posix::descriptor_base::wait_read,
                                 [run, i](boost::system::error_code ec) {
                                   if (!ec && !run->finished) run->on_exit(i);
                                 });
  }
  run->deadline.expires_after(limit);
  run->deadline.async_wait([run](boost::system::error_code ec) {
    if (!ec) run->finish();
  });
}

}  // namespace quire
