// Scheduler, the queue-administration facet: printers added, changed and removed,
// accepting/rejecting, enabling/disabling, the default, moving and purging jobs.
// printers.conf is rewritten (atomically) after each change.
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

// Printers go to printers.conf and classes to classes.conf, as in CUPS.
std::expected<void, std::string> Scheduler::save_printers() {
  std::vector<PrinterConfig> printers, classes;
  for (const auto& [name, printer] : printers_) {
    PrinterConfig c = printer.config;
    c.is_default = name == default_printer_;
    c.state_message = printer.message;
    (c.description.is_class ? classes : printers).push_back(std::move(c));
  }
  for (auto [file, configs] : {std::pair{"printers.conf", &printers}, {"classes.conf", &classes}}) {
    auto saved = save_printers_conf(options_.state_dir / file, *configs);
    if (!saved) {
      log::error().error("[Scheduler] {} not saved: {}", file, saved.error());
      return saved;
    }
  }
  return {};
}

std::expected<void, std::string> Scheduler::add_or_modify_printer(PrinterConfig config) {
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
  auto saved = save_printers();
  start_ready_jobs();
  return saved;
}

std::expected<void, std::string> Scheduler::delete_printer(std::string_view name) {
  Printer* printer = find_printer(name);
  if (!printer) return std::unexpected("no printer " + std::string(name));
  std::string key = printer->name();
  for (auto& [id, job] : jobs_) {
    if (job.record.printer != key || job.is_finished()) continue;
    if (job.running) {
      job.cancel_requested = true;
      job.running->cancel();
    } else {
      finish_job(job, IPP_JSTATE_CANCELED, "job-canceled-by-operator");
    }
  }
  printers_.erase(key);
  for (auto& [name, other] : printers_) {
    auto& members = other.config.members;
    members.erase(std::remove(members.begin(), members.end(), key), members.end());
  }
  if (default_printer_ == key) default_printer_.clear();
  log::error().info("[Printer {}] deleted", key);
  return save_printers();
}

std::expected<void, std::string> Scheduler::set_default_printer(std::string_view name) {
  Printer* printer = find_printer(name);
  if (!printer) return std::unexpected("no printer " + std::string(name));
  default_printer_ = printer->name();
  for (auto& [n, p] : printers_) p.attribute_cache.clear();
  return save_printers();
}

std::expected<void, std::string> Scheduler::set_accepting(Printer& printer, bool accepting, std::string reason) {
  printer.config.accepting = accepting;
  if (!reason.empty()) printer.message = std::move(reason);
  printer.state_change_time = now();
  printer.attribute_cache.clear();
  log::error().info("[Printer {}] {}", printer.name(), accepting ? "accepting jobs" : "rejecting jobs");
  return save_printers();
}

std::expected<void, std::string> Scheduler::set_printer_enabled(Printer& printer, bool enabled) {
  printer.config.enabled = enabled;
  set_reason(printer.reasons, "paused", !enabled);
  if (printer.current_job == 0) set_printer_state(printer, enabled ? IPP_PSTATE_IDLE : IPP_PSTATE_STOPPED);
  printer.state_change_time = now();
  log::error().info("[Printer {}] {}", printer.name(), enabled ? "enabled" : "disabled");
  auto saved = save_printers();
  if (enabled) start_ready_jobs();
  return saved;
}

void Scheduler::set_holding_new_jobs(Printer& printer, bool holding) {
  printer.holding_new_jobs = holding;
  set_reason(printer.reasons, "hold-new-jobs", holding);
  log::error().info("[Printer {}] {} new jobs", printer.name(), holding ? "holding" : "releasing");
  if (holding) return;
  for (auto& [id, job] : jobs_) {
    if (job.record.printer != printer.name() || job.state() != IPP_JSTATE_HELD) continue;
    if (job.record.state_reasons != "job-held-on-create") continue;
    job.record.state = IPP_JSTATE_PENDING;
    job.record.state_reasons = "none";
    job.record.hold_until.clear();
    persist(job, nullptr);
  }
  start_ready_jobs();
}

std::expected<void, std::string> Scheduler::move_jobs(int job_id, std::string_view from, std::string_view to) {
  Printer* target = find_printer(to);
  if (!target) return std::unexpected("no printer " + std::string(to));
  int moved = 0;
  for (auto& [id, job] : jobs_) {
    bool selected = job_id ? id == job_id : job.record.printer == from;
    if (!selected || job.is_finished() || job.state() == IPP_JSTATE_PROCESSING) continue;
    job.record.printer = target->name();
    persist(job, nullptr);
    ++moved;
  }
  if (job_id && moved == 0) return std::unexpected("job " + std::to_string(job_id) + " cannot be moved now");
  start_ready_jobs();
  return {};
}

void Scheduler::cancel_jobs(std::string_view printer, std::string_view user, bool purge, Completion done) {
  std::vector<SpoolChange> removals;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    Job& job = it->second;
    bool selected = (printer.empty() || job.record.printer == printer) && (user.empty() || job.record.user == user);
    if (selected && job.is_active()) {
      if (job.running) {
        job.cancel_requested = true;
        job.running->cancel();
      } else {
        finish_job(job, IPP_JSTATE_CANCELED, "job-canceled-by-user");
      }
    }
    if (selected && purge && job.is_finished() && !job.running) {
      SpoolChange change;
      change.kind = SpoolChange::Kind::kRemoveJob;
      change.job.id = it->first;
      removals.push_back(std::move(change));
      it = jobs_.erase(it);
      continue;
    }
    ++it;
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
  log::error().info("[Job {}] restarted", job_id);
  persist(*job, std::move(done));
  start_ready_jobs();
}

}  // namespace quire
