// Scheduler, the job-processing facet: choosing the next job, running its backend,
// reading its status lines and recording how it ended.
#include "quire/scheduler.hpp"

#include "quire/device_attributes.hpp"
#include "quire/log.hpp"
#include "quire/running_job.hpp"

#include <boost/asio/thread_pool.hpp>

#include <unistd.h>

#include <algorithm>
#include <set>

namespace quire {
namespace {

// CUPS's backend exit codes (cups/backend.h).
enum BackendStatus { kOk = 0, kFailed = 1, kAuthRequired = 2, kHold = 3, kStop = 4, kCancel = 5, kRetry = 6, kRetryCurrent = 7 };

std::string uri_scheme(std::string_view uri) {
  if (!uri.empty() && uri[0] == '/') return "file";  // a bare device path, as lpadmin -v /dev/null
  auto colon = uri.find(':');
  return colon == std::string_view::npos ? std::string() : std::string(uri.substr(0, colon));
}

std::string job_options(const Job& job) { return job.attributes() ? filter_options(job.attributes()) : ""; }

void remember_document_size(Job& job) {
  std::uint64_t bytes = 0;
  for (const auto& d : job.record.documents) bytes += d.size;
  IppMessage& attributes = job.mutable_attributes();
  if (ipp_attribute_t* old = attributes.find("job-k-octets")) ippDeleteAttribute(attributes.get(), old);
  attributes.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-k-octets", static_cast<int>((bytes + 1023) / 1024));
  job.record.attributes = attributes.encode();
}

}  // namespace

std::filesystem::path Scheduler::find_backend_path(std::string_view scheme) const {
  for (const auto& dir : options_.backend_dirs) {
    auto candidate = dir / std::string(scheme);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// Only printers that something is waiting for are looked at: the destinations of
// pending jobs and the members of those that are classes. Each of them, in name order,
// takes its best job (priority, then arrival) among those sent to it or its classes.
// Ids and names, not pointers: starting a job can finish one (no backend), which trims
// the history and runs this again, nested.
void Scheduler::start_ready_jobs() {
  if (stopping_) return;
  WaitingJobs waiting;
  for (auto& [id, job] : active_) {
    bool ready = job->state() == IPP_JSTATE_PENDING && job->record.documents_complete && !job->record.documents.empty();
    if (!ready) continue;
    waiting[job->record.printer].push_back(id);
  }
  if (waiting.empty()) return;
  std::set<std::string> candidates;
  for (const auto& [destination, ids] : waiting) {
    auto it = printers_.find(destination);
    if (it == printers_.end()) continue;
    if (!it->second.config.description.is_class) candidates.insert(it->first);
    else if (it->second.is_enabled())
      candidates.insert(it->second.config.members.begin(), it->second.config.members.end());
  }
  for (const std::string& name : candidates) {
    auto it = printers_.find(name);
    if (it == printers_.end()) continue;
    Printer& printer = it->second;
    if (!printer.is_enabled() || printer.current_job != 0 || printer.config.description.is_class) continue;
    if (Job* job = next_job_for(printer, waiting)) start_job(printer, *job);
  }
}

// A printer serves jobs sent to it and to every enabled class it belongs to.
bool Scheduler::serves(const Printer& printer, std::string_view destination) const {
  if (destination == printer.name()) return true;
  auto it = printers_.find(destination);
  if (it == printers_.end() || !it->second.config.description.is_class || !it->second.is_enabled()) return false;
  const auto& members = it->second.config.members;
  return std::find(members.begin(), members.end(), printer.name()) != members.end();
}

Printer* Scheduler::printer_of(const Job& job) {
  return find_printer(job.printing_on.empty() ? job.record.printer : job.printing_on);
}

Job* Scheduler::next_job_for(const Printer& printer, const WaitingJobs& waiting) {
  Job* best = nullptr;
  for (const auto& [destination, ids] : waiting) {
    if (!serves(printer, destination)) continue;
    for (int id : ids) {
      Job* job = find_job(id);
      if (!job || job->state() != IPP_JSTATE_PENDING) continue;  // e.g. started by another member of its class
      if (!best || job->record.priority > best->record.priority ||
          (job->record.priority == best->record.priority && job->id() < best->id()))
        best = job;
    }
  }
  return best;
}

void Scheduler::start_job(Printer& printer, Job& job) {
  JobRunSpec spec;
  spec.job_id = job.id();
  spec.printer = printer.name();
  spec.device_uri = printer.config.description.device_uri;
  spec.backend = find_backend_path(uri_scheme(spec.device_uri));
  spec.user = job.record.user;
  spec.title = job.record.name;
  spec.copies = job.attributes() ? job.attributes().find_integer("copies").value_or(1) : 1;
  spec.options = job_options(job);
  spec.documents = job.record.documents;
  spec.state_dir = options_.state_dir;
  spec.printer_info = printer.config.description.info;
  spec.printer_location = printer.config.description.location;
  spec.driver = printer.config.driver;
  spec.color = printer.config.description.color;
  spec.catalog = options_.filters;
  spec.error_policy = printer.config.error_policy;
  spec.filter_timeout = std::chrono::seconds(options_.server.filter_timeout);
  spec.retry_interval = std::chrono::seconds(options_.server.job_retry_interval);
  spec.retry_limit = options_.server.job_retry_limit;
  if (uri_scheme(spec.device_uri) == "file") spec.delivery_executor = delivery_pool().get_executor();

  job.record.state = IPP_JSTATE_PROCESSING;
  job.record.state_reasons = "job-printing";
  job.record.processing = now();
  printer.current_job = job.id();
  job.printing_on = printer.name();
  set_printer_state(printer, IPP_PSTATE_PROCESSING);
  // Not committed: after a crash a processing job is pending again (load() says so), so
  // the store keeps it pending until the job ends - one commit fewer per printed job.
  int id = job.id();
  if (spec.backend.empty()) {
    log::error().error("[Printer {}] no backend for device URI scheme \"{}\"", printer.name(), uri_scheme(spec.device_uri));
    return on_job_exit(id, {kStop, "no backend for \"" + uri_scheme(spec.device_uri) + "\""});
  }
  // The spool writes small documents' files only now (they are durable in its store).
  if (auto placed = spool_.place_document_files(job.record); !placed) return on_job_exit(id, {kStop, placed.error()});
  log::error().info("[Job {}] printing on {} via {}", id, printer.name(), spec.backend.string());
  job.running = RunningJob::start(strand_, std::move(spec),
                                  {[this, id](const std::string& line) { handle_status_line(id, line); },
                                   [this, id](JobRunResult result) { on_job_exit(id, std::move(result)); }});
}

void Scheduler::on_job_exit(int job_id, JobRunResult result) {
  Job* job = find_job(job_id);
  if (!job) return;
  int exit_code = result.exit_code;
  std::string reason = std::move(result.reason);
  if (result.sheets > 0) job->record.sheets_completed = result.sheets;
  job->running.reset();
  Printer* printer = printer_of(*job);
  if (job->cancel_requested) return finish_job(*job, IPP_JSTATE_CANCELED, "job-canceled-by-user");
  switch (exit_code) {
    case kOk:
      return finish_job(*job, IPP_JSTATE_COMPLETED, "job-completed-successfully");
    case kCancel:
      return finish_job(*job, IPP_JSTATE_CANCELED, "job-canceled-at-device");
    case kHold:
    case kAuthRequired:
      job->record.state = IPP_JSTATE_HELD;
      job->record.state_reasons = exit_code == kHold ? "job-hold-until-specified" : "cups-held-for-authentication";
      job->record.hold_until = "indefinite";
      break;
    case kStop:
      // The device cannot print now: the job waits, the printer stops until enabled.
      job->record.state = IPP_JSTATE_PENDING;
      job->record.state_reasons = "none";
      if (printer) {
        printer->config.enabled = false;
        // As CUPS: the backend's last ERROR: line says what is wrong with the queue.
        printer->message = job->record.state_message.empty() ? reason : job->record.state_message;
        if (std::find(printer->reasons.begin(), printer->reasons.end(), "paused") == printer->reasons.end())
          printer->reasons.push_back("paused");
      }
      break;
    default:
      log::error().error("[Job {}] {}", job_id, reason);
      // The outcome first, then what the process itself last said about it.
      if (!job->record.state_message.empty() && reason.find(job->record.state_message) == std::string::npos)
        reason += " (" + job->record.state_message + ")";
      job->record.state_message = reason;
      return finish_job(*job, IPP_JSTATE_ABORTED,
                        result.job_state_reason.empty() ? "aborted-by-system" : result.job_state_reason);
  }
  log::error().warn("[Job {}] {}", job_id, reason);
  if (printer) {
    printer->current_job = 0;
    set_printer_state(*printer, printer->is_enabled() ? IPP_PSTATE_IDLE : IPP_PSTATE_STOPPED);
  }
  job->printing_on.clear();
  persist(*job, nullptr);
  start_ready_jobs();
}

void Scheduler::finish_job(Job& job, ipp_jstate_t state, std::string reason, Completion done) {
  job.record.state = state;
  job.record.state_reasons = std::move(reason);
  job.record.completed = now();
  if (state == IPP_JSTATE_COMPLETED) {
    int copies = job.attributes() ? job.attributes().find_integer("copies").value_or(1) : 1;
    if (job.record.impressions_completed == 0) job.record.impressions_completed = copies;
    if (job.record.sheets_completed == 0) job.record.sheets_completed = job.record.impressions_completed;
    auto text = [&](const char* name) { return job.attributes() ? job.attributes().find_string(name).value_or("") : ""; };
    log::page(job.record.printer, job.record.user, job.id(), "total", job.record.impressions_completed,
              text("job-billing"), job.record.origin_host, job.record.name, text("media"), text("sides"));
  }
  log::error().info("[Job {}] {} ({})", job.id(), ippEnumString("job-state", state), job.record.state_reasons);
  if (Printer* printer = printer_of(job); printer && printer->current_job == job.id()) {
    printer->current_job = 0;
    set_printer_state(*printer, printer->is_enabled() ? IPP_PSTATE_IDLE : IPP_PSTATE_STOPPED);
  }
  persist(job, std::move(done));
  trim_history();
  start_ready_jobs();
}

void Scheduler::handle_status_line(int job_id, const std::string& line) {
  Job* job = find_job(job_id);
  if (!job) return;
  auto colon = line.find(':');
  std::string prefix = colon == std::string::npos ? std::string() : line.substr(0, colon);
  std::string text = colon == std::string::npos ? line : line.substr(colon + 1);
  if (!text.empty() && text[0] == ' ') text.erase(0, 1);
  Printer* printer = printer_of(*job);
  if (prefix == "PAGE") {
    // "PAGE: n copies" per page, or "PAGE: total n".
    int n = 0, copies = 1;
    if (std::sscanf(text.c_str(), "total %d", &n) == 1) job->record.impressions_completed = n;
    else if (std::sscanf(text.c_str(), "%d %d", &n, &copies) >= 1) {
      job->record.impressions_completed += std::max(1, copies);
      // CUPS's page_log: one line per page the filters report.
      auto attr = [&](const char* name) { return job->attributes() ? job->attributes().find_string(name).value_or("") : ""; };
      log::page(job->record.printer, job->record.user, job_id, std::to_string(n), std::max(1, copies),
                attr("job-billing"), job->record.origin_host, job->record.name, attr("media"), attr("sides"));
    }
  } else if (prefix == "STATE" && printer) {
    // "+reason", "-reason" or a whole new list.
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
      std::string r = text.substr(1);
      auto it = std::find(printer->reasons.begin(), printer->reasons.end(), r);
      if (text[0] == '+' && it == printer->reasons.end()) printer->reasons.push_back(r);
      if (text[0] == '-' && it != printer->reasons.end()) printer->reasons.erase(it);
    } else {
      printer->reasons.clear();
      if (text != "none") printer->reasons.push_back(text);
    }
    printer->attribute_cache.clear();
  } else if (prefix == "INFO" && printer) {
    printer->message = text;
  } else if (prefix == "ATTR" && printer) {
    apply_device_attributes(*printer, job_id, text);
  } else if (prefix == "ERROR") {
    job->record.state_message = text;
    log::error().error("[Job {}] {}", job_id, text);
  } else if (prefix == "WARNING") {
    log::error().warn("[Job {}] {}", job_id, text);
  } else {
    log::error().debug("[Job {}] {}", job_id, line);
  }
}

// ATTR: lines set whitelisted printer attributes (supply levels, alerts); the rest is
// logged and ignored, as CUPS does.
void Scheduler::apply_device_attributes(Printer& printer, int job_id, const std::string& text) {
  auto update = apply_attr_line(text, printer.device_attributes);
  for (const auto& why : update.rejected) log::error().info("[Job {}] ATTR ignored: {}", job_id, why);
  if (!update.applied.empty())
    log::error().debug("[Printer {}] attributes from job {}: {}", printer.name(), job_id, text);
  if (update.markers_changed) printer.marker_change_time = now();
}

void Scheduler::set_printer_state(Printer& printer, ipp_pstate_t state) {
  if (printer.state == state) return;
  printer.state = state;
  printer.state_change_time = now();
}

void Scheduler::trim_history() {
  prune_active();
  std::vector<SpoolChange> changes;
  const auto& server = options_.server;
  std::size_t finished = jobs_.size() - active_.size();  // exact once pruned
  std::size_t limit = server.preserve_job_history ? static_cast<std::size_t>(server.max_jobs) : 0;
  bool unlimited = server.preserve_job_history && server.max_jobs == 0;
  for (auto it = jobs_.begin(); it != jobs_.end() && !unlimited && finished > limit;) {
    if (!it->second.is_finished() || it->second.running) {
      ++it;
      continue;
    }
    SpoolChange change;
    change.kind = SpoolChange::Kind::kRemoveJob;
    change.job.id = it->first;
    changes.push_back(std::move(change));
    forget_job(it++);
    --finished;
  }
  if (server.preserve_job_files != ServerConfig::kForever) {
    const std::int64_t kept_since = now() - server.preserve_job_files;  // PreserveJobFiles: files of jobs done before go
    for (auto it = finished_with_files_.begin(); it != finished_with_files_.end() && it->first <= kept_since;) {
      auto [completed, id] = *it;
      Job* job = find_job(id);
      if (!job || !job->is_finished() || job->record.completed != completed || job->record.documents.empty()) {
        it = finished_with_files_.erase(it);  // gone, restarted (a newer entry follows), or no files
        continue;
      }
      if (job->running) {
        ++it;
        continue;
      }
      // The job keeps its size (job-k-octets) in its attributes once the files go.
      remember_document_size(*job);
      SpoolChange keep;
      keep.job = job->record;
      changes.push_back(std::move(keep));
      SpoolChange change;
      change.kind = SpoolChange::Kind::kRemoveDocuments;
      change.job.id = id;
      changes.push_back(std::move(change));
      job->record.documents.clear();
      it = finished_with_files_.erase(it);
    }
  }
  if (!changes.empty()) spool_.commit(std::move(changes), [](auto result) {
    if (!result) log::error().error("[Scheduler] history not trimmed: {}", result.error());
  });
}

}  // namespace quire
