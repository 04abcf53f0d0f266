// The server's log: one JSON object per line on stderr (spdlog underneath),
// so a log shipper reads it as it is. Every line has a time, a level and an
// event name; requests add their request id, so a 500's log line and the
// answer the client got can be matched.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string_view>

namespace firstfix::server::log {

enum class Level { debug, info, warn, error, off };

// "debug", "info", "warn", "error" or "off"; throws std::invalid_argument naming the choices.
Level parse_level(std::string_view name);
void set_level(Level level);
bool enabled(Level level);

void write(Level level, std::string_view event, const nlohmann::json& fields = nlohmann::json::object());
inline void debug(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) { write(Level::debug, event, fields); }
inline void info(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) { write(Level::info, event, fields); }
inline void warn(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) { write(Level::warn, event, fields); }
inline void error(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) { write(Level::error, event, fields); }

// What an exception in flight says, whatever it is (std::exception,
// Xapian::Error, anything else): call it inside a catch block.
std::string describe_current_exception();

}  // namespace firstfix::server::log

namespace firstfix::server {

// Runs `task`; any exception is logged under `what` and swallowed. For work
// that has no request to answer (a timer, a delivery loop, a socket task):
// an exception escaping a thread pool's task would end the process.
void guarded(std::string_view what, const std::function<void()>& task);

}  // namespace firstfix::server
