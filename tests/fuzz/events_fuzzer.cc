// A batch of the widget's events as the server takes it in: each event
// checked field by field and its free text scrubbed of personal data, then
// the visit summed up (all at once, and in order as batches arrive).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/metrics/event.h"
#include "core/metrics/scrub.h"
#include "core/metrics/visit.h"
#include "tests/fuzz/fuzz_input.h"

using namespace firstfix;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = fuzz::text(data, size);
  (void)metrics::scrub_personal_data(input);
  const json batch = json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (!batch.is_object() || !batch.contains("events") || !batch["events"].is_array()) return 0;
  std::map<std::string, std::vector<metrics::Event>> visits;
  for (const auto& j : batch["events"]) {
    try {
      metrics::Event e = metrics::parse_event(j);
      (void)metrics::to_json(e).dump();
      visits[e.visit].push_back(std::move(e));
    } catch (const metrics::EventError&) {
    }
  }
  const metrics::Catalog catalog{[](const std::string& id) { return id.substr(0, 3); },
                                 [](const std::string& q, const std::string&) { return q; }};
  for (auto& [visit, events] : visits) {
    const metrics::VisitSummary all = metrics::summarize_visit(events, catalog);
    metrics::VisitSummarizer in_order(catalog);
    for (const auto& e : events)
      if (in_order.in_order(e)) in_order.add(e);
    (void)in_order.summary();
    (void)all;
  }
  return 0;
}
