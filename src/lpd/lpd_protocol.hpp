// RFC 1179 framing as pure functions: the daemon command that opens a connection, the
// subcommands of "receive a printer job", file names, and the acknowledgement byte
// every failure becomes (here and nowhere else).
#pragma once

#include <cups/ipp.h>

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace quire::lpd {

// Why a connection's request is refused.
enum class Refusal {
  kBadCommand,         // unknown daemon command or subcommand byte, or a line that does not parse
  kUnknownQueue,       // no printer or class of that name
  kMalformedControlFile,
  kCountMismatch,      // a file's bytes do not end where its count says
  kBadFileName,        // empty, '/', "..", control characters, or sent twice
  kMissingDataFile,    // the control file names a data file that did not come
  kUnexpectedDataFile, // a data file the pending control file does not name
  kTooLarge,           // over the job size, control file size or file count limit
  kServiceRefused,     // the IPP service said no (its status decides the byte)
  kTimeout,            // the client stopped sending mid-job
};

struct LpdError {
  Refusal refusal;
  std::string detail;  // for the log: "control file line 3: unknown format letter 'z'"
  ipp_status_t status = IPP_STATUS_OK;  // kServiceRefused: what the IPP service answered
};

// The acknowledgement bytes, in LPRng's sense (BSD lpd only ever sends 0 or 1).
enum class Ack : std::uint8_t {
  kOk = 0,
  kQueueRefuses = 1,  // no such queue, or it is not accepting jobs: stop sending to it
  kRetryLater = 2,    // a server-side problem (spool, shutting down)
  kRejected = 3,      // this job is wrong and will stay wrong: do not retry it
};

Ack ack_for(const LpdError& error);
Ack ack_for(ipp_status_t status);  // kOk for every successful-ok*

enum class DaemonCommand : std::uint8_t {
  kPrintWaitingJobs = 1,
  kReceiveJob = 2,
  kQueueStateShort = 3,
  kQueueStateLong = 4,
  kRemoveJobs = 5,
};

// One daemon command line (without its LF): "\2queue", "\3queue list...",
// "\5queue agent list...".
struct CommandLine {
  DaemonCommand command;
  std::string queue;
  std::string agent;               // kRemoveJobs only
  std::vector<std::string> list;   // user names and job numbers (queue state, remove)
};

std::expected<CommandLine, LpdError> parse_command_line(std::string_view line);

enum class Subcommand : std::uint8_t { kAbort = 1, kControlFile = 2, kDataFile = 3 };

// One "receive a printer job" subcommand line: "\1", "\2count cfA123host", "\3count dfA123host".
struct SubcommandLine {
  Subcommand subcommand;
  std::uint64_t count = 0;
  std::string name;
};

std::expected<SubcommandLine, LpdError> parse_subcommand(std::string_view line);

// A file name safe to carry around: 1-255 printable ASCII characters without '/',
// without "..", without spaces.
bool is_safe_file_name(std::string_view name);

// "cfA123host": the job number the client chose, and its host.
struct ControlFileName {
  int number = 0;
  std::string host;
};
std::expected<ControlFileName, LpdError> parse_control_file_name(std::string_view name);

// A queue name that can be a printer or class name: 1-127 bytes, printable, no space,
// '/', '\\', '?', '#', quote or apostrophe.
bool is_valid_queue_name(std::string_view name);

}  // namespace quire::lpd
