// SqliteStatement: prepared statements of the SQLite job store.
#include "spool/sqlite_statement.hpp"

#include <utility>

namespace quire {

std::expected<SqliteStatement, std::string> SqliteStatement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int result = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                  nullptr);
  if (result != SQLITE_OK) return std::unexpected(std::string(sqlite3_errmsg(db)));
  return SqliteStatement(stmt);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), bind_error_(other.bind_error_) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::note_bind(int result) {
  if (result != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = result;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  note_bind(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

SqliteStatement& SqliteStatement::bind_blob(int index, std::span<const std::byte> bytes) {
  // A null pointer would bind NULL, not an empty blob.
  if (bytes.empty()) {
    note_bind(sqlite3_bind_zeroblob(stmt_, index, 0));
  } else {
    note_bind(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
  }
  return *this;
}

std::expected<bool, std::string> SqliteStatement::step() {
  if (bind_error_ != SQLITE_OK) return std::unexpected(std::string("bind: ") + sqlite3_errstr(bind_error_));
  int result = sqlite3_step(stmt_);
  if (result == SQLITE_ROW) return true;
  if (result == SQLITE_DONE) return false;
  return std::unexpected(std::string(sqlite3_errmsg(sqlite3_db_handle(stmt_))));
}

std::expected<void, std::string> SqliteStatement::run() {
  auto stepped = step();
  while (stepped && *stepped) stepped = step();
  reset();
  if (!stepped) return std::unexpected(stepped.error());
  return {};
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
}

std::int64_t SqliteStatement::column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string SqliteStatement::column_text(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index))) : std::string();
}

std::vector<std::byte> SqliteStatement::column_blob(int index) const {
  const auto* data = static_cast<const std::byte*>(sqlite3_column_blob(stmt_, index));
  if (!data) return {};
  return std::vector<std::byte>(data, data + sqlite3_column_bytes(stmt_, index));
}

std::span<const std::byte> SqliteStatement::column_blob_view(int index) const {
  const auto* data = static_cast<const std::byte*>(sqlite3_column_blob(stmt_, index));
  if (!data) return {};
  return {data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index))};
}

}  // namespace quire
