// The reports' store in PostgreSQL, for several servers sharing one
// database (event_store.h's EventStore). Private to storage/.
#pragma once

#include <string>
#include <vector>

namespace firstfix::server {

const std::vector<std::string>& postgres_event_store_migrations();

}  // namespace firstfix::server
