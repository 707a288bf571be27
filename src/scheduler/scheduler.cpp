// Scheduler: printers and jobs, on one strand. Job and printer state machines are
// described in job.hpp and printer.hpp.
#include "quire/scheduler.hpp"

#include "quire/hold_until.hpp"
#include "quire/log.hpp"
#include "quire/running_job.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <ctime>
#include <strings.h>

namespace quire {

Scheduler::Scheduler(boost::asio::io_context& io, Spool& spool, Options options)
    : io_(io),
      strand_(boost::asio::make_strand(io)),
      spool_(spool),
      options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : SystemClock::instance()),
      hold_timer_(strand_) {}

Scheduler::~Scheduler() = default;

boost::asio::thread_pool& Scheduler::blocking_pool() {
  if (!blocking_pool_) blocking_pool_ = std::make_unique<boost::asio::thread_pool>(1);
  return *blocking_pool_;
}

boost::asio::thread_pool& Scheduler::delivery_pool() {
  if (!delivery_pool_) delivery_pool_ = std::make_unique<boost::asio::thread_pool>(2);
  return *delivery_pool_;
}

std::int64_t Scheduler::now() const { return clock_.now(); }
// Like CUPS, printer-up-time is the Unix time: then every time-at-* attribute, which
// RFC 8011 defines on the printer-up-time clock, is a plain Unix time that clients
// such as lpstat print as a date.
std::int64_t Scheduler::up_time() const { return now(); }

void Scheduler::load(std::vector<PrinterConfig> printers, std::vector<JobRecord> jobs) {
  for (auto& config : printers) {
    Printer printer;
    printer.config = std::move(config);
    printer.state = printer.config.enabled ? IPP_PSTATE_IDLE : IPP_PSTATE_STOPPED;
    if (!printer.config.enabled) printer.reasons.push_back("paused");
    printer.message = printer.config.state_message;
    printer.state_change_time = now();
    if (printer.config.is_default) default_printer_ = printer.name();
    std::string name = printer.name();
    printers_.emplace(std::move(name), std::move(printer));
  }
  for (auto& record : jobs) {
    Job job;
    if (record.state == IPP_JSTATE_PROCESSING) {
      // The daemon stopped mid-print: print it again from the start, as CUPS does.
      record.state = IPP_JSTATE_PENDING;
      record.state_reasons = "job-restartable";
    }
    job.hold_release = record.state == IPP_JSTATE_HELD ? hold_release_time(record.hold_until, now()).value_or(0) : 0;
    job.record = std::move(record);  // its attributes are decoded when first asked for
    int id = job.id();
    track_active(jobs_.emplace(id, std::move(job)).first->second);
  }
  log::error().info("[Scheduler] loaded {} printer(s) and {} job(s)", printers_.size(), jobs_.size());
}

void Scheduler::start() {
  boost::asio::post(strand_, [this] {
    trim_history();  // finished jobs the spool kept beyond today's limits
    release_due_holds();
    start_ready_jobs();
    schedule_hold_check();
  });
}

void Scheduler::schedule_hold_check() {
  hold_timer_.expires_after(std::chrono::seconds(30));
  hold_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    release_due_holds();
    trim_history();  // documents past PreserveJobFiles
    schedule_hold_check();
  });
}

void Scheduler::compute_hold_release(Job& job) {
  job.hold_release = hold_release_time(job.record.hold_until, now()).value_or(0);
}

void Scheduler::release_due_holds() {
  std::int64_t t = now();
  bool released = false;
  for (auto& [id, job] : active_) {
    if (job->state() != IPP_JSTATE_HELD || job->hold_release == 0 || job->hold_release > t) continue;
    job->record.state = IPP_JSTATE_PENDING;
    job->record.state_reasons = "none";
    job->record.hold_until.clear();
    log::error().info("[Job {}] hold time reached, released", id);
    persist(*job, nullptr);
    released = true;
  }
  if (released) start_ready_jobs();
}

void Scheduler::shutdown() {
  stopping_ = true;
  hold_timer_.cancel();
  for (auto& [id, job] : jobs_) job.running.reset();  // kills the process groups
}

Printer* Scheduler::find_printer(std::string_view name) {
  auto it = printers_.find(name);
  if (it != printers_.end()) return &it->second;
  // Queue names are case-insensitive, as in CUPS.
  for (auto& [n, p] : printers_)
    if (n.size() == name.size() && strncasecmp(n.c_str(), name.data(), name.size()) == 0) return &p;
  return nullptr;
}

std::string Scheduler::default_printer_name() const {
  if (!default_printer_.empty()) return default_printer_;
  return printers_.size() == 1 ? printers_.begin()->first : std::string();
}

Job* Scheduler::find_job(int id) {
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second;
}

std::vector<const Job*> Scheduler::list_jobs(std::string_view printer, WhichJobs which, std::string_view user) const {
  std::vector<const Job*> out;
  auto select = [&](const Job& job) {
    if (!printer.empty() && job.record.printer != printer) return;
    if (!user.empty() && job.record.user != user) return;
    if (which == WhichJobs::kCompleted && !job.is_finished()) return;
    if (which == WhichJobs::kNotCompleted && job.is_finished()) return;
    out.push_back(&job);
  };
  if (which == WhichJobs::kNotCompleted) {
    for (const auto& [id, job] : active_) select(*job);
  } else {
    for (const auto& [id, job] : jobs_) select(job);
  }
  return out;
}

int Scheduler::queued_job_count(std::string_view printer) const {
  int n = 0;
  for (const auto& [id, job] : active_)
    if (job->is_active() && job->record.printer == printer) ++n;
  return n;
}

std::map<std::string, int, std::less<>> Scheduler::queued_job_counts() const {
  std::map<std::string, int, std::less<>> counts;
  for (const auto& [id, job] : active_)
    if (job->is_active()) ++counts[job->record.printer];
  return counts;
}

void Scheduler::track_active(Job& job) {
  if (job.is_active()) active_.emplace(job.id(), &job);
  else if (!job.record.documents.empty()) finished_with_files_.emplace(job.record.completed, job.id());
}

void Scheduler::prune_active() {
  for (auto it = active_.begin(); it != active_.end();) {
    if (it->second->is_active()) {
      ++it;
      continue;
    }
    if (!it->second->record.documents.empty()) finished_with_files_.emplace(it->second->record.completed, it->first);
    it = active_.erase(it);
  }
}

void Scheduler::forget_job(std::map<int, Job>::iterator it) {
  active_.erase(it->first);
  finished_with_files_.erase({it->second.record.completed, it->first});
  jobs_.erase(it);
}

void Scheduler::add_job(Job job, std::vector<DocumentWriter> documents, Completion done) {
  SpoolChange change;
  change.job = job.record;
  change.seal = std::move(documents);
  std::vector<SpoolChange> changes;
  changes.push_back(std::move(change));
  auto pending = std::make_shared<Job>(std::move(job));
  spool_.commit(std::move(changes), [this, pending, done = std::move(done)](auto result) mutable {
    boost::asio::post(strand_, [this, pending, result = std::move(result), done = std::move(done)]() mutable {
      if (result) {
        int id = pending->id();
        if (pending->state() == IPP_JSTATE_HELD) {
          compute_hold_release(*pending);
          if (pending->hold_release != 0 && pending->hold_release <= now()) {  // already inside its period
            pending->record.state = IPP_JSTATE_PENDING;
            pending->record.state_reasons = "none";
          }
        }
        log::error().info("[Job {}] queued on {} by {}", id, pending->record.printer, pending->record.user);
        track_active(jobs_.emplace(id, std::move(*pending)).first->second);
        start_ready_jobs();  // a new job finishes none: history is trimmed when jobs finish
      } else {
        log::error().error("[Job {}] could not be made durable: {}", pending->id(), result.error());
      }
      done(std::move(result));
    });
  });
}

void Scheduler::add_document(int job_id, DocumentRecord document, DocumentWriter writer, bool last, Completion done) {
  Job* job = find_job(job_id);
  if (!job || job->is_finished()) return done(std::unexpected("job " + std::to_string(job_id) + " is not open"));
  job->record.documents.push_back(std::move(document));
  if (last) job->record.documents_complete = true;
  SpoolChange change;
  change.job = job->record;
  change.seal.push_back(std::move(writer));
  std::vector<SpoolChange> changes;
  changes.push_back(std::move(change));
  spool_.commit(std::move(changes), [this, job_id, last, done = std::move(done)](auto result) mutable {
    boost::asio::post(strand_, [this, job_id, last, result = std::move(result), done = std::move(done)]() mutable {
      Job* job = find_job(job_id);
      if (!result && job) {
        // Not durable: forget the document again so memory matches the store.
        job->record.documents.pop_back();
        if (last) job->record.documents_complete = false;
      }
      if (result) start_ready_jobs();
      done(std::move(result));
    });
  });
}

void Scheduler::close_job(int job_id, Completion done) {
  Job* job = find_job(job_id);
  if (!job || job->is_finished()) return done(std::unexpected("job " + std::to_string(job_id) + " is not open"));
  job->record.documents_complete = true;
  if (job->record.documents.empty())
    return finish_job(*job, IPP_JSTATE_ABORTED, "aborted-by-system", std::move(done));
  persist(*job, std::move(done));
  start_ready_jobs();
}

void Scheduler::hold_job(int job_id, std::string until, Completion done) {
  Job* job = find_job(job_id);
  if (!job || (job->state() != IPP_JSTATE_PENDING && job->state() != IPP_JSTATE_HELD))
    return done(std::unexpected("job " + std::to_string(job_id) + " cannot be held now"));
  job->record.state = IPP_JSTATE_HELD;
  job->record.hold_until = until.empty() ? "indefinite" : std::move(until);
  job->record.state_reasons = "job-hold-until-specified";
  compute_hold_release(*job);
  log::error().info("[Job {}] held until {}", job_id, job->record.hold_until);
  persist(*job, std::move(done));
}

void Scheduler::release_job(int job_id, Completion done) {
  Job* job = find_job(job_id);
  if (!job || job->state() != IPP_JSTATE_HELD)
    return done(std::unexpected("job " + std::to_string(job_id) + " is not held"));
  job->record.state = IPP_JSTATE_PENDING;
  job->record.hold_until.clear();
  job->record.state_reasons = "none";
  log::error().info("[Job {}] released", job_id);
  persist(*job, std::move(done));
  start_ready_jobs();
}

void Scheduler::persist(Job& job, Completion done) {
  SpoolChange change;
  change.job = job.record;
  std::vector<SpoolChange> changes;
  changes.push_back(std::move(change));
  int id = job.id();
  spool_.commit(std::move(changes), [this, id, done = std::move(done)](auto result) mutable {
    boost::asio::post(strand_, [id, result = std::move(result), done = std::move(done)]() mutable {
      if (!result) log::error().error("[Job {}] state not saved: {}", id, result.error());
      if (done) done(std::move(result));
    });
  });
}

void Scheduler::cancel_job(int job_id, std::string reason, Completion done) {
  Job* job = find_job(job_id);
  if (!job || job->is_finished()) return done(std::unexpected("job " + std::to_string(job_id) + " is already finished"));
  log::error().info("[Job {}] canceled: {}", job_id, reason);
  if (job->running) {
    job->cancel_requested = true;
    job->record.state_reasons = "processing-to-stop-point";
    job->running->cancel();
    return done({});
  }
  finish_job(*job, IPP_JSTATE_CANCELED, "job-canceled-by-user", std::move(done));
}

}  // namespace quire
