// Side-channel answers over libcups's cupsSideChannelRead/Write (fd 4).
#include "side_channel.hpp"

#include <cups/sidechannel.h>
#include <sys/stat.h>

#include "backend_status.hpp"

namespace quire::backend {
namespace {

constexpr int kSideChannelFd = 4;
constexpr double kWriteTimeout = 1.0;

int g_fd = -1;
std::string g_device_id;
bool g_bidirectional = false;

void reply(cups_sc_command_t command, cups_sc_status_t status, const std::string& data = "") {
  if (cupsSideChannelWrite(command, status, data.data(), static_cast<int>(data.size()),
                           kWriteTimeout) != 0) {
    g_fd = -1;  // the filter went away
  }
}

}  // namespace

void probe_side_channel() {
  struct stat st {};
  g_fd = ::fstat(kSideChannelFd, &st) == 0 && S_ISSOCK(st.st_mode) ? kSideChannelFd : -1;
}

int side_channel_fd() { return g_fd; }

void describe_device(const std::string& device_id, bool bidirectional) {
  g_device_id = device_id;
  g_bidirectional = bidirectional;
}

SideRequest serve_side_channel() {
  cups_sc_command_t command = CUPS_SC_CMD_NONE;
  cups_sc_status_t status = CUPS_SC_STATUS_NONE;
  char data[2048];
  int length = sizeof data;
  if (cupsSideChannelRead(&command, &status, data, &length, 0.0) != 0) {
    g_fd = -1;  // closed or garbled: stop listening rather than spin
    return SideRequest::kAnswered;
  }
  report_debug("Side-channel request " + std::to_string(static_cast<int>(command)));
  switch (command) {
    case CUPS_SC_CMD_DRAIN_OUTPUT:
      return SideRequest::kDrain;
    case CUPS_SC_CMD_GET_BIDI:
      reply(command, CUPS_SC_STATUS_OK,
            std::string(1, static_cast<char>(g_bidirectional ? CUPS_SC_BIDI_SUPPORTED
                                                             : CUPS_SC_BIDI_NOT_SUPPORTED)));
      break;
    case CUPS_SC_CMD_GET_DEVICE_ID:
      if (g_device_id.empty()) {
        reply(command, CUPS_SC_STATUS_NOT_IMPLEMENTED);
      } else {
        reply(command, CUPS_SC_STATUS_OK, g_device_id);
      }
      break;
    case CUPS_SC_CMD_GET_STATE:
      reply(command, CUPS_SC_STATUS_OK, std::string(1, static_cast<char>(CUPS_SC_STATE_ONLINE)));
      break;
    case CUPS_SC_CMD_GET_CONNECTED:
      reply(command, CUPS_SC_STATUS_OK, std::string(1, static_cast<char>(CUPS_SC_CONNECTED)));
      break;
    default:  // SOFT_RESET, SNMP_GET, SNMP_GET_NEXT
      reply(command, CUPS_SC_STATUS_NOT_IMPLEMENTED);
      break;
  }
  return SideRequest::kAnswered;
}

void answer_drain() { reply(CUPS_SC_CMD_DRAIN_OUTPUT, CUPS_SC_STATUS_OK); }

}  // namespace quire::backend
