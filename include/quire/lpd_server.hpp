// LpdServer: the LPD front end (RFC 1179, port 515). Each connection's daemon command
// becomes the IPP requests it means, handed to the IppService like any IPP client's:
// receive-job → Print-Job (or Create-Job + Send-Document), queue state → Get-Jobs,
// remove jobs → Cancel-Job. No queue logic lives here.
#pragma once

#include "quire/ipp_service.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace quire {

struct LpdLimits {
  std::size_t max_connections = 100;
  // A read or write that makes no progress for this long ends the connection; a job
  // in progress is discarded (and a client still listening hears a refusal).
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  std::uint64_t max_job_bytes = 0;              // all data files of one job; 0: no limit
  std::size_t max_control_file_bytes = 256 * 1024;
  std::size_t max_data_files = 100;             // per connection, received and not yet printed
  // Where data files wait that cannot stream straight into the spool (one that arrives
  // before its control file, or one of several). Unlinked at once: never left behind.
  std::filesystem::path temp_dir;
};

// Owned by main; runs on the io_context it is given (any number of threads). Each
// connection is a session on its own strand, owned by its running coroutine. stop()
// closes the listeners, ends connections that are waiting for their client (their
// unfinished jobs are discarded) and gives those waiting for the spool a deadline.
class LpdServer {
 public:
  struct Endpoint {
    std::string address;     // "127.0.0.1", "::1", "localhost" (both loopbacks) or "*"
    std::uint16_t port = 0;  // 0 picks a free port
  };

  LpdServer(boost::asio::io_context& io, IppService& ipp, LpdLimits limits);
  ~LpdServer();
  LpdServer(const LpdServer&) = delete;
  LpdServer& operator=(const LpdServer&) = delete;

  // Binds and starts accepting. On failure says which endpoint and why
  // ("127.0.0.1:515: Permission denied").
  std::expected<void, std::string> listen(const Endpoint& endpoint);

  // The endpoints actually bound, in listen() order ("127.0.0.1:41234", "[::1]:515").
  std::vector<std::string> bound_endpoints() const;

  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace quire
