// SqliteJobStore: jobs, their documents and the job-id high-water mark in DIR/jobs.db.
// The SQL is portable (SQLite 3.24+ and PostgreSQL both take it, bar BLOB → BYTEA);
// everything SQLite-specific is in configure_connection().
#include "spool/job_store.hpp"

#include "spool/sqlite_statement.hpp"

#include <algorithm>
#include <charconv>
#include <mutex>

namespace quire {
namespace {

// Version 2 added document_contents (inline documents); a version 1 store is upgraded
// in place, since that only adds an empty table.
constexpr std::string_view kSchemaVersion = "2";
constexpr std::string_view kHighWaterKey = "job_id_high_water";

// `user_name`, not `user`: USER is reserved in PostgreSQL.
constexpr std::string_view kSchema[] = {
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS jobs ("
    " id INTEGER PRIMARY KEY, printer TEXT NOT NULL, state INTEGER NOT NULL,"
    " state_reasons TEXT NOT NULL, state_message TEXT NOT NULL, user_name TEXT NOT NULL,"
    " name TEXT NOT NULL, origin_host TEXT NOT NULL, priority INTEGER NOT NULL,"
    " hold_until TEXT NOT NULL, created BIGINT NOT NULL, processing BIGINT NOT NULL,"
    " completed BIGINT NOT NULL, impressions_completed INTEGER NOT NULL,"
    " sheets_completed INTEGER NOT NULL, documents_complete INTEGER NOT NULL,"
    " attributes BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS documents ("
    " job_id INTEGER NOT NULL REFERENCES jobs (id), number INTEGER NOT NULL,"
    " format TEXT NOT NULL, name TEXT NOT NULL, size BIGINT NOT NULL, path TEXT NOT NULL,"
    " PRIMARY KEY (job_id, number))",
    // The bytes of inline documents, apart from `documents` so that listing jobs never
    // reads them. A document with no row here has its file as the durable copy.
    "CREATE TABLE IF NOT EXISTS document_contents ("
    " job_id INTEGER NOT NULL, number INTEGER NOT NULL, content BLOB NOT NULL,"
    " PRIMARY KEY (job_id, number),"
    " FOREIGN KEY (job_id, number) REFERENCES documents (job_id, number))",
    "INSERT INTO meta (key, value) VALUES ('schema_version', '2') ON CONFLICT (key) DO NOTHING",
    "UPDATE meta SET value = '2' WHERE key = 'schema_version' AND value = '1'",
    "INSERT INTO meta (key, value) VALUES ('job_id_high_water', '0') ON CONFLICT (key) DO NOTHING",
};

constexpr std::string_view kJobColumns =
    "id, printer, state, state_reasons, state_message, user_name, name, origin_host, priority,"
    " hold_until, created, processing, completed, impressions_completed, sheets_completed,"
    " documents_complete, attributes";

const std::string kPutJobSql = std::string("INSERT INTO jobs (") + std::string(kJobColumns) +
    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
    " printer = excluded.printer, state = excluded.state, state_reasons = excluded.state_reasons,"
    " state_message = excluded.state_message, user_name = excluded.user_name, name = excluded.name,"
    " origin_host = excluded.origin_host, priority = excluded.priority, hold_until = excluded.hold_until,"
    " created = excluded.created, processing = excluded.processing, completed = excluded.completed,"
    " impressions_completed = excluded.impressions_completed, sheets_completed = excluded.sheets_completed,"
    " documents_complete = excluded.documents_complete, attributes = excluded.attributes";
const std::string kSelectJobsSql = std::string("SELECT ") + std::string(kJobColumns) + " FROM jobs ORDER BY id";
constexpr std::string_view kPutDocumentSql =
    "INSERT INTO documents (job_id, number, format, name, size, path) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (job_id, number) DO UPDATE SET format = excluded.format, name = excluded.name,"
    " size = excluded.size, path = excluded.path";
constexpr std::string_view kSelectDocumentsSql =
    "SELECT job_id, number, format, name, size, path FROM documents ORDER BY job_id, number";
constexpr std::string_view kPutContentSql =
    "INSERT INTO document_contents (job_id, number, content) VALUES (?, ?, ?)"
    " ON CONFLICT (job_id, number) DO UPDATE SET content = excluded.content";
constexpr std::string_view kDeleteContentSql = "DELETE FROM document_contents WHERE job_id = ? AND number = ?";
constexpr std::string_view kDeleteJobContentsSql = "DELETE FROM document_contents WHERE job_id = ?";
constexpr std::string_view kSelectInlineDocumentsSql =
    "SELECT d.path, c.content FROM document_contents c"
    " JOIN documents d ON d.job_id = c.job_id AND d.number = c.number ORDER BY c.job_id, c.number";
constexpr std::string_view kSelectInlineDocumentSql =
    "SELECT c.content FROM document_contents c"
    " JOIN documents d ON d.job_id = c.job_id AND d.number = c.number WHERE d.path = ?";
constexpr std::string_view kSelectJobDocumentPathsSql = "SELECT path FROM documents WHERE job_id = ?";
constexpr std::string_view kSelectAllDocumentPathsSql = "SELECT path FROM documents";
constexpr std::string_view kDeleteDocumentsSql = "DELETE FROM documents WHERE job_id = ?";
constexpr std::string_view kDeleteJobSql = "DELETE FROM jobs WHERE id = ?";
constexpr std::string_view kGetMetaSql = "SELECT value FROM meta WHERE key = ?";
constexpr std::string_view kPutMetaSql =
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
constexpr std::string_view kMaxJobIdSql = "SELECT MAX(id) FROM jobs";

struct CloseConnection {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, CloseConnection>;

using Status = std::expected<void, std::string>;

Status execute(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return std::unexpected(sqlite3_errmsg(db));
  return {};
}

// The first column of the first row, or "" when there is no row.
std::expected<std::string, std::string> query_text(sqlite3* db, std::string_view sql) {
  auto statement = SqliteStatement::prepare(db, sql);
  if (!statement) return std::unexpected(statement.error());
  auto row = statement->step();
  if (!row) return std::unexpected(row.error());
  return *row ? statement->column_text(0) : std::string();
}

void bind_job(SqliteStatement& statement, const JobRecord& job) {
  statement.bind(1, job.id).bind(2, job.printer).bind(3, job.state).bind(4, job.state_reasons);
  statement.bind(5, job.state_message).bind(6, job.user).bind(7, job.name).bind(8, job.origin_host);
  statement.bind(9, job.priority).bind(10, job.hold_until).bind(11, job.created).bind(12, job.processing);
  statement.bind(13, job.completed).bind(14, job.impressions_completed).bind(15, job.sheets_completed);
  statement.bind(16, job.documents_complete ? 1 : 0).bind_blob(17, job.attributes);
}

JobRecord read_job(const SqliteStatement& row) {
  JobRecord job;
  job.id = static_cast<std::int32_t>(row.column_int64(0));
  job.printer = row.column_text(1);
  job.state = static_cast<int>(row.column_int64(2));
  job.state_reasons = row.column_text(3);
  job.state_message = row.column_text(4);
  job.user = row.column_text(5);
  job.name = row.column_text(6);
  job.origin_host = row.column_text(7);
  job.priority = static_cast<int>(row.column_int64(8));
  job.hold_until = row.column_text(9);
  job.created = row.column_int64(10);
  job.processing = row.column_int64(11);
  job.completed = row.column_int64(12);
  job.impressions_completed = static_cast<int>(row.column_int64(13));
  job.sheets_completed = static_cast<int>(row.column_int64(14));
  job.documents_complete = row.column_int64(15) != 0;
  job.attributes = row.column_blob(16);
  return job;
}

DocumentRecord read_document(const SqliteStatement& row) {
  DocumentRecord document;
  document.number = static_cast<int>(row.column_int64(1));
  document.format = row.column_text(2);
  document.name = row.column_text(3);
  document.size = static_cast<std::uint64_t>(row.column_int64(4));
  document.path = row.column_text(5);
  return document;
}

class SqliteJobStore final : public JobStore {
 public:
  SqliteJobStore(Connection db, std::filesystem::path path) : db_(std::move(db)), path_(std::move(path)) {}

  Status initialize();
  std::expected<std::vector<std::string>, std::string> apply(std::span<const StoreChange> changes) override;
  std::expected<std::vector<JobRecord>, std::string> load_jobs() override;
  std::expected<std::int32_t, std::string> load_highest_job_id() override;
  std::expected<std::vector<std::string>, std::string> load_document_names() override;
  Status visit_inline_documents(const InlineDocumentVisitor& visit) override;
  std::expected<std::optional<std::vector<std::byte>>, std::string> load_inline_document(
      const std::string& name) override;

 private:
  Status configure_connection();
  Status check_integrity();
  Status create_schema();
  Status prepare_statements();
  Status apply_change(const StoreChange& change, std::vector<std::string>& removed);
  Status put_job(const StoreChange& change);
  Status put_document(std::int32_t job_id, const NewDocument& document);
  Status remove_documents(std::int32_t job_id, std::vector<std::string>& removed);
  std::expected<std::int64_t, std::string> read_high_water();
  void roll_back();
  std::string with_path(const std::string& error) const { return path_.string() + ": " + error; }

  Connection db_;  // first: closed after every statement below is finalized
  std::filesystem::path path_;
  std::mutex mutex_;
  std::int64_t high_water_ = 0;  // as committed in meta
  SqliteStatement put_job_, put_document_, put_content_, delete_content_, delete_job_contents_;
  SqliteStatement select_job_document_paths_, delete_documents_, delete_job_, put_meta_;
};

// Why these settings (the only SQLite-specific statements of the store):
//  - journal_mode=WAL: a commit appends its pages to jobs.db-wal and syncs that one
//    file; readers never block the committer.
//  - synchronous=FULL: in WAL mode FULL fsyncs the WAL at every COMMIT, so a commit that
//    returned has survived not only a process crash but a power cut or kernel panic.
//    NORMAL syncs only at checkpoints: kill -9 keeps its commits but a power cut may
//    lose the last ones, after clients were told successful-ok. Group commit makes FULL
//    cost one fsync per batch rather than per job.
//  - foreign_keys=ON: a document row can never name a job that is not there.
//  - busy_timeout: only this process writes (spool.lock); it covers outside readers
//    such as the sqlite3 shell holding a read lock during a checkpoint.
Status SqliteJobStore::configure_connection() {
  sqlite3* db = db_.get();
  if (sqlite3_db_readonly(db, "main") == 1) return std::unexpected("not writable (opened read-only)");
  auto mode = query_text(db, "PRAGMA journal_mode=WAL");
  if (!mode) return std::unexpected(mode.error());
  if (*mode != "wal") return std::unexpected("cannot switch to WAL (journal_mode is " + *mode + ")");
  if (auto set = execute(db, "PRAGMA synchronous=FULL"); !set) return set;
  if (auto set = execute(db, "PRAGMA foreign_keys=ON"); !set) return set;
  sqlite3_busy_timeout(db, 5000);
  return check_integrity();
}

Status SqliteJobStore::check_integrity() {
  auto verdict = query_text(db_.get(), "PRAGMA quick_check(1)");
  if (!verdict) return std::unexpected(verdict.error());
  if (*verdict != "ok") return std::unexpected("database disk image is malformed (quick_check: " + *verdict + ")");
  return {};
}

Status SqliteJobStore::create_schema() {
  sqlite3* db = db_.get();
  if (auto begun = execute(db, "BEGIN"); !begun) return begun;
  for (std::string_view statement : kSchema) {
    if (auto done = execute(db, std::string(statement).c_str()); !done) {
      roll_back();
      return done;
    }
  }
  if (auto committed = execute(db, "COMMIT"); !committed) {
    roll_back();
    return committed;
  }
  auto version = query_text(db, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!version) return std::unexpected(version.error());
  if (*version != kSchemaVersion) {
    return std::unexpected("schema version " + *version + " is not the one this Quire knows (" +
                           std::string(kSchemaVersion) + ")");
  }
  return {};
}

Status SqliteJobStore::prepare_statements() {
  std::pair<SqliteStatement*, std::string_view> wanted[] = {
      {&put_job_, kPutJobSql},
      {&put_document_, kPutDocumentSql},
      {&put_content_, kPutContentSql},
      {&delete_content_, kDeleteContentSql},
      {&delete_job_contents_, kDeleteJobContentsSql},
      {&select_job_document_paths_, kSelectJobDocumentPathsSql},
      {&delete_documents_, kDeleteDocumentsSql},
      {&delete_job_, kDeleteJobSql},
      {&put_meta_, kPutMetaSql},
  };
  for (auto& [statement, sql] : wanted) {
    auto prepared = SqliteStatement::prepare(db_.get(), sql);
    if (!prepared) return std::unexpected(prepared.error());
    *statement = std::move(*prepared);
  }
  return {};
}

Status SqliteJobStore::initialize() {
  Status ready = configure_connection();
  if (ready) ready = create_schema();
  if (ready) ready = prepare_statements();
  if (ready) {
    auto high_water = read_high_water();
    if (high_water) high_water_ = *high_water;
    else ready = std::unexpected(high_water.error());
  }
  if (!ready) return std::unexpected(with_path(ready.error()));
  return {};
}

std::expected<std::int64_t, std::string> SqliteJobStore::read_high_water() {
  auto statement = SqliteStatement::prepare(db_.get(), kGetMetaSql);
  if (!statement) return std::unexpected(statement.error());
  statement->bind(1, kHighWaterKey);
  auto row = statement->step();
  if (!row) return std::unexpected(row.error());
  std::string text = *row ? statement->column_text(0) : "0";
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::unexpected("meta " + std::string(kHighWaterKey) + " is not a number: '" + text + "'");
  }
  return value;
}

void SqliteJobStore::roll_back() {
  // Some errors (disk full, I/O) have already rolled the transaction back.
  if (!sqlite3_get_autocommit(db_.get())) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Status SqliteJobStore::put_job(const StoreChange& change) {
  bind_job(put_job_, *change.job);
  if (auto done = put_job_.run(); !done) return done;
  for (const NewDocument& document : change.new_documents) {
    if (auto done = put_document(change.job->id, document); !done) return done;
  }
  return {};
}

// The document's row, and its bytes when inline. A document that goes to a file drops
// any bytes stored for its number, so recovery never writes stale ones over its file.
Status SqliteJobStore::put_document(std::int32_t job_id, const NewDocument& document) {
  const DocumentRecord& record = document.record;
  put_document_.bind(1, job_id).bind(2, record.number).bind(3, record.format);
  put_document_.bind(4, record.name).bind(5, static_cast<std::int64_t>(record.size));
  put_document_.bind(6, record.path.string());
  if (auto done = put_document_.run(); !done) return done;
  if (document.is_inline) return put_content_.bind(1, job_id).bind(2, record.number).bind_blob(3, document.contents).run();
  return delete_content_.bind(1, job_id).bind(2, record.number).run();
}

Status SqliteJobStore::remove_documents(std::int32_t job_id, std::vector<std::string>& removed) {
  select_job_document_paths_.bind(1, job_id);
  auto row = select_job_document_paths_.step();
  for (; row && *row; row = select_job_document_paths_.step()) removed.push_back(select_job_document_paths_.column_text(0));
  select_job_document_paths_.reset();
  if (!row) return std::unexpected(row.error());
  if (auto done = delete_job_contents_.bind(1, job_id).run(); !done) return done;
  delete_documents_.bind(1, job_id);
  return delete_documents_.run();
}

Status SqliteJobStore::apply_change(const StoreChange& change, std::vector<std::string>& removed) {
  Status done;
  switch (change.kind) {
    case SpoolChange::Kind::kPutJob:
      done = put_job(change);
      break;
    case SpoolChange::Kind::kRemoveJob:
      done = remove_documents(change.job->id, removed);
      if (done) done = delete_job_.bind(1, change.job->id).run();
      break;
    case SpoolChange::Kind::kRemoveDocuments:
      done = remove_documents(change.job->id, removed);
      break;
  }
  if (!done) return std::unexpected("job " + std::to_string(change.job->id) + ": " + done.error());
  return {};
}

std::expected<std::vector<std::string>, std::string> SqliteJobStore::apply(std::span<const StoreChange> changes) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> removed;
  std::int64_t highest = high_water_;
  Status applied = execute(db_.get(), "BEGIN");
  for (auto change = changes.begin(); applied && change != changes.end(); ++change) {
    applied = apply_change(*change, removed);
    highest = std::max<std::int64_t>(highest, change->job->id);
  }
  if (applied && highest > high_water_) {
    applied = put_meta_.bind(1, kHighWaterKey).bind(2, std::to_string(highest)).run();
  }
  if (applied) applied = execute(db_.get(), "COMMIT");
  if (!applied) {
    roll_back();
    return std::unexpected(with_path(applied.error()));
  }
  high_water_ = highest;
  return removed;
}

std::expected<std::vector<JobRecord>, std::string> SqliteJobStore::load_jobs() {
  std::lock_guard lock(mutex_);
  std::vector<JobRecord> jobs;
  auto select_jobs = SqliteStatement::prepare(db_.get(), kSelectJobsSql);
  if (!select_jobs) return std::unexpected(with_path(select_jobs.error()));
  auto row = select_jobs->step();
  for (; row && *row; row = select_jobs->step()) jobs.push_back(read_job(*select_jobs));
  if (!row) return std::unexpected(with_path(row.error()));

  auto select_documents = SqliteStatement::prepare(db_.get(), kSelectDocumentsSql);
  if (!select_documents) return std::unexpected(with_path(select_documents.error()));
  row = select_documents->step();
  for (; row && *row; row = select_documents->step()) {
    auto job_id = static_cast<std::int32_t>(select_documents->column_int64(0));
    auto job = std::lower_bound(jobs.begin(), jobs.end(), job_id,
                                [](const JobRecord& j, std::int32_t id) { return j.id < id; });
    if (job != jobs.end() && job->id == job_id) job->documents.push_back(read_document(*select_documents));
  }
  if (!row) return std::unexpected(with_path(row.error()));
  return jobs;
}

std::expected<std::int32_t, std::string> SqliteJobStore::load_highest_job_id() {
  std::lock_guard lock(mutex_);
  auto high_water = read_high_water();
  if (!high_water) return std::unexpected(with_path(high_water.error()));
  auto max_id = query_text(db_.get(), kMaxJobIdSql);
  if (!max_id) return std::unexpected(with_path(max_id.error()));
  std::int64_t largest = 0;
  std::from_chars(max_id->data(), max_id->data() + max_id->size(), largest);  // "" when there are no jobs
  return static_cast<std::int32_t>(std::max(*high_water, largest));
}

std::expected<std::vector<std::string>, std::string> SqliteJobStore::load_document_names() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  auto select = SqliteStatement::prepare(db_.get(), kSelectAllDocumentPathsSql);
  if (!select) return std::unexpected(with_path(select.error()));
  auto row = select->step();
  for (; row && *row; row = select->step()) names.push_back(select->column_text(0));
  if (!row) return std::unexpected(with_path(row.error()));
  return names;
}

Status SqliteJobStore::visit_inline_documents(const InlineDocumentVisitor& visit) {
  std::lock_guard lock(mutex_);
  auto select = SqliteStatement::prepare(db_.get(), kSelectInlineDocumentsSql);
  if (!select) return std::unexpected(with_path(select.error()));
  auto row = select->step();
  for (; row && *row; row = select->step()) visit(select->column_text(0), select->column_blob_view(1));
  if (!row) return std::unexpected(with_path(row.error()));
  return {};
}

std::expected<std::optional<std::vector<std::byte>>, std::string> SqliteJobStore::load_inline_document(
    const std::string& name) {
  std::lock_guard lock(mutex_);
  auto select = SqliteStatement::prepare(db_.get(), kSelectInlineDocumentSql);
  if (!select) return std::unexpected(with_path(select.error()));
  select->bind(1, name);
  auto row = select->step();
  if (!row) return std::unexpected(with_path(row.error()));
  if (!*row) return std::nullopt;
  return select->column_blob(0);
}

}  // namespace

std::expected<std::unique_ptr<JobStore>, std::string> open_sqlite_job_store(const std::filesystem::path& db_path) {
  sqlite3* raw = nullptr;
  int result = sqlite3_open_v2(db_path.c_str(), &raw,
                               SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection db(raw);  // closed on every path, even when the open failed
  if (result != SQLITE_OK) {
    return std::unexpected(db_path.string() + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(result)));
  }
  auto store = std::make_unique<SqliteJobStore>(std::move(db), db_path);
  if (auto ready = store->initialize(); !ready) return std::unexpected(ready.error());
  return store;
}

}  // namespace quire
