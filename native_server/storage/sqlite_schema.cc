#include "native_server/storage/sqlite_schema.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <stdexcept>

namespace firstfix::server {

SQLite::Database open_sqlite(const std::string& path, const std::vector<std::string>& migrations) {
  try {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX);
    db.setBusyTimeout(5000);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int applied = db.execAndGet("PRAGMA user_version").getInt();
    if (applied > static_cast<int>(migrations.size()))
      throw std::runtime_error("schema version " + std::to_string(applied) + " is newer than this firstfix knows (" +
                               std::to_string(migrations.size()) + ")");
    for (size_t i = static_cast<size_t>(applied); i < migrations.size(); ++i) db.exec(migrations[i]);
    db.exec("PRAGMA user_version = " + std::to_string(migrations.size()));
    tx.commit();
    return db;
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace firstfix::server
