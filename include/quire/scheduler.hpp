// Scheduler: owns every printer and job and all their state, on one strand (an actor;
// no locks in domain code). IPP handlers run on that strand and call it directly;
// durable changes go through the Spool's committer and complete back on the strand.
// It starts jobs (priority, then arrival) one at a time per printer, runs their
// backends as child processes, and keeps job history within the configured limits.
#pragma once

#include "quire/clock.hpp"
#include "quire/conf_file_writer.hpp"
#include "quire/config.hpp"
#include "quire/job.hpp"
#include "quire/printer.hpp"
#include "quire/spool.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace boost::asio {
class thread_pool;
}

namespace quire {

class FilterCatalog;
struct JobRunResult;

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
// Called on the scheduler strand once a change is durable (or failed).
using Completion = std::move_only_function<void(std::expected<void, std::string>)>;

enum class WhichJobs { kNotCompleted, kCompleted, kAll };

class Scheduler {
 public:
  struct Options {
    ServerConfig server;
    std::filesystem::path state_dir;
    std::vector<std::filesystem::path> backend_dirs;  // searched in order for <scheme>
    std::shared_ptr<const FilterCatalog> filters;     // types, conversions, filter dirs (null: all queues raw)
    const Clock* clock = nullptr;                      // null: the system clock
    std::vector<std::filesystem::path> discovery_dirs; // backends run for CUPS-Get-Devices
    std::vector<std::filesystem::path> ppd_dirs = {"/usr/share/ppd"};  // PPD files lpinfo -m lists
  };

  Scheduler(boost::asio::io_context& io, Spool& spool, Options options);
  ~Scheduler();

  Strand& strand() { return strand_; }
  const Options& options() const { return options_; }

  // Start-up, before the io_context runs: queues from printers.conf and the jobs the
  // spool recovered (jobs that were processing go back to pending).
  void load(std::vector<PrinterConfig> printers, std::vector<JobRecord> jobs);
  // Begins processing pending jobs (posts to the strand).
  void start();
  // Stops running jobs' processes (they restart after the next start).
  void shutdown();

  // ---- Everything below: on the strand only. ----
  Printer* find_printer(std::string_view name);
  const std::map<std::string, Printer, std::less<>>& printers() const { return printers_; }
  std::map<std::string, Printer, std::less<>>& printers() { return printers_; }
  std::string default_printer_name() const;

  Job* find_job(int id);
  // Jobs of one printer (or all when `printer` is empty), newest last; `user` filters
  // by owner when not empty. kNotCompleted walks the unfinished jobs only, never the history.
  std::vector<const Job*> list_jobs(std::string_view printer, WhichJobs which, std::string_view user) const;
  int queued_job_count(std::string_view printer) const;
  // Unfinished jobs per destination, in one pass (CUPS-Get-Printers asks for every queue's).
  std::map<std::string, int, std::less<>> queued_job_counts() const;

  std::int32_t reserve_job_id() { return spool_.reserve_job_id(); }
  std::expected<DocumentWriter, std::string> create_document(int job_id, int number) {
    return spool_.create_document(job_id, number);
  }

  // Makes `job` durable with its documents, then adds it and starts printing.
  void add_job(Job job, std::vector<DocumentWriter> documents, Completion done);
  // Adds a document to a Create-Job job; `last` closes the job for more documents.
  void add_document(int job_id, DocumentRecord document, DocumentWriter writer, bool last, Completion done);
  // Ends a Create-Job job's documents (Close-Job); a job with none is aborted.
  void close_job(int job_id, Completion done);
  // ---- Queue administration (src/scheduler/queue_admin.cpp). Each changes the
  // queues at once (requests after it see the change) and calls `done` on the strand
  // once printers.conf / classes.conf hold it: the files are written off the strand
  // (ConfFileWriter), and a client hears success only after that. ----
  // Adds a printer or replaces the configuration of an existing one (by name).
  void add_or_modify_printer(PrinterConfig config, Completion done);
  // Removes a printer or class; its unfinished jobs are canceled.
  void delete_printer(std::string_view name, Completion done);
  void set_default_printer(std::string_view name, Completion done);
  void set_accepting(Printer& printer, bool accepting, std::string reason, Completion done);
  // Moves one job (or, with job_id 0, every unfinished job of `from`) to `to`.
  std::expected<void, std::string> move_jobs(int job_id, std::string_view from, std::string_view to);
  // Cancels every unfinished job of `printer` (all printers when empty) owned by
  // `user` (anyone when empty); `purge` also forgets finished ones.
  void cancel_jobs(std::string_view printer, std::string_view user, bool purge, Completion done);
  // Sets a pending or held job's priority and/or hold (Set-Job-Attributes).
  std::expected<void, std::string> set_job_priority(int job_id, int priority);
  // Restart-Job: a finished job (with its files kept) prints again.
  void restart_job(int job_id, Completion done);

  // Hold-New-Jobs / Release-Held-New-Jobs: new jobs wait ("job-held-on-create")
  // until released; releasing frees every job held that way.
  void set_holding_new_jobs(Printer& printer, bool holding);

  // Pause-Printer / Resume-Printer: a disabled printer starts no jobs ("paused").
  void set_printer_enabled(Printer& printer, bool enabled, Completion done);
  // Holds a job that has not started (job-hold-until `until`, default indefinite).
  void hold_job(int job_id, std::string until, Completion done);
  // Releases a held job back to pending.
  void release_job(int job_id, Completion done);
  // Cancels a pending/held/processing job (a running backend is stopped first).
  void cancel_job(int job_id, std::string reason, Completion done);

  // The backend for a device URI scheme, or an empty path when there is none.
  std::filesystem::path find_backend_path(std::string_view scheme) const;

  std::int64_t now() const;          // unix seconds, from the Clock
  // Releases held jobs whose job-hold-until time has come (also runs every 30 s).
  void release_due_holds();
  std::int64_t up_time() const;      // printer-up-time: the Unix time, as CUPS does

  // One thread for the rare work that must block (asking a remote printer what it is,
  // for lpadmin -m everywhere); results come back by posting to strand(). Started on
  // first use; joined when the scheduler goes.
  boost::asio::thread_pool& blocking_pool();

 private:
  void persist(Job& job, Completion done);
  void start_ready_jobs();
  using WaitingJobs = std::map<std::string, std::vector<int>, std::less<>>;  // destination → pending job ids
  // The best of the `waiting` jobs that `printer` serves (priority, then arrival).
  Job* next_job_for(const Printer& printer, const WaitingJobs& waiting);
  bool serves(const Printer& printer, std::string_view destination) const;
  Printer* printer_of(const Job& job);  // the printer printing (or to print) the job
  void start_job(Printer& printer, Job& job);
  void on_job_exit(int job_id, JobRunResult result);
  void finish_job(Job& job, ipp_jstate_t state, std::string reason, Completion done = nullptr);
  void handle_status_line(int job_id, const std::string& line);
  void apply_device_attributes(Printer& printer, int job_id, const std::string& text);
  void set_printer_state(Printer& printer, ipp_pstate_t state);
  void trim_history();
  // The job index: a job becomes unfinished only when added, loaded or restarted
  // (track_active); one that finished leaves active_ lazily (prune_active), and every
  // reader skips finished entries, so the index can never miss an unfinished job.
  void track_active(Job& job);
  void prune_active();
  // Cancels the unfinished jobs of `printer` owned by `user` ("" = any) with `reason`.
  void cancel_unfinished_jobs(std::string_view printer, std::string_view user, const char* reason);
  void forget_job(std::map<int, Job>::iterator it);  // erases it from jobs_ and the index
  // Queues printers.conf and classes.conf (only a file whose text changed) for writing;
  // `done` runs on the strand once both are durable.
  void save_printers(Completion done);

  boost::asio::io_context& io_;
  Strand strand_;
  Spool& spool_;
  Options options_;
  std::map<std::string, Printer, std::less<>> printers_;
  std::map<int, Job> jobs_;               // every job, history included, by id
  std::map<int, Job*> active_;            // unfinished jobs (and some just finished), by id
  // (completed, id) of finished jobs that may still hold files, oldest first; entries
  // for jobs since restarted or forgotten are skipped (and dropped) when reached.
  std::set<std::pair<std::int64_t, int>> finished_with_files_;
  std::string default_printer_;
  std::string saved_conf_[2];             // printers.conf and classes.conf as last queued ("": unknown)
  int conf_writes_pending_[2] = {0, 0};    // of each, writes queued and not yet reported
  bool stopping_ = false;
  const Clock& clock_;
  boost::asio::steady_timer hold_timer_;
  void schedule_hold_check();
  void compute_hold_release(Job& job);
  ConfFileWriter conf_writer_;  // drained (files written) before the members above go
  // The pools last: joined first.
  std::unique_ptr<boost::asio::thread_pool> blocking_pool_;
  // Two threads that write raw jobs to file: devices for RunningJob, off the strand (a
  // slow disk must hold up neither a remote printer's query nor the next file); started
  // on first use.
  boost::asio::thread_pool& delivery_pool();
  std::unique_ptr<boost::asio::thread_pool> delivery_pool_;
};

}  // namespace quire
