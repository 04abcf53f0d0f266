#include <functional>
#include <filesystem>
#include <stdexcept>

#include "native_server/storage/event_store.h"
#include "native_server/storage/pg_connection.h"
#include "native_server/storage/store.h"

namespace firstfix::server {
namespace {

// `database` as --database takes it: the SQLite file `file` in `data_dir`, or PostgreSQL.
template <typename Opened>
Opened open_either(const std::string& database, const std::string& data_dir, const char* file,
                   Opened (*sqlite)(const std::string&), const std::function<Opened()>& postgres) {
  if (is_sqlite_database(database)) {
    std::filesystem::create_directories(data_dir);
    return sqlite((std::filesystem::path(data_dir) / file).string());
  }
  if (is_postgres_url(database)) return postgres();
  throw std::invalid_argument("--database '" + database + "': expected sqlite: (the default) or a postgresql:// URL");
}

}  // namespace

bool is_sqlite_database(const std::string& database) { return database.empty() || database == "sqlite:"; }

std::unique_ptr<Store> open_store(const std::string& database, const std::string& data_dir, std::size_t connections) {
  return open_either<std::unique_ptr<Store>>(database, data_dir, "firstfix.db", &open_sqlite_store,
                                             [&] { return open_postgres_store(database, connections); });
}

std::unique_ptr<EventStore> open_event_store(const std::string& database, const std::string& data_dir, std::size_t connections) {
  return open_either<std::unique_ptr<EventStore>>(database, data_dir, "events.db", &open_sqlite_event_store,
                                                  [&] { return open_postgres_event_store(database, connections); });
}

}  // namespace firstfix::server
