// A guided task flow: a graph of steps that ends in a clear done state.
// Parsed from JSON (content/flows/*.json) with every problem located as
// file:line:col. Pure data: the engine (engine.h) runs it. The language is
// described, with an example per feature, in docs/flow-language.md.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/base/diagnostic.h"
#include "core/flow/expression.h"
#include "core/flow/value.h"

namespace firstfix::flow {

enum class FieldType { kText, kEmail, kPhone, kNumber, kInteger, kDate, kChoice, kMultiChoice, kPhoto };

struct Field {
  std::string name;
  std::string label;
  FieldType type = FieldType::kText;
  bool required = true;
  std::string pattern;               // text, email and phone: an ECMAScript regular expression the whole value must match
  nlohmann::json min, max;           // numbers for number fields; dates ("YYYY-MM-DD" or "today-90d") for date fields
  std::optional<size_t> min_length;  // characters (text), selections (multi-choice)
  std::optional<size_t> max_length;
  std::vector<std::string> choices;
  bool sensitive = false;  // kept out of logs, events and hand-off context
  std::string hint;        // help shown under the input
  std::optional<Ref> from; // asked only when this value is missing (e.g. identity.email)
  std::string input;       // how it is typed, when its type does not say: password, one-time-code, card-number, card-expiry
};

// A rule across an ask step's fields: "at least 3 of these 4", "exactly
// one of name or account id" (one_of).
struct FieldRule {
  std::vector<std::string> fields;
  size_t at_least = 1;
  std::optional<size_t> at_most;  // one_of: 1
};

struct Case {
  Condition when;  // a list in the file means all of them
  std::string next;
};

struct Outcome {
  std::string next;
  bool failure = false;  // counts as a self-service failure (escalation)
  std::string reason;    // why, for the customer and the agent
};

// The outcome name that handles any outcome a step does not name.
inline constexpr const char* kAnyOutcome = "*";

// kCall runs another flow (a sub-flow) and goes on by its outcome. The
// compiler inlines the sub-flow (link.h): the call step then leads to its
// `entry`, and the sub-flow's done steps become kReturn steps, which record
// the call's outcome and result and go on by the call's outcomes.
enum class StepKind { kMessage, kAsk, kConfirm, kAction, kBranch, kOffer, kSet, kCall, kReturn, kDone };
enum class DoneState { kResolved, kUnresolved, kEscalate };

struct Step {
  std::string id;
  StepKind kind = StepKind::kMessage;
  std::string title;
  std::string message;                        // Markdown, may quote values: {{steps.lookup.result.item}}
  std::vector<Field> fields;                  // ask
  std::vector<FieldRule> rules;               // ask
  std::string next;                           // message, ask, set
  std::string yes, no;                        // confirm
  std::string accept, decline;                // offer
  std::string yes_label, no_label;            // confirm buttons (UI defaults when empty)
  std::string accept_label, decline_label;    // offer buttons
  std::string connector;                      // action
  std::map<std::string, Value> input;         // action: connector parameter -> value; call: the sub-flow's inputs
  std::map<std::string, Outcome> outcomes;    // action, call (return: its call's): outcome name (or "*") -> where it leads
  std::string callee;                         // call: the flow it runs
  std::string entry;                          // call, linked: the sub-flow's first step
  std::string call;                           // return: the call step it returns to
  std::string outcome;                        // done in a sub-flow, return: the outcome its caller sees (default: the state)
  std::map<std::string, Value> result;        // done in a sub-flow, return: what its caller reads as steps.<call>.result
  std::vector<Case> cases;                    // branch
  std::string otherwise;                      // branch
  std::vector<std::pair<std::string, Expr>> values;  // set: vars.<name> = expression, in order
  std::optional<unsigned> max_attempts;       // entered at most this often; after that, go to `then`
  std::string then;
  DoneState done_state = DoneState::kResolved;  // done, return
};

struct FlowInput {
  bool required = false;  // a caller must pass it
};

struct Flow {
  std::string id, title, locale;
  std::string category;                   // the help center's category it belongs to (reports, filters); may be empty
  std::vector<std::string> intents;
  std::vector<std::string> requirements;  // JSON "requires", e.g. "identified"
  std::vector<std::string> pages;         // URL patterns ("*" wildcard) where the widget suggests it
  std::string start;
  std::map<std::string, Step> steps;
  std::map<std::string, FlowInput> inputs;  // what a caller passes (read as inputs.<name>)
  bool subflow = false;                     // only other flows run it: not listed, searched or started alone
  // Linked by the compiler: sub-flows inlined (ids with '/', return steps);
  // the flows it inlined.
  std::vector<std::string> linked_from;

  const Step& step(const std::string& step_id) const { return steps.at(step_id); }
  const Field* field(const std::string& name) const;  // across all ask steps
  bool requires_identity() const;
};

// What a connector is known to answer: its outcomes, each with the result
// keys it always carries. Declared by the demo back office and in the
// connectors file; `firstfix check` holds flows to them.
struct ConnectorSpec {
  std::map<std::string, std::vector<std::string>> outcomes;  // outcome -> result keys
};
struct ConnectorCatalog {
  std::map<std::string, ConnectorSpec> connectors;  // by full name, "demo.track_order"
  std::vector<std::string> complete_prefixes;        // "demo", "webhook": a name under one that is not listed does not exist
  std::vector<std::string> open_prefixes;            // "webhook.crm": exists, but its operations are not declared
};

// Parses and checks a flow: JSON shape, known kinds and types, steps that
// exist and are reachable, values set on every path that reads them, loops
// that are bounded, patterns that compile, and, given a catalog, connectors
// that exist and outcomes that are handled. On any problem appends
// diagnostics and returns nullopt.
std::optional<Flow> parse_flow(const std::string& source, const std::string& text, base::Diagnostics& diagnostics,
                               const ConnectorCatalog* catalog = nullptr);

const char* to_string(DoneState s);
const char* to_string(StepKind k);
const char* to_string(FieldType t);

}  // namespace firstfix::flow
