// Live chat between servers on one PostgreSQL database: signals go out by
// NOTIFY and come in on a connection that LISTENs, on a thread of its own.
// PostgreSQL delivers them in commit order, to every listening server.
#pragma once

#include <memory>
#include <string>

#include "native_server/chat/chat_bus.h"

namespace firstfix::server {

// Throws PgError when the database cannot be reached. A lost listening
// connection is reopened, and the handler is then given a "resync" signal
// (signals may have gone by meanwhile).
std::unique_ptr<ChatBus> postgres_chat_bus(const std::string& conninfo);

}  // namespace firstfix::server
