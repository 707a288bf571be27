// Spooling stdin to an unlinked temporary file.
#include "spool_file.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "backend_process.hpp"
#include "side_channel.hpp"

namespace quire::backend {
namespace {

std::expected<UniqueFd, std::string> make_temp_file() {
  const char* dir = std::getenv("TMPDIR");
  std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/quire-backend-XXXXXX";
  int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0)
    return std::unexpected("Unable to create temporary file: " + std::string(std::strerror(errno)));
  ::unlink(pattern.c_str());
  return UniqueFd(fd);
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::expected<UniqueFd, std::string> spool_to_temp_file(int input_fd) {
  auto file = make_temp_file();
  if (!file) return file;
  char buffer[65536];
  for (;;) {
    pollfd fds[3] = {
        {input_fd, POLLIN, 0}, {cancel_fd(), POLLIN, 0}, {side_channel_fd(), POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0 && errno != EINTR)
      return std::unexpected("poll: " + std::string(std::strerror(errno)));
    if (cancel_requested()) return std::unexpected(std::string("canceled"));
    if ((fds[2].revents & (POLLIN | POLLHUP | POLLERR)) &&
        serve_side_channel() == SideRequest::kDrain) {
      answer_drain();  // what the filter wrote is in the spool file
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t n = ::read(input_fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0)
      return std::unexpected("Unable to read print data: " + std::string(std::strerror(errno)));
    if (!write_all(file->get(), buffer, static_cast<std::size_t>(n))) {
      return std::unexpected("Unable to write temporary file: " +
                             std::string(std::strerror(errno)));
    }
  }
  ::lseek(file->get(), 0, SEEK_SET);
  return file;
}

}  // namespace quire::backend
