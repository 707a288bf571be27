// JobStore: the narrow interface between the spool and the database of jobs. SQLite
// is the embedded store (sqlite_job_store.cpp); a shared PostgreSQL store may implement
// the same interface later, which is why its SQL stays portable.
#pragma once

#include "quire/spool.hpp"

#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace quire {

// One change as the store sees it. Document paths here are file names relative to the
// spool directory ("d00012-001"), so a spool can move and servers can share a store.
struct StoreChange {
  SpoolChange::Kind kind = SpoolChange::Kind::kPutJob;
  const JobRecord* job = nullptr;             // kPutJob: every field but documents; others: id
  std::vector<DocumentRecord> new_documents;  // kPutJob: documents sealed by this change
};

// Owned by Spool::Impl; called by the committer thread and by Spool::load_jobs(), so an
// implementation serializes its own calls. No method throws.
class JobStore {
 public:
  virtual ~JobStore() = default;

  // Applies all `changes` in ONE transaction and raises the job-id high-water mark to
  // the largest id among them. Returns the relative names of document files whose rows
  // it deleted, for the caller to unlink once the commit is durable. On failure nothing
  // of `changes` was applied.
  virtual std::expected<std::vector<std::string>, std::string> apply(std::span<const StoreChange> changes) = 0;

  // Every job in id order, with its documents (relative paths).
  virtual std::expected<std::vector<JobRecord>, std::string> load_jobs() = 0;

  // The largest job id ever committed: max(high-water mark, largest id in the store).
  virtual std::expected<std::int32_t, std::string> load_highest_job_id() = 0;

  // The relative names of every committed document file (for recovery).
  virtual std::expected<std::vector<std::string>, std::string> load_document_names() = 0;
};

// Opens or creates the SQLite store at `db_path` (WAL, synchronous=FULL) and creates
// the schema if missing. Fails, naming the file, if the database is corrupt, not a
// database, of a newer schema, or not writable.
std::expected<std::unique_ptr<JobStore>, std::string> open_sqlite_job_store(const std::filesystem::path& db_path);

}  // namespace quire
