// Spool: the durable store of jobs and their documents. A job is acknowledged only
// after commit() reports it durable; recovery after any crash finds exactly the
// committed jobs. The SQL stays portable (a shared PostgreSQL store may come later):
// no store detail leaks out of src/spool/.
//
// Two kinds of document, one contract. A document of at most kInlineDocumentLimit
// bytes is held in memory while it arrives and committed inside the job store's
// transaction (its bytes in a row), so a batch of small jobs is durable after one WAL
// sync: no file is created, synced or renamed before the ack. A larger document spills
// to a temporary file and is synced and renamed into place as its job commits. Either
// way DocumentRecord::path names the document's file once place_document_files() has
// run for the job - the scheduler calls it as it starts the job - and after every
// open(): an inline document's file is written then (never synced) from the bytes the
// commit kept in memory or from its row, so readers at print time never know which
// kind they read. The file of an inline document is never the durable copy; the row is.
#pragma once

#include <cstddef>
#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace quire {

// Documents up to this many bytes are kept in memory while they arrive and stored in
// the job store's row; larger ones go to a spool file. It bounds the memory of one
// upload. 64 KiB holds the common small jobs (text, LPD jobs, one-page PostScript);
// measured, inline is about twice as fast as a file at 16 KiB and no slower at 64 KiB,
// where a batch's WAL write grows large (docs/benchmarks.md, "Inline documents").
inline constexpr std::size_t kInlineDocumentLimit = 64 * 1024;

// One document of a job, as stored.
struct DocumentRecord {
  int number = 1;                 // 1-based within the job
  std::string format;             // MIME type, e.g. "application/pdf"
  std::string name;               // document-name, may be empty
  std::uint64_t size = 0;         // bytes
  std::filesystem::path path;     // its spool file (absolute); see place_document_files()
};

// Everything the store keeps of a job. `attributes` is the job's IPP attribute group
// (job-template and description attributes the client supplied), IPP-encoded, so the
// store does not need to know attribute names.
struct JobRecord {
  std::int32_t id = 0;
  std::string printer;            // destination name (printer or class)
  int state = 3;                  // ipp_jstate_t: 3 pending .. 9 completed
  std::string state_reasons;      // comma-separated keywords
  std::string state_message;
  std::string user;               // job-originating-user-name
  std::string name;               // job-name
  std::string origin_host;        // job-originating-host-name
  int priority = 50;
  std::string hold_until;         // job-hold-until keyword or "" for no-hold
  std::int64_t created = 0;       // unix seconds
  std::int64_t processing = 0;    // 0 = not yet
  std::int64_t completed = 0;     // 0 = not yet
  int impressions_completed = 0;
  int sheets_completed = 0;
  bool documents_complete = true;  // false for a Create-Job still waiting for its last document
  std::vector<std::byte> attributes;
  std::vector<DocumentRecord> documents;
};

// A document being received. write() keeps the bytes in memory up to the spool's
// inline limit (kInlineDocumentLimit); the write that would pass it spills everything
// to a temporary file in the spool, and later writes append there. Nothing is durable
// until the job that owns it is committed with it. Destroying an uncommitted writer
// frees its memory or removes its temporary file. Not thread-safe; one owner.
class DocumentWriter {
 public:
  DocumentWriter(DocumentWriter&&) noexcept;
  DocumentWriter& operator=(DocumentWriter&&) noexcept;
  ~DocumentWriter();

  // Fails, naming job and document, if spilling or writing the file fails; the writer
  // is broken then and its job cannot commit it.
  std::expected<void, std::string> write(std::span<const std::byte> bytes);
  std::uint64_t size() const { return size_; }
  int job_id() const { return job_id_; }
  int number() const { return number_; }
  // True while the document is in memory: it will be stored in the job's row.
  bool is_inline() const { return state_ == State::kInMemory; }
  // An inline document's bytes so far (empty once spilled).
  std::span<const std::byte> contents() const { return contents_; }
  // The path the document's file will have once committed.
  const std::filesystem::path& final_path() const { return final_path_; }

 private:
  friend class Spool;
  friend class Committer;  // seals writers when their job commits (src/spool/committer.cpp)
  enum class State { kInMemory, kSpilled, kBroken, kSealed };
  DocumentWriter(std::filesystem::path temp, std::filesystem::path final, int job_id, int number,
                 std::size_t inline_limit);
  std::expected<void, std::string> spill();
  void close_fd();
  void discard();
  // A spilled document: close, and rename the temporary file to final_path(). The
  // committer has checked that the name is free, and syncs the file's data and the
  // directory after it (Committer::sync_sealed). On failure the writer stays unsealed,
  // so its destructor still removes the temporary file.
  std::expected<void, std::string> seal();
  State state_ = State::kInMemory;
  int fd_ = -1;
  std::vector<std::byte> contents_;  // kInMemory: the document so far (the committer takes it)
  std::size_t inline_limit_ = kInlineDocumentLimit;
  std::filesystem::path temp_path_;   // kSpilled: the file; removed unless sealed
  std::filesystem::path final_path_;
  std::uint64_t size_ = 0;
  int job_id_ = 0;
  int number_ = 0;
};

// One change to make durable: a job written whole (insert or replace), optionally
// with documents to seal (stored in its row, or synced and renamed into place), or a
// job removed with its documents.
//  - kPutJob writes every scalar field and the attributes. Documents already committed
//    are never changed or dropped by it (so a state update need not carry them); each
//    writer in `seal` adds one, taking format and name from the entry of
//    `job.documents` with the same number (size and path come from the writer).
//  - kRemoveJob deletes the job and its documents (rows, stored bytes); the files go
//    after the commit.
//  - kRemoveDocuments deletes the job's documents (rows, stored bytes, files) but keeps the job
//    (PreserveJobFiles=No).
struct SpoolChange {
  enum class Kind { kPutJob, kRemoveJob, kRemoveDocuments };
  Kind kind = Kind::kPutJob;
  JobRecord job;                          // kPutJob: the whole record; others: job.id only
  std::vector<DocumentWriter> seal;       // kPutJob: documents received for this change
};

using CommitHandler = std::move_only_function<void(std::expected<void, std::string> result)>;

// Owns the spool directory (jobs.db and d<job>-<doc> files). Thread-safe: every
// method may be called from any thread. commit() batches concurrent changes into one
// transaction (group commit), on a committer thread of its own: a batch of inline
// documents costs one WAL sync; spilled documents add one parallel round of file and
// directory syncs before it.
// One process at a time: open() takes an exclusive lock on DIR/spool.lock, because
// recovery deletes files a second live spool would still be committing.
class Spool {
 public:
  struct Options {
    std::filesystem::path directory;  // created if missing
    // Longest a commit waits for companions before it is flushed (0: flush at once;
    // companions that arrive while a flush runs still share the next one).
    std::chrono::microseconds max_batch_delay{0};
    // Documents up to this size are stored inline (0: every document goes to a file).
    std::size_t inline_limit = kInlineDocumentLimit;
  };

  // Opens (creating if needed) the store and recovers: removes temporary files of
  // uploads that never committed and document files no committed job owns, and
  // rewrites the file of every inline document that is missing or differs from its row.
  static std::expected<std::unique_ptr<Spool>, std::string> open(const Options& options);
  ~Spool();  // drains pending commits, then closes

  // Every committed job, in id order.
  std::expected<std::vector<JobRecord>, std::string> load_jobs();

  // A new job id, greater than every id ever handed out by this store, also across
  // restarts and crashes once any commit that carries it is durable.
  std::int32_t reserve_job_id();

  std::expected<DocumentWriter, std::string> create_document(int job_id, int number);

  // Makes `changes` durable, then calls `done` on the committer thread. On failure
  // nothing of `changes` is durable and their files are removed. `changes` is
  // all or nothing; other commits batched with it fail only if the shared sync or
  // transaction fails. `done` must not block on the spool (it runs on its thread).
  void commit(std::vector<SpoolChange> changes, CommitHandler done);

  // Makes sure the file of each of `job`'s documents exists at its path: writes an
  // inline document's file (unsynced) from the bytes its commit kept, or from its row.
  // Call it before reading the files (Scheduler::start_job does); cheap when they
  // exist. Fails, naming the file, if one cannot be written or a spilled document's
  // file is gone; the job stays committed either way.
  std::expected<void, std::string> place_document_files(const JobRecord& job);

  // Blocking convenience for start-up and tests. Never call it from a `done` handler.
  std::expected<void, std::string> commit_and_wait(std::vector<SpoolChange> changes);

  // Statistics for benchmarks and tests.
  std::uint64_t transactions_committed() const;

 private:
  struct Impl;
  explicit Spool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quire
