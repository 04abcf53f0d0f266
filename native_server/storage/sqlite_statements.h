// Prepared statements kept by their SQL text and reused: ingestion runs the
// same few statements for every event and visit.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <map>
#include <memory>
#include <string>

namespace firstfix::server {

class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& db) : db_(db) {}
  // The statement for `sql`, reset and with no bindings.
  SQLite::Statement& operator()(const std::string& sql) {
    auto& statement = cache_[sql];
    if (!statement) statement = std::make_unique<SQLite::Statement>(db_, sql);
    statement->reset();
    statement->clearBindings();
    return *statement;
  }

 private:
  SQLite::Database& db_;
  std::map<std::string, std::unique_ptr<SQLite::Statement>> cache_;
};

}  // namespace firstfix::server
