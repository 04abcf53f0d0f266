// The values a flow reads, and where they come from. Written as strings in
// flow files, checked when the flow is parsed, and read from a session when
// the flow runs:
//
//   "email"                           an answer (a field an ask step asks)
//   "steps.lookup.result.account_id"  what action step `lookup` returned
//   "steps.lookup.outcome"            that action's outcome
//   "result.status", "outcome"        the latest action's data and outcome
//   "vars.refund"                     what a `set` step computed
//   "identity.email"                  the customer the host site vouched for (id, email, name)
//   "inputs.email"                    what the calling flow passed to a sub-flow
//   "steps.verify.result.code"        what sub-flow call `verify` returned (its done step's result)
//
// Result keys may be paths ("steps.lookup.result.address.city"). In a
// linked flow (a sub-flow inlined into its caller by the compiler), names
// carry the call's prefix ("verify/email") and a sub-flow's inputs read
// "steps.<call>.input.<name>".
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "core/flow/session.h"

namespace firstfix::flow {

struct Ref {
  enum class Scope { kAnswer, kStepResult, kStepOutcome, kStepInput, kLastResult, kLastOutcome, kVar, kIdentity, kInput };
  Scope scope = Scope::kAnswer;
  std::string name;  // the answer, step, var, identity claim or input
  std::string key;   // kStepResult, kLastResult: the key path in the data ("" for the whole result); kStepInput: the input
  std::string text;  // as written
};

// Parses a reference; on a malformed one returns nullopt and says why in `error`.
std::optional<Ref> parse_ref(const std::string& text, std::string& error);
// The reference as it is written: parse_ref(to_text(r)) gives r back.
std::string to_text(const Ref& ref);

// What a flow reads where it needs a value: a reference, with a `fallback`
// for when it holds nothing, or a constant.
struct Value {
  std::optional<Ref> ref;
  nlohmann::json constant;                 // when !ref
  std::optional<nlohmann::json> fallback;  // "default"
};

// The value `ref` holds in `session`; nullopt when it holds nothing (never
// set, or null).
std::optional<nlohmann::json> lookup(const Ref& ref, const Session& session);
std::optional<nlohmann::json> resolve(const Value& value, const Session& session);

// Dates: "YYYY-MM-DD", or relative to today in the help center's time
// zone: "today", "today-90d", "today+2w".
bool valid_date(const std::string& date);
bool is_relative_date(const std::string& text);
// The absolute date `text` names ("YYYY-MM-DD" or relative to `today`);
// nullopt when it is neither.
std::optional<std::string> resolve_date(const std::string& text, const std::string& today);
// `date` moved by `days` (negative: earlier).
std::string add_days(const std::string& date, long days);

// A JSON value as a number, when it is one (or a string holding only one).
std::optional<double> as_number(const nlohmann::json& v);

}  // namespace firstfix::flow
