// Conditions (which way a branch goes) and arithmetic (what a `set` step
// computes): plain data read from JSON, evaluated against a session. No
// other code runs in a flow.
//
// Conditions:
//   {"field": "reason", "equals": "faulty"}     also not_equals, in (a list), exists (true/false)
//   {"field": "days", "lt": 7}                  lt, lte, gt, gte on numbers and dates
//   {"field": "bought", "gte": "today-90d"}     dates: "YYYY-MM-DD", "today", "today-90d", "today+2w"
//   {"field": "refund", "lte": {"ref": "steps.bill.result.paid"}}   another value
//   {"all": [...]}, {"any": [...]}, {"not": {...}}
//
// Arithmetic, over numbers only:
//   12.5, "steps.bill.result.billed" (a value), {"ref": "vars.x", "default": 0}
//   {"add": [a, b, ...]}, {"sub": [a, b]}, {"mul": [a, b, ...]}, {"div": [a, b]},
//   {"min": [a, b, ...]}, {"max": [a, b, ...]}, {"round": a, "places": 2}
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/flow/session.h"
#include "core/flow/value.h"

namespace firstfix::flow {

struct Condition {
  enum class Op { kEquals, kNotEquals, kIn, kExists, kLt, kLte, kGt, kGte, kAll, kAny, kNot };
  Op op = Op::kEquals;
  Ref field;                      // leaves
  Value operand;                  // leaves: a constant, or {"ref": ...}
  std::vector<Condition> parts;   // all, any, not (one part)
};

// Whether `c` holds; `today` is "YYYY-MM-DD" in the help center's time zone.
bool holds(const Condition& c, const Session& session, const std::string& today);

struct Expr {
  enum class Op { kNumber, kValue, kAdd, kSub, kMul, kDiv, kMin, kMax, kRound };
  Op op = Op::kNumber;
  double number = 0;              // kNumber
  Value value;                    // kValue
  std::vector<Expr> args;         // the rest
  int places = 0;                 // kRound
};

// The number `e` computes; on a value that is missing or not a number, or
// a division by zero, nullopt and why in `error`.
std::optional<double> evaluate(const Expr& e, const Session& session, std::string& error);

// Every reference read by a condition or an expression, in order.
void collect_refs(const Condition& c, std::vector<const Ref*>& out);
void collect_refs(const Expr& e, std::vector<const Ref*>& out);

}  // namespace firstfix::flow
