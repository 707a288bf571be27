// SqliteStatement: RAII over one prepared sqlite3_stmt, with typed binds and column
// reads. Used only by the SQLite job store; one owner, no locking of its own.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

class SqliteStatement {
 public:
  // Prepares `sql` to be run many times. Errors carry SQLite's message.
  static std::expected<SqliteStatement, std::string> prepare(sqlite3* db, std::string_view sql);

  SqliteStatement() = default;
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  ~SqliteStatement();

  // Binds are 1-based, like SQLite's. Text and blobs are copied, so temporaries are safe.
  SqliteStatement& bind(int index, std::int64_t value);
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind_blob(int index, std::span<const std::byte> bytes);

  // One step: true when a row is ready, false when the statement is done.
  std::expected<bool, std::string> step();
  // Runs to completion, then resets; for statements that return no rows.
  std::expected<void, std::string> run();
  // Ready for new bindings and a new run.
  void reset();

  std::int64_t column_int64(int index) const;
  std::string column_text(int index) const;
  std::vector<std::byte> column_blob(int index) const;
  // The blob without a copy: valid until the next step(), reset() or destruction.
  std::span<const std::byte> column_blob_view(int index) const;

 private:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  void note_bind(int result);
  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = SQLITE_OK;  // first failed bind, reported by step()
};

}  // namespace quire
