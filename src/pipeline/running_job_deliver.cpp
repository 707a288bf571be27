// RunningJob, the daemon writing a raw document to a file: device itself, as cupsd
// does: no process at all. The writing runs on spec.delivery_executor (never the
// strand) with the file backend's own code (quire/file_target.hpp); its status lines
// and exit code come back to the strand and go where a backend's would.
#include "pipeline/running_job_impl.hpp"

#include "quire/file_target.hpp"

#include <sys/eventfd.h>

namespace quire {

bool RunningJob::Impl::can_deliver_in_process(const DocumentPlan& plan) const {
  if (!spec.delivery_executor || !plan.steps.empty() || document == backend_document) return false;
  return !(plan.count_separately && !plan.raw && spec.catalog);  // else a page counter runs beside it
}

void RunningJob::Impl::stop_delivery() const {
  if (!delivery_cancel) return;
  std::uint64_t one = 1;
  (void)!::write(delivery_cancel->get(), &one, sizeof one);
}

void RunningJob::Impl::deliver_in_process(const DocumentRecord& doc) {
  int event = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (event < 0) {
    log::error().warn("[Job {}] eventfd: {}; the backend writes the file", spec.job_id, std::strerror(errno));
    backend_document = document;
    return run_document();
  }
  delivery_cancel = std::make_shared<Fd>(event);
  bool is_banner = !banner.empty() && doc.path == banner;
  FileDelivery delivery{spec.device_uri, spec.printer, std::to_string(spec.job_id), doc.path.string(),
                        is_banner ? 1 : spec.copies, event};
  asio::post(spec.delivery_executor, [self = shared_from_this(), delivery, keep = delivery_cancel] {
    std::vector<std::string> lines;
    auto collect = [&lines](std::string_view line) { lines.emplace_back(line); };
    FileDeliveryResult result;
    if (auto path = file_device_path(delivery.device_uri); !path) {
      collect("ERROR: " + path.error());
      result.exit_code = kBackendStop;
    } else if (FileTarget target = choose_file_target(*path, delivery.printer, delivery.job_id); target.may_block) {
      result.exit_code = -1;  // not ours to open: the backend process, which can be killed, does it
    } else {
      result = deliver_file_to(target, delivery, collect);
    }
    asio::post(self->executor, [self, result, lines = std::move(lines)]() mutable {
      self->on_delivered(result.exit_code, result.canceled, std::move(lines));
    });
  });
}

void RunningJob::Impl::on_delivered(int exit_code, bool delivery_canceled, std::vector<std::string> lines) {
  delivery_cancel.reset();
  if (reported) return;
  for (const auto& line : lines)
    if (callbacks.on_status_line) callbacks.on_status_line(line);
  if (canceled || delivery_canceled) return report({kBackendCancel, "canceled"});
  if (exit_code < 0) {
    backend_document = document;
    return run_document();
  }
  if (exit_code != 0) return on_backend_exit(exit_code, "exit status " + std::to_string(exit_code));
  ++document;
  attempt = 0;
  run_document();
}

}  // namespace quire
