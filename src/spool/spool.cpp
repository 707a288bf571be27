// Spool: opens the spool directory (lock, store, recovery) and hands out job ids and
// document writers; commits go to the Committer. Layout of DIR:
//   jobs.db (+ -wal, -shm)  the job store, with the bytes of inline documents
//   d00012-001              committed documents' files (of inline ones: copies)
//   tmp/                    spilled uploads in progress
//   spool.lock              one process at a time
#include "quire/spool.hpp"

#include "quire/log.hpp"

#include "spool/committer.hpp"
#include "spool/document_files.hpp"
#include "spool/inline_files.hpp"
#include "spool/job_store.hpp"
#include "spool/recovery.hpp"
#include "spool/spool_lock.hpp"

#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <future>

namespace quire {

struct Spool::Impl {
  std::filesystem::path directory;
  SpoolLock lock;  // first: released after everything else has closed
  std::unique_ptr<JobStore> store;
  std::unique_ptr<InlineFiles> inline_files;
  std::atomic<std::int32_t> last_job_id{0};
  std::atomic<std::uint64_t> temp_serial{0};
  std::size_t inline_limit = kInlineDocumentLimit;
  std::unique_ptr<Committer> committer;  // last: drained and stopped before the store closes
};

namespace {

namespace fs = std::filesystem;

// Creates DIR (and its parents) and DIR/tmp. A newly made DIR is synced into its parent,
// so a crash cannot lose the directory that committed files live in.
std::expected<void, std::string> make_directories(const fs::path& directory) {
  std::error_code error;
  bool created = fs::create_directories(directory, error);
  if (error) return std::unexpected(directory.string() + ": create: " + error.message());
  if (created) {
    if (auto synced = sync_directory(directory.parent_path()); !synced) return synced;
  }
  auto temp = directory / kTempDirectoryName;
  if (::mkdir(temp.c_str(), 0700) != 0 && errno != EEXIST) {
    return std::unexpected(temp.string() + ": " + errno_message("mkdir", errno));
  }
  return {};
}

void log_recovery(const RecoveryReport& report) {
  for (const auto& name : report.removed_temporary) {
    log::error().info("[Spool] Removed {}: an upload that never committed", name);
  }
  for (const auto& name : report.removed_orphans) {
    log::error().warn("[Spool] Removed {}: no committed job owns it", name);
  }
  if (!report.rewritten.empty()) {
    log::error().info("[Spool] Rewrote {} inline document file(s) from the job store (first: {})",
                      report.rewritten.size(), report.rewritten.front());
  }
  for (const auto& name : report.missing) log::error().error("[Spool] {} is committed but missing", name);
  for (const auto& failure : report.failures) log::error().error("[Spool] Recovery cannot remove {}", failure);
}

std::expected<void, std::string> recover(Spool::Options const& options, JobStore& store) {
  auto report = recover_files(options.directory, store);
  if (!report) return std::unexpected(report.error());
  log_recovery(*report);
  // Makes recovery's unlinks and SQLite's new -wal file part of the durable directory.
  return sync_directory(options.directory);
}

}  // namespace

Spool::Spool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Spool::~Spool() {
  impl_->committer.reset();
  log::error().info("[Spool] Closed {}", impl_->directory.string());
}

std::expected<std::unique_ptr<Spool>, std::string> Spool::open(const Options& options) {
  std::error_code error;
  Options absolute = options;
  absolute.directory = fs::absolute(options.directory, error);
  if (error) return std::unexpected(options.directory.string() + ": " + error.message());
  if (auto made = make_directories(absolute.directory); !made) return std::unexpected(made.error());

  auto impl = std::make_unique<Impl>();
  impl->directory = absolute.directory;
  impl->inline_limit = options.inline_limit;
  auto lock = SpoolLock::acquire(impl->directory);
  if (!lock) return std::unexpected(lock.error());
  impl->lock = std::move(*lock);
  auto store = open_sqlite_job_store(impl->directory / "jobs.db");
  if (!store) return std::unexpected(store.error());
  impl->store = std::move(*store);
  if (auto recovered = recover(absolute, *impl->store); !recovered) return std::unexpected(recovered.error());
  auto highest = impl->store->load_highest_job_id();
  if (!highest) return std::unexpected(highest.error());
  impl->last_job_id = *highest;
  impl->inline_files = std::make_unique<InlineFiles>(impl->directory, kOwedFileBudgetBytes);
  impl->committer =
      std::make_unique<Committer>(*impl->store, *impl->inline_files, impl->directory, options.max_batch_delay);
  log::error().info("[Spool] Opened {}, next job id {}, documents up to {} bytes inline", impl->directory.string(),
                    *highest + 1, options.inline_limit);
  return std::unique_ptr<Spool>(new Spool(std::move(impl)));
}

std::expected<std::vector<JobRecord>, std::string> Spool::load_jobs() {
  auto jobs = impl_->store->load_jobs();
  if (!jobs) return jobs;
  for (JobRecord& job : *jobs) {
    for (DocumentRecord& document : job.documents) document.path = impl_->directory / document.path;
  }
  return jobs;
}

std::int32_t Spool::reserve_job_id() { return impl_->last_job_id.fetch_add(1) + 1; }

std::expected<DocumentWriter, std::string> Spool::create_document(int job_id, int number) {
  if (job_id <= 0 || number <= 0) {
    return std::unexpected(document_context(job_id, number) + ": not a valid job id or document number");
  }
  auto name = document_file_name(job_id, number);
  auto serial = impl_->temp_serial.fetch_add(1) + 1;
  auto temp = impl_->directory / kTempDirectoryName / (name + "." + std::to_string(serial));
  return DocumentWriter(std::move(temp), impl_->directory / name, job_id, number, impl_->inline_limit);
}

void Spool::commit(std::vector<SpoolChange> changes, CommitHandler done) {
  impl_->committer->submit(std::move(changes), std::move(done));
}

std::expected<void, std::string> Spool::place_document_files(const JobRecord& job) {
  for (const DocumentRecord& document : job.documents) {
    auto placed = impl_->inline_files->place(document.path.filename().string(), *impl_->store);
    if (!placed) return std::unexpected("job " + std::to_string(job.id) + ": " + placed.error());
  }
  return {};
}

std::expected<void, std::string> Spool::commit_and_wait(std::vector<SpoolChange> changes) {
  std::promise<std::expected<void, std::string>> result;
  auto future = result.get_future();
  commit(std::move(changes), [&result](std::expected<void, std::string> r) { result.set_value(std::move(r)); });
  return future.get();
}

std::uint64_t Spool::transactions_committed() const { return impl_->committer->transactions_committed(); }

}  // namespace quire
