#include "native_server/base/local_time.h"

#include <unicode/calendar.h>
#include <unicode/timezone.h>

#include <cstdio>
#include <memory>

namespace firstfix::server {

std::optional<LocalTime> local_time(std::int64_t at_ms, const std::string& zone) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Calendar> cal(
      icu::Calendar::createInstance(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone)), status));
  if (U_FAILURE(status)) return std::nullopt;
  cal->setTime(static_cast<UDate>(at_ms), status);
  LocalTime t;
  char date[16];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", cal->get(UCAL_YEAR, status), cal->get(UCAL_MONTH, status) + 1,
                cal->get(UCAL_DATE, status));
  t.date = date;
  t.weekday = (cal->get(UCAL_DAY_OF_WEEK, status) + 5) % 7;  // ICU: 1 = Sunday
  t.minute = cal->get(UCAL_HOUR_OF_DAY, status) * 60 + cal->get(UCAL_MINUTE, status);
  if (U_FAILURE(status)) return std::nullopt;
  return t;
}

}  // namespace firstfix::server
