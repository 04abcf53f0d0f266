// Embind bindings of the flow engine: its own module (firstfix-flow.wasm),
// which the widget's Worker loads when a flow opens (or its answers are
// first checked), so the search module the first in-page answer waits for
// does not carry it (40 KB compressed, widget_bench).
#include <emscripten/bind.h>

#include <map>
#include <stdexcept>
#include <string>

#include "core/flow/engine.h"
#include "wasm/error_json.h"

namespace {

// Flows: the widget keeps the session as JSON (it survives a reload) and
// asks the engine for each step, so answers are checked instantly; the
// server re-runs the same engine and decides.
const firstfix::flow::Flow& cached_flow(const std::string& flow_json) {
  static std::map<std::string, firstfix::flow::Flow> flows;
  auto it = flows.find(flow_json);
  if (it != flows.end()) return it->second;
  firstfix::base::Diagnostics diagnostics;
  auto flow = firstfix::flow::parse_flow("flow", flow_json, diagnostics);
  if (!flow) throw std::invalid_argument(diagnostics.empty() ? "malformed flow" : diagnostics[0].to_string());
  if (flows.size() > 32) flows.clear();
  return flows.emplace(flow_json, std::move(*flow)).first->second;
}

std::string flow_result(const firstfix::flow::Flow& flow, const firstfix::flow::Session& session,
                        const firstfix::flow::Advance& advance) {
  return nlohmann::json{{"advance", firstfix::flow::to_json(advance)}, {"session", firstfix::flow::to_json(flow, session, false)}}.dump();
}

// `today` is "YYYY-MM-DD" in the help center's time zone (the server's step
// replies carry it); `identity_json` is a verified identity or "null".
std::string flow_start(const std::string& flow_json, const std::string& today, const std::string& identity_json) {
  try {
    const auto& flow = cached_flow(flow_json);
    firstfix::flow::Session session;
    auto advance = firstfix::flow::start(flow, session, today, nlohmann::json::parse(identity_json));
    return flow_result(flow, session, advance);
  } catch (const std::exception& e) {
    return error_json(e.what());
  }
}

// Runs `step` on the session the widget holds and returns the new one.
template <typename Step>
std::string flow_continue(const std::string& flow_json, const std::string& session_json, Step step) {
  try {
    const auto& flow = cached_flow(flow_json);
    auto session = firstfix::flow::session_from_json(nlohmann::json::parse(session_json));
    auto advance = step(flow, session);
    return flow_result(flow, session, advance);
  } catch (const std::exception& e) {
    return error_json(e.what());
  }
}

std::string flow_submit(const std::string& flow_json, const std::string& session_json, const std::string& step,
                        const std::string& input_json, const std::string& today) {
  return flow_continue(flow_json, session_json, [&](const auto& flow, auto& session) {
    return firstfix::flow::submit(flow, session, step, nlohmann::json::parse(input_json), today);
  });
}

std::string flow_record_action(const std::string& flow_json, const std::string& session_json, const std::string& outcome,
                               const std::string& data_json, const std::string& today) {
  return flow_continue(flow_json, session_json, [&](const auto& flow, auto& session) {
    return firstfix::flow::record_action(flow, session, outcome, nlohmann::json::parse(data_json), today);
  });
}

// [{field, message}] for answers to an ask step: instant feedback in the
// widget, from the same checks the server makes.
std::string flow_check_answers(const std::string& flow_json, const std::string& step, const std::string& input_json,
                               const std::string& today) {
  try {
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& e : firstfix::flow::check_answers(cached_flow(flow_json), step, nlohmann::json::parse(input_json), today))
      errors.push_back({{"field", e.field}, {"message", e.message}});
    return errors.dump();
  } catch (const std::exception& e) {
    return error_json(e.what());
  }
}


}  // namespace

EMSCRIPTEN_BINDINGS(firstfix_flow) {
  emscripten::function("flowStart", &flow_start);
  emscripten::function("flowSubmit", &flow_submit);
  emscripten::function("flowRecordAction", &flow_record_action);
  emscripten::function("flowCheckAnswers", &flow_check_answers);
}
