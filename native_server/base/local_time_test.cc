#include "native_server/base/local_time.h"

#include <doctest/doctest.h>

using namespace firstfix::server;

TEST_CASE("a help center's today is the date in its time zone, not the server's") {
  // 2026-12-03 23:30 UTC: already the 4th in Madrid, still the 3rd in New York.
  const std::int64_t at = 1796340600000LL;
  CHECK(local_time(at, "UTC")->date == "2026-12-03");
  CHECK(local_time(at, "Europe/Madrid")->date == "2026-12-04");
  CHECK(local_time(at, "America/New_York")->date == "2026-12-03");
  CHECK(local_time(at, "Europe/Madrid")->weekday == 4);  // a Friday
  CHECK(local_time(at, "Europe/Madrid")->minute == 30);
}
