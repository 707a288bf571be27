// Queue state in the shape BSD lpq prints it (FreeBSD displayq.c), which BSD lpq and
// LPRng lpq show as received and Samba's and others' lpq parsers read: a status line,
// then a header and one line per job (short), or two lines per job (long), or
// "no entries". Pure: built from the values Get-Printer-Attributes and Get-Jobs return.
#pragma once

#include "lpd/lpd_translator.hpp"

#include <string>
#include <vector>

namespace quire::lpd {

// Short:
//   demo is ready and printing
//   Rank   Owner      Job  Files                                 Total Size
//   active alice      12   report.ps                             20480 bytes
//   1st    bob        13   notes.txt                             1024 bytes
// Long:
//   demo is ready
//
//   alice: 1st                              [job 012hostname]
//           report.ps                        20480 bytes
// Ranks count the whole queue in print order even when `list` shows only some jobs;
// a held job's rank is "hold".
std::string render_queue_state(const QueueInfo& queue, const std::vector<QueuedJob>& jobs,
                               const std::vector<std::string>& list, bool long_format);

// Whether an LPD list (user names and job numbers) names `job`. An empty list names
// every job.
bool is_named(const QueuedJob& job, const std::vector<std::string>& list);

// The jobs a remove-jobs command names, in queue order: those `list` names ("-" means
// all of the agent's), or with an empty list the agent's first job (LPRng's lprm).
// Whether the agent may remove them is the Cancel-Job handler's decision.
std::vector<int> jobs_to_remove(const std::vector<QueuedJob>& jobs, std::string_view agent,
                                const std::vector<std::string>& list);

}  // namespace quire::lpd
