#include "core/metrics/scrub.h"

#include <doctest/doctest.h>

#include "core/metrics/scrub_test_cases.h"

namespace firstfix::metrics {

TEST_CASE("personal data is scrubbed from what customers type; what editors need stays") {
  for (const auto& c : kScrubCases) {  // not a structured binding: CAPTURE's lambda cannot take one in clang 14
    CAPTURE(c.first);
    CHECK(scrub_personal_data(c.first) == c.second);
  }
}

TEST_CASE("scrubbing survives hostile input") {
  std::string long_digits(100000, '7');
  CHECK(scrub_personal_data(long_digits) == "[number]");
  std::string ats(10000, '@');
  CHECK(scrub_personal_data(ats) == ats);
  const std::string invalid = "\xff\xfe card 4111111111111111 \xc3";
  CHECK(scrub_personal_data(invalid) == "\xff\xfe card [card] \xc3");
}

}  // namespace firstfix::metrics
