// JobStore: the narrow interface between the spool and the database of jobs. SQLite
// is the embedded store (sqlite_job_store.cpp); a shared PostgreSQL store may implement
// the same interface later, which is why its SQL stays portable.
#pragma once

#include "quire/spool.hpp"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace quire {

// A document sealed by a change. Its path is a file name relative to the spool
// directory ("d00012-001"), so a spool can move and servers can share a store.
struct NewDocument {
  DocumentRecord record;
  bool is_inline = false;                // true: `contents` is the durable copy, stored in the row
  std::span<const std::byte> contents;   // is_inline: the document's bytes (borrowed)
};

// One change as the store sees it.
struct StoreChange {
  SpoolChange::Kind kind = SpoolChange::Kind::kPutJob;
  const JobRecord* job = nullptr;           // kPutJob: every field but documents; others: id
  std::vector<NewDocument> new_documents;   // kPutJob: documents sealed by this change
};

// Called with an inline document's file name and its bytes (valid during the call).
using InlineDocumentVisitor = std::function<void(const std::string& name, std::span<const std::byte> contents)>;

// Owned by Spool::Impl; called by the committer thread and by Spool::load_jobs(), so an
// implementation serializes its own calls. No method throws.
class JobStore {
 public:
  virtual ~JobStore() = default;

  // Applies all `changes` in ONE transaction and raises the job-id high-water mark to
  // the largest id among them; inline documents' bytes are part of it. Returns the
  // relative names of document files whose rows it deleted, for the caller to unlink
  // once the commit is durable. On failure nothing of `changes` was applied.
  virtual std::expected<std::vector<std::string>, std::string> apply(std::span<const StoreChange> changes) = 0;

  // Every job in id order, with its documents (relative paths).
  virtual std::expected<std::vector<JobRecord>, std::string> load_jobs() = 0;

  // The largest job id ever committed: max(high-water mark, largest id in the store).
  virtual std::expected<std::int32_t, std::string> load_highest_job_id() = 0;

  // The relative names of every committed document file, inline or not (for recovery).
  virtual std::expected<std::vector<std::string>, std::string> load_document_names() = 0;

  // Calls `visit` for every committed inline document, one at a time, so recovery can
  // rewrite their files without holding every document in memory.
  virtual std::expected<void, std::string> visit_inline_documents(const InlineDocumentVisitor& visit) = 0;

  // The bytes of the inline document whose file is `name`, or nullopt if no inline
  // document has that name.
  virtual std::expected<std::optional<std::vector<std::byte>>, std::string> load_inline_document(
      const std::string& name) = 0;
};

// Opens or creates the SQLite store at `db_path` (WAL, synchronous=FULL) and creates
// the schema if missing. Fails, naming the file, if the database is corrupt, not a
// database, of a newer schema, or not writable.
std::expected<std::unique_ptr<JobStore>, std::string> open_sqlite_job_store(const std::filesystem::path& db_path);

}  // namespace quire
