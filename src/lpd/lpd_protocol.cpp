// RFC 1179 framing: daemon command lines, receive-job subcommands, file and queue
// names, and the one mapping from a refusal (or an IPP status) to an ack byte.
#include "lpd/lpd_protocol.hpp"

#include <cctype>
#include <charconv>

namespace quire::lpd {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Splits at runs of blanks; no empty words.
std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_blank(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !is_blank(text[i])) ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

// RFC 1179 says LF; some clients send CR LF (cups-lpd accepts both, so do we).
std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool has_control_characters(std::string_view text) {
  for (unsigned char c : text)
    if (c < 0x20 && c != '\t') return true;
  return false;
}

LpdError error(Refusal refusal, std::string detail) { return {refusal, std::move(detail)}; }

}  // namespace

Ack ack_for(const LpdError& error) {
  switch (error.refusal) {
    case Refusal::kUnknownQueue:
      return Ack::kQueueRefuses;
    case Refusal::kBadCommand:
    case Refusal::kMalformedControlFile:
    case Refusal::kCountMismatch:
    case Refusal::kBadFileName:
    case Refusal::kMissingDataFile:
    case Refusal::kUnexpectedDataFile:
    case Refusal::kTooLarge:
    case Refusal::kTimeout:
      return Ack::kRejected;
    case Refusal::kServiceRefused: {
      const Ack ack = ack_for(error.status);
      return ack == Ack::kOk ? Ack::kRetryLater : ack;  // a refusal never acknowledges
    }
  }
  return Ack::kRejected;
}

Ack ack_for(ipp_status_t status) {
  if (status < IPP_STATUS_REDIRECTION_OTHER_SITE) return Ack::kOk;
  switch (status) {
    case IPP_STATUS_ERROR_NOT_FOUND:
    case IPP_STATUS_ERROR_FORBIDDEN:
    case IPP_STATUS_ERROR_NOT_AUTHENTICATED:
    case IPP_STATUS_ERROR_NOT_AUTHORIZED:
    case IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS:
    case IPP_STATUS_ERROR_PRINTER_IS_DEACTIVATED:
      return Ack::kQueueRefuses;
    default:
      return status >= IPP_STATUS_ERROR_INTERNAL ? Ack::kRetryLater : Ack::kRejected;
  }
}

std::expected<CommandLine, LpdError> parse_command_line(std::string_view line) {
  line = without_cr(line);
  if (line.empty() || line[0] < 1 || line[0] > 5)
    return std::unexpected(error(Refusal::kBadCommand, "unknown daemon command"));
  if (has_control_characters(line.substr(1)))
    return std::unexpected(error(Refusal::kBadCommand, "control characters in the command line"));
  CommandLine command{static_cast<DaemonCommand>(line[0]), {}, {}, {}};
  std::vector<std::string> words = split_words(line.substr(1));
  if (words.empty()) return std::unexpected(error(Refusal::kUnknownQueue, "no queue name"));
  command.queue = words.front();
  if (!is_valid_queue_name(command.queue))
    return std::unexpected(error(Refusal::kUnknownQueue, "\"" + command.queue + "\" is not a queue name"));
  auto rest = words.begin() + 1;
  switch (command.command) {
    case DaemonCommand::kPrintWaitingJobs:
    case DaemonCommand::kReceiveJob:
      if (rest != words.end()) return std::unexpected(error(Refusal::kBadCommand, "unexpected operands"));
      break;
    case DaemonCommand::kRemoveJobs:
      if (rest == words.end()) return std::unexpected(error(Refusal::kBadCommand, "remove jobs needs an agent"));
      command.agent = *rest++;
      if (command.agent.size() > 255) return std::unexpected(error(Refusal::kBadCommand, "agent name too long"));
      [[fallthrough]];
    case DaemonCommand::kQueueStateShort:
    case DaemonCommand::kQueueStateLong:
      command.list.assign(rest, words.end());
      break;
  }
  return command;
}

std::expected<SubcommandLine, LpdError> parse_subcommand(std::string_view line) {
  line = without_cr(line);
  if (line.empty() || line[0] < 1 || line[0] > 3)
    return std::unexpected(error(Refusal::kBadCommand, "unknown receive-job subcommand"));
  SubcommandLine sub{static_cast<Subcommand>(line[0]), 0, {}};
  if (sub.subcommand == Subcommand::kAbort) return sub;
  std::vector<std::string> words = split_words(line.substr(1));
  if (words.size() != 2) return std::unexpected(error(Refusal::kBadCommand, "expected a count and a file name"));
  const std::string& count = words[0];
  auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), sub.count);
  if (ec != std::errc() || end != count.data() + count.size() || count.size() > 19)
    return std::unexpected(error(Refusal::kBadCommand, "bad byte count \"" + count + "\""));
  sub.name = words[1];
  if (!is_safe_file_name(sub.name))
    return std::unexpected(error(Refusal::kBadFileName, "unsafe file name \"" + sub.name + "\""));
  return sub;
}

bool is_safe_file_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.find("..") != std::string_view::npos) return false;
  for (unsigned char c : name)
    if (c <= 0x20 || c >= 0x7f || c == '/' || c == '\\') return false;
  return true;
}

std::expected<ControlFileName, LpdError> parse_control_file_name(std::string_view name) {
  auto bad = [&] {
    return std::unexpected(error(Refusal::kBadFileName, "control file name \"" + std::string(name) +
                                                            "\" is not cf, a letter, three digits and a host"));
  };
  if (!is_safe_file_name(name) || name.size() < 6 || !name.starts_with("cf")) return bad();
  if (!std::isalpha(static_cast<unsigned char>(name[2]))) return bad();
  ControlFileName parsed;
  for (char c : name.substr(3, 3)) {
    if (c < '0' || c > '9') return bad();
    parsed.number = parsed.number * 10 + (c - '0');
  }
  parsed.host = std::string(name.substr(6));
  return parsed;
}

bool is_valid_queue_name(std::string_view name) {
  if (name.empty() || name.size() > 127) return false;
  for (unsigned char c : name)
    if (c <= 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '?' || c == '#' || c == '\'' || c == '"')
      return false;
  return true;
}

}  // namespace quire::lpd
