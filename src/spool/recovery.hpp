// Spool recovery at open: after any stop, clean or kill -9, the directory may hold
// uploads that never committed (tmp/) and document files renamed into place by a batch
// whose transaction never committed, or whose rows were deleted before their unlink.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace quire {

// What recover_files() found, by file name relative to the spool directory.
struct RecoveryReport {
  std::vector<std::string> removed_temporary;  // "tmp/d00012-001.3"
  std::vector<std::string> removed_orphans;    // "d00012-001": no committed row names it
  std::vector<std::string> missing;            // committed rows whose file is gone (kept)
  std::vector<std::string> failures;           // files it could not remove, with the reason
};

// Empties DIR/tmp and removes every d-file no name in `committed` matches. Runs before
// the committer starts, under the spool lock, so no commit is in flight. Fails only if
// a directory cannot be listed.
std::expected<RecoveryReport, std::string> recover_files(const std::filesystem::path& directory,
                                                         const std::vector<std::string>& committed);

}  // namespace quire
