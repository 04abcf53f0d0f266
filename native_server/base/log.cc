#include "native_server/base/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <xapian.h>

#include <atomic>
#include <stdexcept>

#include "native_server/base/text.h"

namespace firstfix::server::log {
namespace {

std::atomic<Level> g_level{Level::info};

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    auto l = spdlog::stderr_logger_mt("firstfix");
    l->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
    l->set_level(spdlog::level::trace);  // filtered here, by g_level
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return *instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
    case Level::off: break;
  }
  return spdlog::level::off;
}

}  // namespace

Level parse_level(std::string_view name) {
  if (name == "debug") return Level::debug;
  if (name == "info") return Level::info;
  if (name == "warn") return Level::warn;
  if (name == "error") return Level::error;
  if (name == "off") return Level::off;
  throw std::invalid_argument("log level '" + std::string(name) + "' is not one of debug, info, warn, error, off");
}

void set_level(Level level) { g_level = level; }
bool enabled(Level level) { return level != Level::off && level >= g_level.load(); }

void write(Level level, std::string_view event, const nlohmann::json& fields) {
  if (!enabled(level)) return;
  nlohmann::json line = {{"event", event}};
  if (fields.is_object()) line.update(fields);
  std::string text = json_text(line);
  // The pattern supplies the braces: "{time, level, " + fields + "}".
  text = text.substr(1, text.size() - 2);
  logger().log(to_spdlog(level), "{}", text);
}

std::string describe_current_exception() {
  try {
    throw;
  } catch (const Xapian::Error& e) {
    return "Xapian: " + e.get_description();
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception of unknown type";
  }
}

}  // namespace firstfix::server::log

namespace firstfix::server {

void guarded(std::string_view what, const std::function<void()>& task) {
  try {
    task();
  } catch (...) {
    log::error("task_failed", {{"task", what}, {"error", log::describe_current_exception()}});
  }
}

}  // namespace firstfix::server
