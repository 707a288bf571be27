// BSD lpq's column layout (displayq.c: OWNCOL 7, SIZCOL 62, JOBCOL 40) and the job
// selection of lpq and lprm lists.
#include "lpd/queue_listing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace quire::lpd {
namespace {

constexpr std::size_t kSizeColumn = 61;   // "Total Size" and "N bytes" start here (0-based)
constexpr std::size_t kFilesColumn = 23;  // after "rank   owner      job  "
constexpr std::size_t kJobColumn = 40;    // long format: " [job ...]" after this
constexpr std::string_view kHeader = "Rank   Owner      Job  Files";

std::string ordinal(int n) {
  static constexpr const char* kSuffix[] = {"th", "st", "nd", "rd", "th", "th", "th", "th", "th", "th"};
  return std::to_string(n) + ((n / 10) % 10 == 1 ? "th" : kSuffix[n % 10]);
}

void pad_to(std::string& line, std::size_t column) {
  if (line.size() < column) line.append(column - line.size(), ' ');
}

// Names come from clients; nothing in them may break a line.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out.empty() ? std::string("(standard input)") : out;
}

std::string status_lines(const QueueInfo& queue) {
  std::string out;
  if (queue.state == IPP_PSTATE_STOPPED)
    out += fmt::format("Warning: {} is down: {}\n", queue.name,
                       queue.state_message.empty() ? std::string("paused") : printable(queue.state_message));
  if (!queue.accepting) out += fmt::format("Warning: {} queue is turned off\n", queue.name);
  if (queue.state == IPP_PSTATE_PROCESSING) out += queue.name + " is ready and printing\n";
  else if (queue.state == IPP_PSTATE_IDLE) out += queue.name + " is ready\n";
  return out;
}

std::string short_line(const QueuedJob& job, const std::string& rank) {
  std::string line = rank;
  pad_to(line, 7);
  line += fmt::format("{:<10} {:<3}  ", printable(job.user), job.id);
  std::string files = printable(job.name);
  const std::size_t room = kSizeColumn - 4 - std::max(line.size(), kFilesColumn);
  if (files.size() >= room) files = files.substr(0, room > 4 ? room - 4 : 0) + " ...";
  line += files;
  pad_to(line, kSizeColumn);
  return line + fmt::format("{} bytes\n", job.bytes);
}

std::string long_lines(const QueuedJob& job, const std::string& rank) {
  std::string head = "\n" + printable(job.user) + ": " + rank;
  pad_to(head, kJobColumn + 1);  // +1: the leading newline
  head += fmt::format(" [job {:03}{}]\n", job.id, job.host.empty() ? std::string("localhost") : printable(job.host));
  const std::string name = printable(job.name);
  std::string file = job.copies > 1 ? fmt::format("\t{:<2} copies of {:<19}", job.copies, name)
                                    : fmt::format("\t{:<32}", name);
  return head + file + fmt::format(" {} bytes\n", job.bytes);
}

bool is_number(std::string_view word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "012" names job 12; a number too long to be a job id names none.
bool names_job_id(std::string_view word, int id) {
  long long value = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  return ec == std::errc() && end == word.data() + word.size() && value == id;
}

}  // namespace

std::string render_queue_state(const QueueInfo& queue, const std::vector<QueuedJob>& jobs,
                               const std::vector<std::string>& list, bool long_format) {
  std::string out = status_lines(queue);
  int rank = 0;
  bool any = false;
  for (const QueuedJob& job : jobs) {
    std::string place = job.state == IPP_JSTATE_PROCESSING ? "active"
                        : job.state == IPP_JSTATE_HELD     ? "hold"
                                                           : ordinal(++rank);
    if (!is_named(job, list)) continue;
    if (!any && !long_format) {
      std::string header(kHeader);
      pad_to(header, kSizeColumn);
      out += header + "Total Size\n";
    }
    any = true;
    out += long_format ? long_lines(job, place) : short_line(job, place);
  }
  if (!any) out += "no entries\n";
  return out;
}

bool is_named(const QueuedJob& job, const std::vector<std::string>& list) {
  if (list.empty()) return true;
  return std::any_of(list.begin(), list.end(), [&](const std::string& word) {
    return is_number(word) ? names_job_id(word, job.id) : word == job.user;
  });
}

std::vector<int> jobs_to_remove(const std::vector<QueuedJob>& jobs, std::string_view agent,
                                const std::vector<std::string>& list) {
  std::vector<int> ids;
  for (const QueuedJob& job : jobs) {
    const bool all_of_agents = std::find(list.begin(), list.end(), "-") != list.end() && job.user == agent;
    if (list.empty() ? job.user == agent : all_of_agents || is_named(job, list)) ids.push_back(job.id);
    if (list.empty() && !ids.empty()) break;
  }
  return ids;
}

}  // namespace quire::lpd
