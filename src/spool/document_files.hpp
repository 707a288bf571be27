// Spool document files: their CUPS-like names (d00012-001), the temporary folder
// uploads stream into, and the POSIX calls that make files and renames durable.
#pragma once

#include <cstddef>
#include <expected>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace quire {

// Uploads live in DIR/tmp until their job commits; recovery empties it.
inline constexpr std::string_view kTempDirectoryName = "tmp";

// "d00012-001": the committed file of document `number` of job `job_id`.
std::string document_file_name(int job_id, int number);

// True for the names document_file_name() makes ("d", digits, "-", digits).
bool is_document_file_name(std::string_view name);

// "job 12 document 1": the context that starts every document error.
std::string document_context(int job_id, int number);

// "write: No space left on device".
std::string errno_message(std::string_view call, int error_number);

// Writes all of `bytes`, retrying interrupted and short writes. Returns 0 or errno.
int write_fully(int fd, std::span<const std::byte> bytes);

// Creates or replaces `path` with exactly `bytes`, without syncing: for inline
// documents' files, whose durable copy is in the store. `exclusive`: fail with EEXIST
// rather than replace a file. On a failed write the file is removed. Returns 0 or errno.
int write_unsynced_file(const std::filesystem::path& path, std::span<const std::byte> bytes, bool exclusive);

// fsync of a directory, so that creations, renames and unlinks in it survive a crash.
std::expected<void, std::string> sync_directory(const std::filesystem::path& directory);

}  // namespace quire
