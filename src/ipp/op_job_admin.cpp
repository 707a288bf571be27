// Job administration handlers: Set-Job-Attributes (priority, hold), Restart-Job and
// CUPS-Move-Job.
#include "ipp/operation.hpp"

#include <cups/cups.h>

namespace quire {

void handle_set_job_attributes(const OperationPtr& op) {
  Job& job = *op->job;
  if (job.is_finished()) return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "Job #{} is finished", job.id());
  if (ipp_attribute_t* priority = op->request.find("job-priority", IPP_TAG_JOB)) {
    int value = ippGetInteger(priority, 0);
    if (ippGetValueTag(priority) != IPP_TAG_INTEGER || value < 1 || value > 100) {
      op->response.copy_attribute(priority, IPP_TAG_UNSUPPORTED_GROUP);
      return op->fail(IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "job-priority must be 1 to 100");
    }
    if (auto changed = op->scheduler.set_job_priority(job.id(), value); !changed)
      return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "{}", changed.error());
  }
  auto hold = op->request.find_string("job-hold-until", IPP_TAG_JOB);
  if (!hold) return op->reply();
  auto done = [op](std::expected<void, std::string> result) {
    if (!result) return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "{}", result.error());
    op->reply();
  };
  if (*hold == "no-hold") {
    if (job.state() != IPP_JSTATE_HELD) return op->reply();
    return op->scheduler.release_job(job.id(), std::move(done));
  }
  op->scheduler.hold_job(job.id(), *hold, std::move(done));
}

void handle_restart_job(const OperationPtr& op) {
  op->scheduler.restart_job(op->job->id(), [op](std::expected<void, std::string> result) {
    if (!result) return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "{}", result.error());
    op->reply();
  });
}

// lpmove: job-printer-uri (job group) names the destination; the target is one job
// (job-id / job-uri) or every job of printer-uri.
void handle_cups_move_job(const OperationPtr& op) {
  auto target = op->request.find_string("job-printer-uri", IPP_TAG_JOB);
  if (!target) return op->fail(IPP_STATUS_ERROR_BAD_REQUEST, "Missing job-printer-uri");
  auto slash = target->rfind('/');
  std::string to = slash == std::string::npos ? std::string() : target->substr(slash + 1);
  if (!op->scheduler.find_printer(to)) return op->fail(IPP_STATUS_ERROR_NOT_FOUND, "No printer \"{}\"", to);
  int job_id = op->request.find_integer("job-id", IPP_TAG_OPERATION).value_or(0);
  if (op->request.find("job-uri", IPP_TAG_OPERATION) && op->job) job_id = op->job->id();
  std::string from = op->printer ? op->printer->name() : std::string();
  if (job_id == 0 && from.empty()) return op->fail(IPP_STATUS_ERROR_BAD_REQUEST, "Missing job-id or printer-uri");
  auto moved = op->scheduler.move_jobs(job_id, from, to);
  if (!moved) return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "{}", moved.error());
  op->reply();
}

}  // namespace quire
