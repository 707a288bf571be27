// Scheduler, the queue-administration facet: printers added, changed and removed,
// accepting/rejecting, enabling/disabling, the default, moving and purging jobs.
// printers.conf is rewritten (atomically, off the strand) after each change.
#include "quire/scheduler.hpp"

#include "quire/log.hpp"
#include "quire/running_job.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace quire {
namespace {

void set_reason(std::vector<std::string>& reasons, const std::string& reason, bool present) {
  auto it = std::find(reasons.begin(), reasons.end(), reason);
  if (present && it == reasons.end()) reasons.push_back(reason);
  if (!present && it != reasons.end()) reasons.erase(it);
}

}  // namespace

// Printers go to printers.conf and classes to classes.conf, as in CUPS. A file whose
// text is already on disk is not written again (adding a printer leaves classes.conf
// alone): each write is a whole file and an fsync. A text still being written is
// queued again, so that `done` never runs before what it reports is durable.
void Scheduler::save_printers(Completion done) {
  std::string texts[2] = {printers_conf_header(), printers_conf_header()};
  for (int i = 0; i < 2; ++i) texts[i].reserve(saved_conf_[i].size() + 4096);  // megabytes with thousands of queues
  for (const auto& [name, printer] : printers_) {
    append_printer_entry(texts[printer.config.description.is_class ? 1 : 0], printer.config, name == default_printer_,
                         printer.message);
  }
  struct Join {
    int left = 0;
    std::expected<void, std::string> result;
    Completion done;
  };
  auto join = std::make_shared<Join>();
  join->done = std::move(done);
  static constexpr const char* kFiles[2] = {"printers.conf", "classes.conf"};
  bool write[2];
  for (int i = 0; i < 2; ++i) {
    write[i] = texts[i] != saved_conf_[i] || conf_writes_pending_[i] > 0;
    join->left += write[i];
  }
  if (join->left == 0) return join->done({});
  for (int i = 0; i < 2; ++i) {
    if (!write[i]) continue;
    saved_conf_[i] = texts[i];
    ++conf_writes_pending_[i];
    conf_writer_.write(options_.state_dir / kFiles[i], std::move(texts[i]), [this, join, i](auto result) {
      boost::asio::post(strand_, [this, join, i, result = std::move(result)]() mutable {
        --conf_writes_pending_[i];
        if (!result) {
          saved_conf_[i].clear();  // unknown on disk now: the next save writes it whatever it holds
          log::error().error("[Scheduler] {} not saved: {}", kFiles[i], result.error());
          if (join->result) join->result = std::move(result);
        }
        if (--join->left == 0) join->done(std::move(join->result));
      });
    });
  }
}

void Scheduler::add_or_modify_printer(PrinterConfig config, Completion done) {
  const std::string name = config.description.name;
  config.description.config_change_time = now();
  Printer* existing = find_printer(name);
  if (existing) {
    existing->config = std::move(config);
    existing->attribute_cache.clear();
    set_reason(existing->reasons, "paused", !existing->config.enabled);
    if (existing->current_job == 0)
      set_printer_state(*existing, existing->config.enabled ? IPP_PSTATE_IDLE : IPP_PSTATE_STOPPED);
    log::error().info("[Printer {}] modified", name);
  } else {
    Printer printer;
    printer.config = std::move(config);
    printer.state = printer.config.enabled ? IPP_PSTATE_IDLE : IPP_PSTATE_STOPPED;
    if (!printer.config.enabled) printer.reasons.push_back("paused");
    printer.state_change_time = now();
    printers_.emplace(name, std::move(printer));
    log::error().info("[Printer {}] added", name);
  }
  save_printers(std::move(done));
  start_ready_jobs();
}

void Scheduler::delete_printer(std::string_view name, Completion done) {
  Printer* printer = find_printer(name);
  if (!printer) return done(std::unexpected("no printer " + std::string(name)));
  std::string key = printer->name();
  cancel_unfinished_jobs(key, "", "job-canceled-by-operator");
  printers_.erase(key);
  for (auto& [name, other] : printers_) {
    auto& members = other.config.members;
    members.erase(std::remove(members.begin(), members.end(), key), members.end());
  }
  if (default_printer_ == key) default_printer_.clear();
  log::error().info("[Printer {}] deleted", key);
  save_printers(std::move(done));
}

void Scheduler::set_default_printer(std::string_view name, Completion done) {
  Printer* printer = find_printer(name);
  if (!printer) return done(std::unexpected("no printer " + std::string(name)));
  default_printer_ = printer->name();
  for (auto& [n, p] : printers_) p.attribute_cache.clear();
  save_printers(std::move(done));
}

void Scheduler::set_accepting(Printer& printer, bool accepting, std::string reason, Completion done) {
  printer.config.accepting = accepting;
  if (!reason.empty()) printer.message = std::move(reason);
  printer.state_change_time = now();
  printer.attribute_cache.clear();
  log::error().info("[Printer {}] {}", printer.name(), accepting ? "accepting jobs" : "rejecting jobs");
  save_printers(std::move(done));
}

void Scheduler::set_printer_enabled(Printer& printer, bool enabled, Completion done) {
  printer.config.enabled = enabled;
  set_reason(printer.reasons, "paused", !enabled);
  if (printer.current_job == 0) set_printer_state(printer, enabled ? IPP_PSTATE_IDLE : IPP_PSTATE_STOPPED);
  printer.state_change_time = now();
  log::error().info("[Printer {}] {}", printer.name(), enabled ? "enabled" : "disabled");
  save_printers(std::move(done));
  if (enabled) start_ready_jobs();
}

void Scheduler::set_holding_new_jobs(Printer& printer, bool holding) {
  printer.holding_new_jobs = holding;
  set_reason(printer.reasons, "hold-new-jobs", holding);
  log::error().info("[Printer {}] {} new jobs", printer.name(), holding ? "holding" : "releasing");
  if (holding) return;
  for (auto& [id, job] : active_) {
    if (job->record.printer != printer.name() || job->state() != IPP_JSTATE_HELD) continue;
    if (job->record.state_reasons != "job-held-on-create") continue;
    job->record.state = IPP_JSTATE_PENDING;
    job->record.state_reasons = "none";
    job->record.hold_until.clear();
    persist(*job, nullptr);
  }
  start_ready_jobs();
}

std::expected<void, std::string> Scheduler::move_jobs(int job_id, std::string_view from, std::string_view to) {
  Printer* target = find_printer(to);
  if (!target) return std::unexpected("no printer " + std::string(to));
  int moved = 0;
  for (auto& [id, job] : active_) {
    bool selected = job_id ? id == job_id : job->record.printer == from;
    if (!selected || job->is_finished() || job->state() == IPP_JSTATE_PROCESSING) continue;
    job->record.printer = target->name();
    persist(*job, nullptr);
    ++moved;
  }
  if (job_id && moved == 0) return std::unexpected("job " + std::to_string(job_id) + " cannot be moved now");
  start_ready_jobs();
  return {};
}

// Ids first: finishing a job trims the history, which may erase jobs from jobs_ (and
// prunes active_). A running job is stopped first and finishes when its process ends.
void Scheduler::cancel_unfinished_jobs(std::string_view printer, std::string_view user, const char* reason) {
  std::vector<int> ids;
  for (const auto& [id, job] : active_) {
    if (job->is_active() && (printer.empty() || job->record.printer == printer) && (user.empty() || job->record.user == user))
      ids.push_back(id);
  }
  for (int id : ids) {
    Job* job = find_job(id);
    if (!job || job->is_finished()) continue;
    if (job->running) {
      job->cancel_requested = true;
      job->running->cancel();
    } else {
      finish_job(*job, IPP_JSTATE_CANCELED, reason);
    }
  }
}

void Scheduler::cancel_jobs(std::string_view printer, std::string_view user, bool purge, Completion done) {
  cancel_unfinished_jobs(printer, user, "job-canceled-by-user");
  std::vector<SpoolChange> removals;
  for (auto it = jobs_.begin(); purge && it != jobs_.end();) {
    Job& job = it->second;
    bool selected = (printer.empty() || job.record.printer == printer) && (user.empty() || job.record.user == user);
    if (!selected || !job.is_finished() || job.running) {
      ++it;
      continue;
    }
    SpoolChange change;
    change.kind = SpoolChange::Kind::kRemoveJob;
    change.job.id = it->first;
    removals.push_back(std::move(change));
    forget_job(it++);
  }
  spool_.commit(std::move(removals), [this, done = std::move(done)](auto result) mutable {
    boost::asio::post(strand_, [result = std::move(result), done = std::move(done)]() mutable { done(std::move(result)); });
  });
}

std::expected<void, std::string> Scheduler::set_job_priority(int job_id, int priority) {
  Job* job = find_job(job_id);
  if (!job || job->is_finished() || job->state() == IPP_JSTATE_PROCESSING)
    return std::unexpected("job " + std::to_string(job_id) + " cannot be changed now");
  job->record.priority = priority;
  persist(*job, nullptr);
  return {};
}

void Scheduler::restart_job(int job_id, Completion done) {
  Job* job = find_job(job_id);
  if (!job || !job->is_finished() || job->record.documents.empty())
    return done(std::unexpected("job " + std::to_string(job_id) + " cannot be restarted (its files are gone)"));
  job->record.state = IPP_JSTATE_PENDING;
  job->record.state_reasons = "none";
  job->record.completed = 0;
  job->record.processing = 0;
  job->cancel_requested = false;
  track_active(*job);
  log::error().info("[Job {}] restarted", job_id);
  persist(*job, std::move(done));
  start_ready_jobs();
}

}  // namespace quire
