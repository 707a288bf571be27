// The warm Ghostscript worker (quire-gsd): one libgs instance, initialised once with
// -dSAFER, running jobs sent over DIR/socket one at a time (protocol in
// pipeline/ghostscript_worker_client.hpp). Each job runs inside save/restore; after a
// job that failed the worker exits, so that the next starts from a clean interpreter
// (its supervisor in the daemon starts a new one). Built only into quire-gsd: the
// core library does not link libgs.
#pragma once

#include <string>

namespace quire {

// Serves jobs until the socket fails or a job fails; returns the exit code.
int run_ghostscript_worker(const std::string& dir);

}  // namespace quire
