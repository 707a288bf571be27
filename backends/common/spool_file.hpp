// Copies the print data arriving on stdin to an anonymous temporary file, for backends
// that must know the size before sending (lpd) or may send the data more than once.
#pragma once

#include <expected>
#include <string>

#include "unique_fd.hpp"

namespace quire::backend {

// Creates the file in $TMPDIR (else /tmp), already unlinked. Stops on SIGTERM
// (check cancel_requested() on failure). The returned descriptor is positioned at 0.
std::expected<UniqueFd, std::string> spool_to_temp_file(int input_fd);

}  // namespace quire::backend
