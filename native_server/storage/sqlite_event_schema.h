// events.db's schema, as migrations (sqlite_schema.h applies them): the
// events as they arrived, a summary row per visit with its searches, flows
// and articles, and day totals that triggers keep as summary rows come and go.
#pragma once

#include <string>
#include <vector>

namespace firstfix::server {

const std::vector<std::string>& event_store_migrations();

}  // namespace firstfix::server
