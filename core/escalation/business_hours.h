// When people can chat: "Mon-Fri 08:00-20:00, Sat 09:00-14:00" in a named
// time zone (site.yaml: chat_hours, timezone). Outside them, a request
// for a person becomes a ticket, and the widget says so.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace firstfix::escalation {

struct HoursWindow {
  unsigned days = 0;  // bit 0 = Monday ... bit 6 = Sunday
  int open_minute = 0, close_minute = 0;  // minutes after local midnight; close > open
};

// Parses a spec; on a problem returns nullopt and says what in `error`.
std::optional<std::vector<HoursWindow>> parse_business_hours(const std::string& spec, std::string& error);

// Whether a local time (weekday 0 = Monday, minute of the day) is inside.
bool open_at(const std::vector<HoursWindow>& windows, int weekday, int minute);

}  // namespace firstfix::escalation
