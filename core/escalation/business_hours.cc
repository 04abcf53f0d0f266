#include "core/escalation/business_hours.h"

#include <array>
#include <cctype>
#include <sstream>

namespace firstfix::escalation {
namespace {

const std::array<std::string, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int day_index(std::string d) {
  for (auto& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < 7; ++i)
    if (d == kDays[static_cast<size_t>(i)]) return i;
  return -1;
}

int minute_of(const std::string& hhmm) {
  if (hhmm.size() != 5 || hhmm[2] != ':' || !std::isdigit(static_cast<unsigned char>(hhmm[0])) ||
      !std::isdigit(static_cast<unsigned char>(hhmm[1])) || !std::isdigit(static_cast<unsigned char>(hhmm[3])) ||
      !std::isdigit(static_cast<unsigned char>(hhmm[4])))
    return -1;
  const int h = std::stoi(hhmm.substr(0, 2)), m = std::stoi(hhmm.substr(3, 2));
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(' ') - b + 1);
}

}  // namespace

std::optional<std::vector<HoursWindow>> parse_business_hours(const std::string& spec, std::string& error) {
  std::vector<HoursWindow> out;
  std::stringstream parts(spec);
  std::string part;
  while (std::getline(parts, part, ',')) {
    part = trim(part);
    const auto space = part.find(' ');
    if (space == std::string::npos) {
      error = "'" + part + "' should look like \"Mon-Fri 08:00-20:00\"";
      return std::nullopt;
    }
    const std::string days = part.substr(0, space), times = trim(part.substr(space + 1));
    HoursWindow w;
    const auto dash = days.find('-');
    const int first = day_index(days.substr(0, dash)), last = dash == std::string::npos ? first : day_index(days.substr(dash + 1));
    if (first < 0 || last < 0) {
      error = "unknown day in '" + days + "' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)";
      return std::nullopt;
    }
    for (int d = first;; d = (d + 1) % 7) {
      w.days |= 1u << d;
      if (d == last) break;
    }
    const auto tdash = times.find('-');
    w.open_minute = tdash == std::string::npos ? -1 : minute_of(times.substr(0, tdash));
    w.close_minute = tdash == std::string::npos ? -1 : minute_of(times.substr(tdash + 1));
    if (w.open_minute < 0 || w.close_minute < 0 || w.close_minute <= w.open_minute) {
      error = "'" + times + "' should be opening-closing times like 08:00-20:00, closing after opening";
      return std::nullopt;
    }
    out.push_back(w);
  }
  if (out.empty()) {
    error = "no hours given";
    return std::nullopt;
  }
  return out;
}

bool open_at(const std::vector<HoursWindow>& windows, int weekday, int minute) {
  for (const auto& w : windows)
    if ((w.days >> weekday & 1u) && minute >= w.open_minute && minute < w.close_minute) return true;
  return false;
}

}  // namespace firstfix::escalation
