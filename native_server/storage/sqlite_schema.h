// Opening a SQLite file the way every firstfix database wants it: created
// if missing, WAL journal, foreign keys on, a busy timeout, and migrated to
// the newest schema in one transaction (PRAGMA user_version counts the
// migrations applied). A file from a newer firstfix is refused by name.
#pragma once

#include <SQLiteCpp/Database.h>

#include <string>
#include <vector>

namespace firstfix::server {

SQLite::Database open_sqlite(const std::string& path, const std::vector<std::string>& migrations);

}  // namespace firstfix::server
