// RunningJob: plans each document, runs its filter chain into the backend, watches
// every process, and reports the outcome once (state machine in running_job.hpp).
// Starting the processes is in running_job_launch.cpp.
#include "quire/running_job.hpp"

#include "pipeline/running_job_impl.hpp"

namespace quire {

RunningJob::RunningJob(Executor executor, JobRunSpec spec, JobRunCallbacks callbacks)
    : impl_(std::make_shared<Impl>(executor, std::move(spec), std::move(callbacks))) {}

RunningJob::~RunningJob() {
  // The scheduler drops us once we reported; make sure nothing of ours outlives it.
  impl_->reported = true;
  impl_->callbacks = {};
  impl_->cleanup();
}

std::shared_ptr<RunningJob> RunningJob::start(Executor executor, JobRunSpec spec, JobRunCallbacks callbacks) {
  // The relay writes into the backend's pipe: a backend that died must be an EPIPE
  // for that write, never a SIGPIPE for the daemon. (Children get SIG_DFL back.)
  static const bool sigpipe_ignored = (::signal(SIGPIPE, SIG_IGN), true);
  (void)sigpipe_ignored;
  auto job = std::make_shared<RunningJob>(executor, std::move(spec), std::move(callbacks));
  std::shared_ptr<Impl> impl = job->impl_;
  Impl& m = *impl;
  m.options = parse_job_options(m.spec.options, m.spec.copies);
  if (m.spec.driver.empty()) m.spec.driver = "raw";
  if (auto d = find_driver(m.spec.driver)) m.driver = std::move(*d);
  else {
    asio::post(executor, [impl, error = d.error()] { impl->report({kBackendStop, error}); });
    return job;
  }
  if (!m.driver.gs_device.empty() && !m.spec.color) m.driver.gs_device = m.driver.gs_device_mono;
  if (m.options.job_sheets == "standard" && !m.driver.is_raw()) {
    m.banner = m.spec.state_dir / "tmp" / ("banner-" + std::to_string(m.spec.job_id) + ".ps");
    BannerInfo info{m.spec.job_id, m.spec.title, m.spec.user, m.spec.printer, 0};
    if (auto written = write_banner(m.banner, info)) {
      DocumentRecord record;
      record.number = 0;
      record.format = "application/postscript";
      record.path = m.banner;
      m.spec.documents.insert(m.spec.documents.begin(), record);
    } else {
      log::error().warn("[Job {}] no banner page: {}", m.spec.job_id, written.error());
      m.banner.clear();
    }
  }
  asio::post(executor, [impl] { impl->run_document(); });
  return job;
}

void RunningJob::cancel() {
  Impl& m = *impl_;
  if (m.canceled || m.reported) return;
  m.canceled = true;
  if (m.delivery_cancel) return m.stop_delivery();  // reported once the writing has stopped
  if (std::none_of(m.processes.begin(), m.processes.end(), [](auto& p) { return !p->exited; })) {
    auto impl = impl_;
    asio::post(m.executor, [impl] { impl->report({kBackendCancel, "canceled"}); });
    return;
  }
  m.kill_group(SIGTERM);
  m.arm_kill(kCancelGrace);
}

}  // namespace quire

