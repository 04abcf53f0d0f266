// The server's one clock: wall time in milliseconds since the Unix epoch.
// Services take a `Clock` so tests can move time; this is the real one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace firstfix::server {

using Clock = std::function<std::int64_t()>;

inline std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// `clock` if it is set, else the system's.
inline Clock or_system_clock(Clock clock) { return clock ? std::move(clock) : Clock(system_now_ms); }

}  // namespace firstfix::server
