// The side-channel: filters (drivers) ask the backend about the device through a socket
// on fd 4 (cupsSideChannelDoRequest): is it bidirectional, its IEEE 1284 device ID, its
// state, "has everything I wrote reached the printer?". Backends poll side_channel_fd()
// wherever they wait and call serve_side_channel() when it is readable; a filter that
// asks while the backend never answers would wait for its own timeout.
#pragma once

#include <string>

namespace quire::backend {

// Records whether fd 4 is a socket, as the scheduler opens it. Called by start_backend().
void probe_side_channel();

// -1 when there is no side-channel (or the filter side closed it).
int side_channel_fd();

// What GET_DEVICE_ID and GET_BIDI answer; an unknown device ID gets CUPS_SC_STATUS_NOT_IMPLEMENTED.
void describe_device(const std::string& device_id, bool bidirectional);

enum class SideRequest { kAnswered, kDrain };

// Reads one request and answers it, except DRAIN_OUTPUT, which the caller answers with
// answer_drain() once all print data it has read so far is written to the device.
SideRequest serve_side_channel();
void answer_drain();

}  // namespace quire::backend
