// Job query and control handlers: Get-Job-Attributes, Get-Jobs, Cancel-Job,
// Hold-Job, Release-Job.
#include "ipp/operation.hpp"

#include <algorithm>

namespace quire {

void handle_cancel_job(const OperationPtr& op) {
  Job& job = *op->job;
  if (job.is_finished())
    return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "Job #{} is already {}", job.id(),
                    ippEnumString("job-state", job.state()));
  op->scheduler.cancel_job(job.id(), "by " + op->user, [op](std::expected<void, std::string> result) {
    if (!result) return op->fail(IPP_STATUS_ERROR_INTERNAL, "{}", result.error());
    op->reply();
  });
}

void handle_hold_job(const OperationPtr& op) {
  std::string until = op->request.find_string("job-hold-until", IPP_TAG_OPERATION).value_or("indefinite");
  op->scheduler.hold_job(op->job->id(), until, [op](std::expected<void, std::string> result) {
    if (!result) return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "{}", result.error());
    op->reply();
  });
}

void handle_release_job(const OperationPtr& op) {
  op->scheduler.release_job(op->job->id(), [op](std::expected<void, std::string> result) {
    if (!result) return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "{}", result.error());
    op->reply();
  });
}

void handle_get_job_attributes(const OperationPtr& op) {
  add_job_attributes(*op, *op->job, RequestedAttributes::from_request(op->request, "all"), op->response);
  op->reply();
}

// The order cupsd answers in: unfinished jobs in the order they will print (priority,
// then arrival); finished ones by completion, newest first (ties by id); all by id.
static void in_cups_order(std::vector<const Job*>& jobs, WhichJobs which) {
  if (which == WhichJobs::kNotCompleted)
    std::stable_sort(jobs.begin(), jobs.end(), [](const Job* a, const Job* b) { return a->record.priority > b->record.priority; });
  else if (which == WhichJobs::kCompleted)
    std::stable_sort(jobs.begin(), jobs.end(), [](const Job* a, const Job* b) { return a->record.completed > b->record.completed; });
}

void handle_get_jobs(const OperationPtr& op) {
  std::string which = op->request.find_string("which-jobs", IPP_TAG_OPERATION).value_or("not-completed");
  WhichJobs filter;
  if (which == "not-completed") filter = WhichJobs::kNotCompleted;
  else if (which == "completed") filter = WhichJobs::kCompleted;
  else if (which == "all") filter = WhichJobs::kAll;
  else {
    op->response.copy_attribute(op->request.find("which-jobs", IPP_TAG_OPERATION), IPP_TAG_UNSUPPORTED_GROUP);
    return op->fail(IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "which-jobs \"{}\" is not supported", which);
  }
  auto limit = op->request.find_integer("limit", IPP_TAG_OPERATION);
  if (limit && *limit < 1) {
    op->response.copy_attribute(op->request.find("limit", IPP_TAG_OPERATION), IPP_TAG_UNSUPPORTED_GROUP);
    return op->fail(IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "limit must be at least 1");
  }
  int first_index = op->request.find_integer("first-index", IPP_TAG_OPERATION).value_or(1);
  bool my_jobs = op->request.find_boolean("my-jobs", IPP_TAG_OPERATION).value_or(false);
  auto wanted = RequestedAttributes::from_request(op->request, kGetJobsDefaultRequested);
  std::string printer = op->printer ? op->printer->name() : std::string();
  auto jobs = op->scheduler.list_jobs(printer, filter, my_jobs ? op->user : std::string());
  in_cups_order(jobs, filter);
  int count = 0, index = 0;
  for (const Job* job : jobs) {
    if (++index < first_index) continue;
    if (limit && count >= *limit) break;
    if (count++ > 0) op->response.add_separator();
    add_job_attributes(*op, *job, wanted, op->response);
  }
  op->reply();
}

}  // namespace quire
