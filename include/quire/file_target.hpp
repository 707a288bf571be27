// Where and how a job is written to a `file:` device (file:///path, a bare path such as
// /dev/null, or a directory): the semantics of the `file` backend, shared by that
// program and by the daemon, which delivers raw jobs to such devices itself.
// Plain functions on descriptors: callable from any thread; each call is independent.
// Built as its own small library (quire_file_target), so the backend does not link
// quire_core.
#pragma once

#include <expected>
#include <functional>
#include <string>
#include <string_view>

namespace quire {

// The path a device URI names: "file:///tmp/x%20y" → "/tmp/x y"; a URI that starts
// with "/" is taken as it is. Any scheme is accepted (the backend may be installed
// under another name). Fails (a STOP: retrying cannot help) on a URI that names no file.
std::expected<std::string, std::string> file_device_path(const std::string& uri);

struct FileTarget {
  std::string path;
  int open_flags = 0;
  // Opening it may block (a FIFO without a reader, a device node other than
  // /dev/null): the daemon leaves such targets to the backend process, which can be
  // killed.
  bool may_block = false;
};

// A directory (a path ending in "/", or an existing directory) gets
// DIR/PRINTER-JOBID.prn ("job-JOBID.prn" without a printer), appended to, so that the
// documents of a job follow each other; a missing or regular file is truncated; a
// device node or FIFO is opened as it is.
FileTarget choose_file_target(std::string path, std::string_view printer, std::string_view job_id);

// Opens the target (mode 0644 less the umask), non-blocking. Error: "Unable to open PATH: why".
std::expected<int, std::string> open_file_target(const FileTarget& target);

// Syncs what was written; devices and pipes that cannot be synced are not an error.
// Error: "Unable to write PATH: why".
std::expected<void, std::string> sync_file_target(int fd, const std::string& path);

// One print file written `copies` times to a `file:` device, as the file backend does
// with a file argument, and reported as it reports: status lines ("INFO: Writing to
// PATH", "ERROR: ...") and CUPS's backend exit code (0 written or canceled, 1 FAILED, 4 STOP).
struct FileDelivery {
  std::string device_uri;
  std::string printer;   // names the file in a directory
  std::string job_id;
  std::string document;  // the print file
  int copies = 1;
  int cancel_fd = -1;    // readable once the job is to stop (SIGTERM, Cancel-Job); -1: never
};

struct FileDeliveryResult {
  int exit_code = 0;
  bool canceled = false;
};

// `report` gets each status line, as the backend writes it to stderr. Blocks the
// calling thread while it writes; a cancel_fd that becomes readable stops it between
// two 64 KiB blocks, or while a device is not ready.
FileDeliveryResult deliver_file(const FileDelivery& delivery, const std::function<void(std::string_view line)>& report);

// The same, for a target already chosen (the daemon checks may_block first).
FileDeliveryResult deliver_file_to(const FileTarget& target, const FileDelivery& delivery,
                                   const std::function<void(std::string_view line)>& report);

}  // namespace quire
