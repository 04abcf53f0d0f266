// Wall-clock time in a named time zone (ICU knows the zones): the help
// center's "today" for flows, and the hour and weekday for chat hours.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace firstfix::server {

struct LocalTime {
  std::string date;  // "YYYY-MM-DD"
  int weekday = 0;   // 0 = Monday
  int minute = 0;    // minutes after local midnight
};

// `at_ms` (since the Unix epoch) in `zone` (an IANA name); nullopt if ICU
// cannot say.
std::optional<LocalTime> local_time(std::int64_t at_ms, const std::string& zone);

}  // namespace firstfix::server
