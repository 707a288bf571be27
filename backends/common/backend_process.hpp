// The backend process: start-up, and SIGTERM, which is how the scheduler cancels (or
// stops) a job's backend. The handler only records it and makes a pipe readable, so
// every wait in a backend can poll that pipe and return at once.
#pragma once

#include <chrono>

namespace quire::backend {

// Sets up the process, first thing in main: notes whether the scheduler passed a
// back-channel (fd 3) and side-channel (fd 4), fills those slots with /dev/null when
// they are closed so that no later descriptor is mistaken for them, catches SIGTERM
// and ignores SIGPIPE (a closed printer connection is an error return, not a death).
void start_backend();

bool cancel_requested();

// Readable once SIGTERM has arrived; add it to any poll() set.
int cancel_fd();

// The flag libcups's httpConnect2() polls while connecting.
int* cancel_flag();

// Sleeps for `duration` unless SIGTERM arrives first. Returns false when canceled.
bool sleep_unless_canceled(std::chrono::milliseconds duration);

}  // namespace quire::backend
