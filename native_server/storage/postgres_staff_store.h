// Staff accounts and their login sessions in PostgreSQL, for several
// servers sharing state: a session made on one server is valid on every
// other (store.h's StaffStore; the SQLite one is sqlite_store.cc's).
#pragma once

#include <memory>
#include <string>

#include "native_server/storage/store.h"

namespace firstfix::server {

// `conninfo`: a postgresql:// URL (or key=value words). Creates or migrates
// the tables it needs; throws PgError naming what went wrong.
std::unique_ptr<StaffStore> open_postgres_staff_store(const std::string& conninfo);

}  // namespace firstfix::server
