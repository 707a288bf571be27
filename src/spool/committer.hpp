// Committer: the spool's one writer, on a thread of its own. Group commit: each flush
// takes every change set queued while the previous flush ran (after waiting up to
// max_batch_delay for companions), seals their documents (inline ones: their bytes
// bound for the transaction, their files left to InlineFiles; spilled ones: renamed,
// then synced with the spool directory in one parallel round) and applies them all in
// one store transaction.
#pragma once

#include "quire/spool.hpp"

#include "spool/inline_files.hpp"
#include "spool/job_store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace quire {

// Owned by Spool::Impl; borrows the store and InlineFiles, which must outlive it. submit() may be
// called from any thread; `done` handlers run on the committer thread, in submit order
// within a batch. Failure: a change set that cannot be sealed fails alone; a failed
// directory sync or transaction fails every change set of its batch. Either way the
// failed change sets' sealed files are removed, so nothing of them is durable.
class Committer {
 public:
  Committer(JobStore& store, InlineFiles& inline_files, std::filesystem::path directory,
            std::chrono::microseconds max_batch_delay);
  ~Committer();  // flushes everything queued, then joins the thread

  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  void submit(std::vector<SpoolChange> changes, CommitHandler done);
  std::uint64_t transactions_committed() const { return transactions_.load(std::memory_order_relaxed); }

 private:
  // One commit() call: all or nothing.
  struct ChangeSet {
    std::vector<SpoolChange> changes;
    CommitHandler done;
    std::expected<void, std::string> result;
    std::vector<std::filesystem::path> sealed;  // spilled documents renamed into place, to sync
    std::vector<StoreChange> store_changes;     // point into `changes`
  };
  using Batch = std::vector<ChangeSet>;

  void run();
  Batch take_batch();
  void flush(Batch& batch);
  void seal_documents(ChangeSet& set);
  std::expected<void, std::string> check_name_free(const DocumentWriter& writer) const;
  void hand_over_inline_documents(ChangeSet& set);
  void sync_sealed(Batch& batch);
  void apply_to_store(Batch& batch);
  void fail(ChangeSet& set, const std::string& error);
  void remove_files(const std::vector<std::string>& names);
  static void report(ChangeSet& set);

  JobStore& store_;
  InlineFiles& inline_files_;
  const std::filesystem::path directory_;
  const std::chrono::microseconds max_batch_delay_;
  std::atomic<std::uint64_t> transactions_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  Batch queue_;            // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;     // last: starts once everything above exists
};

}  // namespace quire
