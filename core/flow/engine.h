// The flow engine: a deterministic state machine with no I/O. The widget
// runs it in WebAssembly for instant feedback; the server runs the same code
// natively and is the authority. Actions are not executed here: the engine
// asks its caller to run a connector and then records the outcome.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/flow/flow.h"

namespace firstfix::flow {

// Everything about one customer's run of a flow; serializable, so it
// survives a page reload or a server restart.
struct Session {
  std::string flow_id;
  std::string step;                                  // the step waiting for the customer
  nlohmann::json answers = nlohmann::json::object();
  std::string outcome;                               // the last action's outcome
  nlohmann::json result = nlohmann::json::object();  // the last action's data
  std::vector<std::string> history;                  // steps shown, in order
  std::vector<std::string> failure_reasons;          // self-service failures, in order
  std::string done_state;                            // "", "resolved", "unresolved", "escalate"
  bool done() const { return !done_state.empty(); }
  size_t failures() const { return failure_reasons.size(); }
};

struct FieldError {
  std::string field;
  std::string message;
};

// What the caller must do next.
struct Advance {
  enum class Kind {
    kShowStep,     // show session.step
    kInvalid,      // the input was refused: see errors; nothing changed
    kRunAction,    // run `connector` with `input`, then call record_action
    kDone,         // the flow ended in session.done_state
  } kind = Kind::kShowStep;
  std::vector<FieldError> errors;
  std::string connector;
  nlohmann::json input;
};

// Starts a run into `session`; the flow may begin with an action or end at
// once. Throws std::invalid_argument if the flow requires an identified
// customer and there is none.
Advance start(const Flow& flow, Session& session, bool customer_identified = false);

// The customer's answer to the current step:
//   ask: {"<field>": value, ...}   confirm: {"confirm": true|false}
//   offer: {"accept": true|false}  message: {} (continue)
// `expected_step` must name the current step (a stale or replayed submit is
// refused). On kInvalid the session is unchanged.
Advance submit(const Flow& flow, Session& session, const std::string& expected_step, const nlohmann::json& input);

// The result of the connector that kRunAction asked for.
Advance record_action(const Flow& flow, Session& session, const std::string& outcome, const nlohmann::json& data);

// The customer says the result did not solve their problem.
void record_not_solved(Session& session, const std::string& reason);

// Validation of one field's value: empty when valid, else a message in
// `locale` (English when the locale has no messages of its own).
std::string validate_field(const Field& field, const nlohmann::json& value, const std::string& locale = "en");

// The answers to an ask step, checked as submit() checks them, without a
// session: the widget shows these messages before anything is sent.
std::vector<FieldError> check_answers(const Flow& flow, const std::string& step_id, const nlohmann::json& input);

// The session for logs, events and the agent: sensitive answers redacted.
nlohmann::json to_json(const Flow& flow, const Session& session, bool redact);
// {"kind": "show_step" | "invalid" | "run_action" | "done", "errors": [{field, message}], "connector", "input"}
nlohmann::json to_json(const Advance& advance);
Session session_from_json(const nlohmann::json& j);  // throws std::invalid_argument

inline constexpr const char* kRedacted = "[redacted]";

}  // namespace firstfix::flow
