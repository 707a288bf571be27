// run_daemon: wires the spool, scheduler, IPP dispatcher and HTTP server together,
// reports where it listens, and stops gracefully on SIGTERM/SIGINT.
#include "quire/daemon.hpp"

#include "quire/access_control.hpp"
#include "quire/admin_conf.hpp"
#include "quire/printer_ppd.hpp"
#include "quire/authenticator.hpp"
#include "quire/config.hpp"
#include "quire/filter_catalog.hpp"
#include "quire/ghostscript_worker.hpp"
#include "quire/http_server.hpp"
#include "quire/ipp_dispatcher.hpp"
#include "quire/log.hpp"
#include "quire/lpd_server.hpp"
#include "quire/scheduler.hpp"
#include "quire/server_settings.hpp"
#include "quire/spool.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace quire {
namespace fs = std::filesystem;
namespace {

constexpr auto kShutdownGrace = std::chrono::seconds(3);

// Stops the io_context if shutting down takes longer than the grace period. A thread
// of its own, not an Asio timer: a pending timer would itself keep io.run() going.
class ShutdownWatchdog {
 public:
  explicit ShutdownWatchdog(boost::asio::io_context& io) : io_(io) {}
  ~ShutdownWatchdog() { disarm(); }
  void arm(std::chrono::seconds grace) {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    thread_ = std::thread([this, grace] {
      std::unique_lock lock(mutex_);
      if (!done_cv_.wait_for(lock, grace, [this] { return done_; })) io_.stop();
    });
  }
  void disarm() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  boost::asio::io_context& io_;
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
};

// Runs the io_context until it stops. An exception escaping a handler is a bug: it is
// logged with what it says and the loop goes on, so one bad request cannot take the
// daemon (and every acknowledged job's progress) down with it.
void run_io(boost::asio::io_context& io) {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      log::error().critical("Unhandled exception in a handler (a bug): {}", e.what());
    }
  }
}

std::expected<HttpServer::Endpoint, std::string> parse_endpoint(const std::string& text) {
  if (!text.empty() && text[0] == '/') return HttpServer::Endpoint{text, 0};
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::unexpected("\"" + text + "\" is not ADDRESS:PORT");
  std::string address = text.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535) return std::unexpected("\"" + text + "\" has no valid port");
  return HttpServer::Endpoint{address.empty() ? "*" : address, static_cast<std::uint16_t>(port)};
}

std::string listen_advice(const std::string& endpoint, const std::string& error) {
  std::string advice = "quired: cannot listen on " + endpoint + ": " + error + "\n";
  if (error.find("in use") != std::string::npos)
    advice += "  Another server holds that port - often CUPS's cupsd. Stop it (systemctl stop cups cups.socket)\n"
              "  or start quired on another port, e.g. --listen localhost:8631.\n";
  else if (error.find("ermission") != std::string::npos)
    advice += "  Ports below 1024 need root (or CAP_NET_BIND_SERVICE). Run as root, or use\n"
              "  --listen localhost:8631.\n";
  return advice;
}

fs::path config_file(const DaemonOptions& options) { return options.config.value_or(options.state_dir / "cupsd.conf"); }

// cupsd.conf as written (a --log-level override is applied by the caller, so that a
// later cupsctl change of LogLevel is what takes over).
ServerConfig load_config_or_exit(const DaemonOptions& options, int& exit_code) {
  auto config = load_server_config(config_file(options));
  if (!config) {
    std::cerr << "quired: " << config.error().to_string() << "\n";
    exit_code = 1;
    return {};
  }
  return *config;
}

// Who may do what: cupsd.conf's rules for the dispatcher and the HTTP front end, and
// the credentials the front end accepts. cupsctl's changes reach them without a restart.
void set_up_access(const DaemonOptions& options, const std::shared_ptr<AccessControl>& access,
                   const std::shared_ptr<ServerSettings>& settings, HttpServer& http,
                   std::shared_ptr<const LocalCertificates> certificates, Scheduler& scheduler) {
  http.set_access_control(access);
  http.set_authenticator(std::make_shared<Authenticator>(
      std::move(certificates), Authenticator::Options{"cups", options.pam_config_dir}));
  settings->on_change([access](const ServerConfig& before, const ServerConfig& after) {
    access->update(after);
    if (after.log_level != before.log_level) log::set_level(after.log_level);
    if (after.max_log_size != before.max_log_size) log::set_max_size(after.max_log_size);
    if (after.access_log_level != before.access_log_level) log::set_access_level(after.access_log_level);
  });
  // Queues' PPD files are served whatever WebInterface says, as CUPS does.
  http.set_web_handler(make_printer_ppd_handler(scheduler, make_admin_conf_handler(settings, access)));
}

std::vector<fs::path> backend_dirs(const DaemonOptions& options, const ServerConfig& config) {
  std::vector<fs::path> dirs;
  for (const auto& extra : config.server_bin_extra) dirs.emplace_back(fs::path(extra) / "backend");
  dirs.push_back(options.server_bin / "backend");
  dirs.emplace_back("/usr/lib/cups/backend");  // CUPS's own backends run unchanged
  return dirs;
}

// Filters: ServerBinPath's first, then Quire's own, then CUPS's (run unchanged). Type
// and conversion rules live in share/quire beside lib/quire; *.types and *.convs in
// the state directory add to them.
std::expected<std::shared_ptr<const FilterCatalog>, std::string> load_filters(const DaemonOptions& options,
                                                                             const ServerConfig& config,
                                                                             const fs::path& gs_worker_dir) {
  FilterCatalog::Options o;
  o.gs_worker_dir = gs_worker_dir;
  for (const auto& extra : config.server_bin_extra) o.filter_dirs.emplace_back(fs::path(extra) / "filter");
  o.filter_dirs.push_back(options.server_bin / "filter");
  o.filter_dirs.emplace_back("/usr/lib/cups/filter");
  o.data_dir = options.server_bin.parent_path().parent_path() / "share" / "quire";
  o.local_dir = options.state_dir;
  return FilterCatalog::load(o);
}

// The ports file is complete before "ready" is printed: tests read either. LPD
// endpoints are marked "lpd" in both.
void report_endpoints(const fs::path& state_dir, const std::vector<std::string>& endpoints,
                      const std::vector<std::string>& lpd_endpoints) {
  std::string text;
  for (const auto& e : endpoints) text += e + "\n";
  for (const auto& e : lpd_endpoints) text += "lpd " + e + "\n";
  if (auto written = write_file_atomically(state_dir / "run" / "quired.ports", text); !written)
    log::error().error("Unable to write the ports file: {}", written.error());
  for (const auto& e : endpoints) std::cout << "quired: listening on " << e << "\n";
  for (const auto& e : lpd_endpoints) std::cout << "quired: lpd listening on " << e << "\n";
  std::cout << "quired: ready" << std::endl;
}

LpdLimits lpd_limits(const ServerConfig& config, const fs::path& state_dir) {
  LpdLimits limits;
  limits.timeout = std::chrono::seconds(config.lpd_timeout);
  limits.max_job_bytes = config.max_request_size;
  limits.temp_dir = state_dir / "tmp";
  return limits;
}

// LPD is an extra: an endpoint that cannot be bound is reported and IPP is served anyway.
void listen_lpd(LpdServer& lpd, const std::vector<std::string>& endpoints) {
  for (const auto& text : endpoints) {
    if (text == "off") continue;
    auto endpoint = parse_endpoint(text);
    if (endpoint && endpoint->address.starts_with('/')) endpoint = std::unexpected(text + ": LPD listens on TCP only");
    auto bound = endpoint ? lpd.listen({endpoint->address, endpoint->port}) : std::unexpected(endpoint.error());
    if (bound) continue;
    std::cerr << "quired: LPD is not available on " << text << ": " << bound.error() << "; IPP is served anyway.\n"
              << "  Port 515 needs root (or CAP_NET_BIND_SERVICE) and a free port; --lpd-listen picks another,\n"
              << "  e.g. --lpd-listen localhost:8515, and --lpd-listen off turns LPD off.\n";
    log::error().warn("LPD not available on {}: {}", text, bound.error());
  }
}

}  // namespace

int run_daemon(const DaemonOptions& options) {
  initialize_state_dir(options.state_dir);
  int exit_code = 0;
  const ServerConfig file_config = load_config_or_exit(options, exit_code);
  if (exit_code != 0) return exit_code;
  ServerConfig config = file_config;
  if (options.log_level) config.log_level = *options.log_level;
  log::open(options.state_dir / "log", config.log_level, true);
  log::set_max_size(config.max_log_size);
  log::set_access_level(config.access_log_level);
  for (const auto& w : config.warnings) log::error().warn("{}", w.to_string());

  auto printers = load_printers_conf(options.state_dir / "printers.conf");
  auto classes = load_printers_conf(options.state_dir / "classes.conf");
  for (const auto* loaded : {&printers, &classes}) {
    if (!*loaded) {
      std::cerr << "quired: " << loaded->error().to_string() << "\n";
      return 1;
    }
  }
  printers->insert(printers->end(), classes->begin(), classes->end());
  auto spool = Spool::open({options.state_dir / "spool"});
  if (!spool) {
    std::cerr << "quired: spool: " << spool.error() << "\n";
    return 1;
  }
  auto jobs = (*spool)->load_jobs();
  if (!jobs) {
    std::cerr << "quired: spool: " << jobs.error() << "\n";
    return 1;
  }

  // A warm Ghostscript (quire-gsd) when it is built; quire-gs runs a fresh gs otherwise.
  fs::path gs_worker_program = options.server_bin / "filter" / "quire-gsd";
  fs::path gs_worker_dir;
  if (::access(gs_worker_program.c_str(), X_OK) == 0) {
    if (auto dir = GhostscriptWorker::create_directory()) gs_worker_dir = *dir;
    else log::error().warn("No warm Ghostscript worker: {}", dir.error());
  }
  auto filters = load_filters(options, config, gs_worker_dir);
  if (!filters) {
    std::cerr << "quired: " << filters.error() << "\n";
    std::error_code ignored;
    if (!gs_worker_dir.empty()) fs::remove_all(gs_worker_dir, ignored);
    return 1;
  }
  boost::asio::io_context io;
  std::optional<GhostscriptWorker> gs_worker;
  if (!gs_worker_dir.empty()) {
    gs_worker.emplace(io, gs_worker_program, gs_worker_dir);
    gs_worker->start();
  }
  // Discovery runs Quire's own backends only: some of CUPS's (snmp, dnssd) probe the
  // network, which a print server must not do behind an admin's back.
  auto dirs = backend_dirs(options, config);
  std::vector<fs::path> discovery(dirs.begin(), dirs.end() - 1);
  Scheduler scheduler(io, **spool,
                      {.server = config, .state_dir = fs::absolute(options.state_dir), .backend_dirs = dirs,
                       .filters = *filters, .discovery_dirs = discovery});
  scheduler.load(std::move(*printers), std::move(*jobs));
  auto access = std::make_shared<AccessControl>(config);
  auto certificates = LocalCertificates::create(options.state_dir / "run" / "certs", config.system_groups);
  if (!certificates) log::error().error("Local authentication is off: {}", certificates.error());
  IppDispatcher dispatcher(scheduler, access);
  HttpLimits limits;
  limits.max_body_bytes = config.max_request_size;
  HttpServer http(io, dispatcher, limits);
  LpdServer lpd(io, dispatcher, lpd_limits(config, options.state_dir));
  set_up_access(options, access, std::make_shared<ServerSettings>(config_file(options), file_config), http,
                certificates ? std::shared_ptr<const LocalCertificates>(std::move(*certificates)) : nullptr,
                scheduler);

  // Signals are caught from here on, so a SIGTERM right after "ready" stops us cleanly.
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  ShutdownWatchdog watchdog(io);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    log::error().info("Received signal {}, shutting down", signal);
    http.stop();
    lpd.stop();
    if (gs_worker) gs_worker->stop();
    boost::asio::post(scheduler.strand(), [&] { scheduler.shutdown(); });
    watchdog.arm(kShutdownGrace);
  });

  std::vector<std::string> listen = options.listen.empty() ? config.listen : options.listen;
  listen.push_back(fs::absolute(options.state_dir / "run" / "quire.sock").string());  // a path, even for a relative DIR
  for (const auto& text : listen) {
    auto endpoint = parse_endpoint(text);
    auto bound = endpoint ? http.listen(*endpoint) : std::unexpected(endpoint.error());
    if (!bound) {
      std::cerr << listen_advice(text, bound.error());
      log::error().critical("Unable to listen on {}: {}", text, bound.error());
      return 1;
    }
  }
  listen_lpd(lpd, options.lpd_listen.empty() ? config.lpd_listen : options.lpd_listen);
  report_endpoints(options.state_dir, http.bound_endpoints(), lpd.bound_endpoints());
  log::error().info("Quire started, state directory {}", options.state_dir.string());
  scheduler.start();


  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads)
                                         : std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { run_io(io); });
  run_io(io);
  for (auto& t : pool) t.join();
  watchdog.disarm();
  // Finish pending commits while the scheduler they report to still exists.
  spool->reset();
  log::error().info("Quire stopped");
  log::flush();
  return 0;
}

}  // namespace quire
