// Spool recovery at open: after any stop, clean or kill -9, the directory may hold
// uploads that never committed (tmp/), document files placed by a batch whose
// transaction never committed or whose rows were deleted before their unlink, and
// inline documents' files that are missing or short (they are never synced: after a
// power cut their rows are the only durable copy).
#pragma once

#include "spool/job_store.hpp"

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace quire {

// What recover_files() found, by file name relative to the spool directory.
struct RecoveryReport {
  std::vector<std::string> removed_temporary;  // "tmp/d00012-001.3"
  std::vector<std::string> removed_orphans;    // "d00012-001": no committed row names it
  std::vector<std::string> rewritten;          // inline documents' files restored from their rows
  std::vector<std::string> missing;            // committed rows whose file is gone (kept)
  std::vector<std::string> failures;           // files it could not remove, with the reason
};

// Empties DIR/tmp, removes every d-file no committed document row names, and rewrites
// each inline document's file that is missing or differs from the bytes in `store`.
// Runs before the committer starts, under the spool lock, so no commit is in flight.
// Fails only if a directory cannot be listed or the store cannot be read.
std::expected<RecoveryReport, std::string> recover_files(const std::filesystem::path& directory, JobStore& store);

}  // namespace quire
