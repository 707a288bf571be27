// ConfFileWriter: writes whole configuration files (printers.conf, classes.conf)
// atomically on a thread of its own, so that an fsync never stalls the scheduler strand.
// Owned by the Scheduler; write() may be called from any thread.
//
// Writes to one file coalesce: a text queued while an earlier one is being written
// replaces any text of that file still waiting, and everyone waiting on the file hears
// the outcome of the write that carried the newest text - a text at least as new as
// theirs. On failure (disk full, I/O) every one of them gets the error; the file keeps
// its previous content (temp file, fsync, rename), never a half-written one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace quire {

class ConfFileWriter {
 public:
  // Runs on the writer's thread, after the text is durable (or failed); must not block.
  using Done = std::move_only_function<void(std::expected<void, std::string>)>;

  ConfFileWriter();
  ~ConfFileWriter();  // writes what is still queued, then stops
  ConfFileWriter(const ConfFileWriter&) = delete;
  ConfFileWriter& operator=(const ConfFileWriter&) = delete;

  void write(std::filesystem::path file, std::string text, Done done);

  std::uint64_t files_written() const;  // for tests: writes done (coalesced ones count once)

 private:
  struct Pending {
    std::string text;
    std::vector<Done> waiters;
  };
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::filesystem::path, Pending> queue_;
  bool stopping_ = false;
  std::uint64_t files_written_ = 0;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace quire
