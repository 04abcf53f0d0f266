// A realistic month of widget events for the sample help center, so a new
// editor opens the reports page and sees figures at once (`firstfix
// demo-events`, and `firstfix serve` on an empty events store). Made from
// the help center itself: its articles, flows and their phrasings, plus the
// questions it has no answer to yet (the content gaps). Deterministic for a
// given seed; every visit id starts with "demo-" so demo data is never
// mistaken for real.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

#include "core/metrics/event.h"

namespace firstfix::server {

struct DemoEventsOptions {
  int days = 30;                 // ending with the day of `end_ms`
  double visits_per_day = 220;   // on an average weekday
  unsigned seed = 20261125;
};

std::vector<metrics::Event> demo_events(const nlohmann::json& manifest, std::int64_t end_ms, const DemoEventsOptions& options);

class Reports;
// Makes the demo events and stores them; returns how many were new.
size_t add_demo_events(Reports& reports, const nlohmann::json& manifest, std::int64_t end_ms, const DemoEventsOptions& options);

}  // namespace firstfix::server
