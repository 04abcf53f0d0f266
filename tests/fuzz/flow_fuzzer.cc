// A flow as written (JSON), then a customer's answers to it, one per part
// of the input, through the engine both builds run: start, submit, the
// actions' outcomes, the session saved and read back, the step shown.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/base/diagnostic.h"
#include "core/flow/engine.h"
#include "core/flow/flow.h"
#include "core/flow/step_view.h"
#include "tests/fuzz/fuzz_input.h"

using namespace firstfix;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = fuzz::parts(fuzz::text(data, size));
  base::Diagnostics diagnostics;
  const auto f = flow::parse_flow("fuzz.json", std::string(parts[0]), diagnostics);
  for (const auto& d : diagnostics) (void)d.to_string();
  if (!f) return 0;
  flow::Session session;
  try {
    flow::start(*f, session, "2026-12-03", parts.size() % 2 == 0 ? json{{"id", "cus_1"}} : json());
  } catch (const std::invalid_argument&) {
    return 0;  // needs an identified customer
  }
  for (size_t i = 1; i < parts.size() && !session.done(); ++i) {
    const json answer = json::parse(parts[i], nullptr, /*allow_exceptions=*/false);
    if (answer.is_discarded()) continue;
    flow::step_view(*f, session, "2026-12-03");
    flow::Advance a = flow::submit(*f, session, answer.value("step", session.step), answer.value("answers", json::object()), "2026-12-03");
    if (a.kind == flow::Advance::Kind::kRunAction) {
      const json& result = answer.contains("result") ? answer["result"] : json::object();
      flow::record_action(*f, session, answer.value("outcome", std::string("ok")), result.is_object() ? result : json::object(), "2026-12-03");
    }
    (void)flow::to_json(a).dump(-1, ' ', false, json::error_handler_t::replace);
    const json saved = flow::to_json(*f, session, /*redact=*/i % 2 == 0);
    if (i % 2) session = flow::session_from_json(flow::to_json(*f, session, false));
    (void)saved.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return 0;
}
