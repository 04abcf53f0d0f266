// A guided task flow: a graph of steps that ends in a clear done state.
// Parsed from JSON (content/flows/*.json) with every problem located as
// file:line:col. Pure data: the engine (engine.h) runs it.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/base/diagnostic.h"

namespace firstfix::flow {

enum class FieldType { kText, kEmail, kPhone, kNumber, kDate, kChoice, kMultiChoice, kPhoto };

struct Field {
  std::string name;
  std::string label;
  FieldType type = FieldType::kText;
  bool required = true;
  std::string pattern;               // ECMAScript regular expression the whole value must match
  nlohmann::json min, max;           // numbers for number fields, "YYYY-MM-DD" for dates
  std::optional<size_t> min_length;  // characters (text), selections (multi-choice)
  std::optional<size_t> max_length;
  std::vector<std::string> choices;
  bool sensitive = false;  // kept out of logs, events and hand-off context
  std::string hint;        // help shown under the input
};

// A test on an answer or on the last action's result: {"field": "reason",
// "equals": "defective"} or "not_equals", "in" (a list), "exists" (true/false).
struct Condition {
  std::string field;  // an answer name, or "outcome", or "result.<key>"
  std::string op;
  nlohmann::json value;
};

struct Case {
  std::vector<Condition> when;  // all must hold
  std::string next;
};

struct Outcome {
  std::string next;
  bool failure = false;  // counts as a self-service failure (escalation)
  std::string reason;    // why, for the customer and the agent
};

enum class StepKind { kMessage, kAsk, kConfirm, kAction, kBranch, kOffer, kDone };
enum class DoneState { kResolved, kUnresolved, kEscalate };

struct Step {
  std::string id;
  StepKind kind = StepKind::kMessage;
  std::string title;
  std::string message;                        // Markdown
  std::vector<Field> fields;                  // ask
  std::string next;                           // message, ask
  std::string yes, no;                        // confirm
  std::string accept, decline;                // offer
  std::string yes_label, no_label;            // confirm buttons (UI defaults when empty)
  std::string accept_label, decline_label;    // offer buttons
  std::string connector;                      // action
  std::map<std::string, std::string> input;   // action: connector parameter -> answer name
  std::map<std::string, Outcome> outcomes;    // action: outcome name -> where it leads
  std::vector<Case> cases;                    // branch
  std::string otherwise;                      // branch
  DoneState done_state = DoneState::kResolved;  // done
};

struct Flow {
  std::string id, title, locale;
  std::string category;                   // the help center's category it belongs to (reports, filters); may be empty
  std::vector<std::string> intents;
  std::vector<std::string> requirements;  // JSON "requires", e.g. "identified"
  std::vector<std::string> pages;         // URL patterns ("*" wildcard) where the widget suggests it
  std::string start;
  std::map<std::string, Step> steps;

  const Step& step(const std::string& step_id) const { return steps.at(step_id); }
  const Field* field(const std::string& name) const;  // across all ask steps
};

// Parses and checks a flow: JSON shape, known kinds and types, steps that
// exist and are reachable, inputs that name asked fields, patterns that
// compile. On any problem appends diagnostics and returns nullopt.
std::optional<Flow> parse_flow(const std::string& source, const std::string& text, base::Diagnostics& diagnostics);

const char* to_string(DoneState s);
const char* to_string(StepKind k);
const char* to_string(FieldType t);

}  // namespace firstfix::flow
