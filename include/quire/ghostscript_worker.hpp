// GhostscriptWorker: keeps one warm Ghostscript worker (quire-gsd, a libgs instance
// that skips Ghostscript's ~65 ms start-up per job) running in a private directory,
// as lp when the daemon is root, and starts a new one whenever it exits (a crash, or
// after a failed document, which it never runs a second job after). quire-gs uses it
// when it is idle and the job suits it, and runs a fresh gs otherwise. Owned by the
// daemon; all its handlers run on the io_context it is given (its own strand).
#pragma once

#include <boost/asio/io_context.hpp>

#include <expected>
#include <filesystem>
#include <memory>
#include <string>

namespace quire {

class GhostscriptWorker {
 public:
  // `program` is quire-gsd; `directory` (created by create_directory()) holds its
  // socket and lock.
  GhostscriptWorker(boost::asio::io_context& io, std::filesystem::path program, std::filesystem::path directory);
  ~GhostscriptWorker();
  GhostscriptWorker(const GhostscriptWorker&) = delete;
  GhostscriptWorker& operator=(const GhostscriptWorker&) = delete;

  // A fresh private directory for a worker (owned by lp when root).
  static std::expected<std::filesystem::path, std::string> create_directory();

  void start();
  // Stops the worker and its restarts (before the io_context winds down).
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace quire
