// Committer: group commit of spool change sets. The order of one flush is what makes
// an acknowledged job durable:
//   1. each spilled document is renamed from tmp/… to its final d-name (its data not
//      yet synced); an inline document is only checked: its name must be free;
//   2. only if the batch spilled any document: one parallel round of syncs, fdatasync
//      every spilled document and fsync the spool directory (so the names survive a
//      crash), all at once;
//   3. one store transaction for every change set, inline documents' bytes included
//      (its COMMIT syncs the WAL);
//   4. inline documents' bytes go to InlineFiles, which writes their files when their
//      job starts (or at once, unsynced, past its memory budget); files whose rows the
//      transaction deleted are unlinked; then each `done` is called.
// A batch of small jobs therefore costs one sync, the WAL's, and creates no file. A
// crash between any two steps leaves only files no committed row names, which recovery
// removes; a committed row never names a spilled file that is not durable, and
// recovery writes inline documents' files from their rows.
#include "spool/committer.hpp"

#include "quire/log.hpp"

#include "spool/document_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <set>
#include <thread>
#include <utility>

namespace quire {
namespace {

std::expected<void, std::string> validate(const std::vector<SpoolChange>& changes) {
  auto fail = [](int job_id, const std::string& what) {
    return std::unexpected("job " + std::to_string(job_id) + ": " + what);
  };
  for (const SpoolChange& change : changes) {
    int id = change.job.id;
    if (id <= 0) return fail(id, "not a valid job id");
    if (change.kind != SpoolChange::Kind::kPutJob && !change.seal.empty()) {
      return fail(id, "documents to seal in a removal");
    }
    std::set<int> numbers;
    for (const DocumentWriter& writer : change.seal) {
      if (writer.job_id() != id) return fail(id, "document writer belongs to job " + std::to_string(writer.job_id()));
      if (!numbers.insert(writer.number()).second) {
        return fail(id, "document " + std::to_string(writer.number()) + " sealed twice");
      }
    }
  }
  return {};
}

// The stored record of a sealed writer: format and name from the job's own list.
NewDocument describe_sealed(const JobRecord& job, const DocumentWriter& writer) {
  NewDocument sealed;
  sealed.is_inline = writer.is_inline();
  if (sealed.is_inline) sealed.contents = writer.contents();
  DocumentRecord& record = sealed.record;
  auto listed = std::find_if(job.documents.begin(), job.documents.end(),
                             [&](const DocumentRecord& d) { return d.number == writer.number(); });
  if (listed != job.documents.end()) {
    record.format = listed->format;
    record.name = listed->name;
  } else {
    record.format = "application/octet-stream";
  }
  record.number = writer.number();
  record.size = writer.size();
  record.path = writer.final_path().filename();
  return sealed;
}

}  // namespace

Committer::Committer(JobStore& store, InlineFiles& inline_files, std::filesystem::path directory,
                     std::chrono::microseconds max_batch_delay)
    : store_(store),
      inline_files_(inline_files),
      directory_(std::move(directory)),
      max_batch_delay_(max_batch_delay),
      thread_([this] { run(); }) {}

Committer::~Committer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Committer::submit(std::vector<SpoolChange> changes, CommitHandler done) {
  std::unique_lock lock(mutex_);
  if (stopping_) {
    lock.unlock();
    done(std::unexpected(std::string("spool is closing")));
    return;
  }
  queue_.push_back(ChangeSet{std::move(changes), std::move(done), {}, {}, {}});
  lock.unlock();
  wake_.notify_one();
}

void Committer::run() {
  for (Batch batch = take_batch(); !batch.empty(); batch = take_batch()) flush(batch);
}

// Blocks until something is queued; returns empty only when stopping with nothing left.
Committer::Batch Committer::take_batch() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
  if (!queue_.empty() && max_batch_delay_.count() > 0 && !stopping_) {
    wake_.wait_for(lock, max_batch_delay_, [this] { return stopping_; });
  }
  return std::exchange(queue_, {});
}

void Committer::flush(Batch& batch) {
  for (ChangeSet& set : batch) {
    set.result = validate(set.changes);
    if (set.result) seal_documents(set);
  }
  sync_sealed(batch);
  apply_to_store(batch);
  for (ChangeSet& set : batch) report(set);
}

void Committer::seal_documents(ChangeSet& set) {
  for (SpoolChange& change : set.changes) {
    StoreChange stored{change.kind, &change.job, {}};
    for (DocumentWriter& writer : change.seal) {
      if (auto free = check_name_free(writer); !free) return fail(set, free.error());
      if (!writer.is_inline()) {  // synced by sync_sealed(), with the directory
        if (auto sealed = writer.seal(); !sealed) return fail(set, sealed.error());
        set.sealed.push_back(writer.final_path());
      }
      stored.new_documents.push_back(describe_sealed(change.job, writer));
    }
    set.store_changes.push_back(std::move(stored));
  }
}

// Only the committer thread names files, so checking first is not racy; a committed
// document (a file, or an inline one whose file is still owed) is never replaced, even
// if this commit then failed.
std::expected<void, std::string> Committer::check_name_free(const DocumentWriter& writer) const {
  auto name = writer.final_path().filename().string();
  struct stat existing;
  if (::lstat(writer.final_path().c_str(), &existing) == 0 || inline_files_.owes(name))
    return std::unexpected(document_context(writer.job_id(), writer.number()) + ": " + name + " already exists");
  return {};
}

// After the commit: the bytes wait in memory for the job to start, or, past the
// budget, the file is written now. A file that cannot be written now is not an error
// of the commit (the row is durable): InlineFiles::place() writes it from the row later.
void Committer::hand_over_inline_documents(ChangeSet& set) {
  for (SpoolChange& change : set.changes) {
    for (DocumentWriter& writer : change.seal) {
      if (!writer.is_inline()) continue;
      auto name = writer.final_path().filename().string();
      if (inline_files_.keep(name, writer.contents_)) continue;
      if (int error_number = write_unsynced_file(writer.final_path(), writer.contents_, true); error_number != 0)
        log::error().warn("[Spool] {}: {} (written when its job starts)", name, errno_message("write", error_number));
    }
  }
}

namespace {

// fdatasync of a sealed document, by its final name. errno or 0.
int sync_file_data(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int error_number = ::fdatasync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return error_number;
}

}  // namespace

// Every spilled document and the directory at once: concurrent syncs share the file
// system's flushes, where one after another each pays for its own. Inline documents
// need neither: their bytes are in the transaction.
void Committer::sync_sealed(Batch& batch) {
  struct Sealed {
    ChangeSet* set;
    const std::filesystem::path* path;
    int error_number = 0;
  };
  std::vector<Sealed> sealed;
  for (ChangeSet& set : batch)
    for (const auto& path : set.sealed) sealed.push_back({&set, &path});
  if (sealed.empty()) return;
  std::vector<std::thread> threads;
  threads.reserve(sealed.size());
  for (Sealed& document : sealed)
    threads.emplace_back([&document] { document.error_number = sync_file_data(*document.path); });
  auto directory = sync_directory(directory_);
  for (auto& thread : threads) thread.join();
  for (const Sealed& document : sealed) {
    if (document.error_number != 0 && document.set->result)
      fail(*document.set, document.path->filename().string() + ": " + errno_message("fdatasync", document.error_number));
  }
  if (!directory) {
    log::error().error("[Spool] Commit of {} change sets failed: {}", batch.size(), directory.error());
    for (ChangeSet& set : batch) {
      if (set.result) fail(set, directory.error());
    }
  }
}

void Committer::apply_to_store(Batch& batch) {
  std::vector<StoreChange> changes;
  for (ChangeSet& set : batch) {
    if (!set.result) continue;
    for (StoreChange& change : set.store_changes) changes.push_back(std::move(change));
  }
  if (changes.empty()) return;
  auto applied = store_.apply(changes);
  if (!applied) {
    log::error().error("[Spool] Transaction of {} change sets failed: {}", batch.size(), applied.error());
    for (ChangeSet& set : batch) {
      if (set.result) fail(set, applied.error());
    }
    return;
  }
  transactions_.fetch_add(1, std::memory_order_relaxed);
  for (ChangeSet& set : batch) {
    if (set.result) hand_over_inline_documents(set);
  }
  remove_files(*applied);
}

void Committer::fail(ChangeSet& set, const std::string& error) {
  set.result = std::unexpected(error);
  for (const std::filesystem::path& path : set.sealed) ::unlink(path.c_str());
  set.sealed.clear();
  set.store_changes.clear();
}

// Files of deleted rows. A crash before this leaves orphans that recovery removes.
void Committer::remove_files(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    inline_files_.forget(name);
    auto path = directory_ / name;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      log::error().warn("[Spool] Cannot remove {}: {}", name, errno_message("unlink", errno));
    }
  }
}

void Committer::report(ChangeSet& set) {
  // Unsealed writers of a failed change set remove their temporary files here, so
  // nothing of it is left by the time its handler runs.
  set.store_changes.clear();
  set.changes.clear();
  try {
    if (set.done) set.done(std::move(set.result));
  } catch (const std::exception& error) {
    log::error().error("[Spool] A commit handler threw: {}", error.what());
  } catch (...) {
    log::error().error("[Spool] A commit handler threw");
  }
}

}  // namespace quire
