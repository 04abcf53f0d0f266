#include <filesystem>
#include <stdexcept>

#include "native_server/storage/event_store.h"
#include "native_server/storage/pg_connection.h"
#include "native_server/storage/store.h"

namespace firstfix::server {

bool is_sqlite_database(const std::string& database) { return database.empty() || database == "sqlite:"; }

std::unique_ptr<Store> open_store(const std::string& database, const std::string& data_dir, std::size_t connections) {
  if (is_sqlite_database(database)) {
    std::filesystem::create_directories(data_dir);
    return open_sqlite_store((std::filesystem::path(data_dir) / "firstfix.db").string());
  }
  if (is_postgres_url(database)) return open_postgres_store(database, connections);
  throw std::invalid_argument("--database '" + database + "': expected sqlite: (the default) or a postgresql:// URL");
}

std::unique_ptr<EventStore> open_event_store(const std::string& database, const std::string& data_dir, std::size_t connections) {
  if (is_sqlite_database(database)) {
    std::filesystem::create_directories(data_dir);
    return open_sqlite_event_store((std::filesystem::path(data_dir) / "events.db").string());
  }
  if (is_postgres_url(database)) return open_postgres_event_store(database, connections);
  throw std::invalid_argument("--database '" + database + "': expected sqlite: (the default) or a postgresql:// URL");
}

}  // namespace firstfix::server
