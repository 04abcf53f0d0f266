// firstfix.db's schema, as migrations (sqlite_schema.h applies them): flow
// sessions with their replies, action journal, audit log and uploads; chat
// conversations, messages and photos; staff and their sessions; the outbox.
#pragma once

#include <string>
#include <vector>

namespace firstfix::server {

const std::vector<std::string>& store_migrations();

}  // namespace firstfix::server
