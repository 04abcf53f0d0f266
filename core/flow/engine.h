// The flow engine: a deterministic state machine with no I/O. The widget
// runs it in WebAssembly for instant feedback; the server runs the same code
// natively and is the authority. Actions are not executed here: the engine
// asks its caller to run a connector and then records the outcome.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/flow/flow.h"
#include "core/flow/session.h"

namespace firstfix::flow {

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

// Every call takes `today`, "YYYY-MM-DD" in the help center's time zone:
// conditions and date fields may be relative to it ("today-90d").

// Starts a run into `session`; the flow may begin with an action or end at
// once. `identity` is the customer the host site vouched for ({"id",
// "email", "name"}, verified by the caller), or null. Throws
// std::invalid_argument if the flow requires an identified customer and
// there is none.
Advance start(const Flow& flow, Session& session, const std::string& today, const nlohmann::json& identity = nullptr);

// The customer's answer to the current step:
//   ask: {"<field>": value, ...}   confirm: {"confirm": true|false}
//   offer: {"accept": true|false}  message: {} (continue)
// `expected_step` must name the current step (a stale or replayed submit is
// refused). On kInvalid the session is unchanged.
Advance submit(const Flow& flow, Session& session, const std::string& expected_step, const nlohmann::json& input,
               const std::string& today);

// The result of the connector that kRunAction asked for. An outcome the
// step does not handle (and no "*") ends the session for a person
// (escalate), with the outcome on record: the action did happen.
Advance record_action(const Flow& flow, Session& session, const std::string& outcome, const nlohmann::json& data,
                      const std::string& today);

// The customer says the result did not solve their problem.
void record_not_solved(Session& session, const std::string& reason);

// Validation of one field's value: empty when valid, else a message in
// `locale` (English when the locale has no messages of its own).
std::string validate_field(const Field& field, const nlohmann::json& value, const std::string& locale, const std::string& today);

// The answers to an ask step, checked as submit() checks them: fields,
// then the step's rules across fields. Without the session (the widget's
// instant check, before anything is sent), a field that may already be
// known (`from`) is checked only when it is given.
std::vector<FieldError> check_answers(const Flow& flow, const std::string& step_id, const nlohmann::json& input,
                                      const std::string& today, const Session* session = nullptr);

// A field's answer when the step need not ask it: its `from` names a value
// the session already has, and that value passes the field's checks.
std::optional<nlohmann::json> known_answer(const Field& field, const Session& session, const std::string& today);

// The session for logs, events and the agent: sensitive answers redacted.
nlohmann::json to_json(const Flow& flow, const Session& session, bool redact);
// {"kind": "show_step" | "invalid" | "run_action" | "done", "errors": [{field, message}], "connector", "input"}
nlohmann::json to_json(const Advance& advance);
Session session_from_json(const nlohmann::json& j);  // throws std::invalid_argument

inline constexpr const char* kRedacted = "[redacted]";

// `value` with every copy of a sensitive answer replaced by kRedacted: an
// action's input for the audit log, wherever the answer travelled
// (a sub-flow's result, a connector's echo).
nlohmann::json redact_sensitive(const Flow& flow, const Session& session, nlohmann::json value);

}  // namespace firstfix::flow
