// The warm Ghostscript worker's protocol, client side (quire-gs). The worker
// (quire-gsd, src/pipeline/gsapi/) keeps one initialised libgs instance and runs one
// job at a time: a client takes DIR/lock, connects to DIR/socket (SOCK_SEQPACKET),
// sends the job's setup PostScript with its input, output and stderr descriptors
// (SCM_RIGHTS), and reads back a 4-byte status.
#pragma once

#include <optional>
#include <string>

namespace quire {

inline constexpr const char* kWorkerSocket = "socket";
inline constexpr const char* kWorkerLock = "lock";

// Worker replies.
inline constexpr int kWorkerOk = 0;
inline constexpr int kWorkerDocumentError = 1;  // the document failed; the worker restarts itself

// A connection to an idle worker, holding its lock. Move-only.
class WorkerConnection {
 public:
  // nullopt when the worker in `dir` is absent or busy (run gs yourself).
  static std::optional<WorkerConnection> open(const std::string& dir);
  WorkerConnection(WorkerConnection&& other) noexcept : lock_(other.lock_), socket_(other.socket_) {
    other.lock_ = other.socket_ = -1;
  }
  WorkerConnection& operator=(WorkerConnection&&) = delete;
  ~WorkerConnection();
  // Runs one job; the worker's status, or -1 when it died (or vanished) during it.
  int run(const std::string& setup, int in_fd, int out_fd, int err_fd);

 private:
  WorkerConnection(int lock, int socket) : lock_(lock), socket_(socket) {}
  int lock_ = -1;
  int socket_ = -1;
};

}  // namespace quire
