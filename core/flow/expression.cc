#include "core/flow/expression.h"

#include <algorithm>
#include <cmath>

namespace firstfix::flow {
namespace {

using nlohmann::json;

// Numbers compare as numbers; dates (absolute or relative) as dates;
// anything else does not compare, and the condition does not hold.
std::optional<int> compare(const json& left, const json& right, const std::string& today) {
  const auto a = as_number(left), b = as_number(right);
  if (a && b) return *a < *b ? -1 : *a > *b ? 1 : 0;
  if (left.is_string() && right.is_string()) {
    const auto x = resolve_date(left.get<std::string>(), today), y = resolve_date(right.get<std::string>(), today);
    if (x && y) return x->compare(*y) < 0 ? -1 : x->compare(*y) > 0 ? 1 : 0;
  }
  return std::nullopt;
}

bool empty_value(const json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos) ||
         (v.is_array() && v.empty());
}

// Equal as the customer meant it: 3 and "3" are the same number.
bool same(const json& a, const json& b) {
  if (a == b) return true;
  const auto x = as_number(a), y = as_number(b);
  return x && y && *x == *y && (a.is_number() || b.is_number());
}

}  // namespace

bool holds(const Condition& c, const Session& s, const std::string& today) {
  using Op = Condition::Op;
  switch (c.op) {
    case Op::kAll: return std::all_of(c.parts.begin(), c.parts.end(), [&](const Condition& p) { return holds(p, s, today); });
    case Op::kAny: return std::any_of(c.parts.begin(), c.parts.end(), [&](const Condition& p) { return holds(p, s, today); });
    case Op::kNot: return !holds(c.parts.at(0), s, today);
    default: break;
  }
  const auto v = lookup(c.field, s);
  if (c.op == Op::kExists) return (v && !empty_value(*v)) == c.operand.constant.get<bool>();
  const auto operand = resolve(c.operand, s);
  if (!v || !operand) return c.op == Op::kNotEquals;
  switch (c.op) {
    case Op::kEquals: return same(*v, *operand);
    case Op::kNotEquals: return !same(*v, *operand);
    case Op::kIn: return std::any_of(operand->begin(), operand->end(), [&](const json& x) { return same(*v, x); });
    default: break;
  }
  const auto order = compare(*v, *operand, today);
  if (!order) return false;
  switch (c.op) {
    case Op::kLt: return *order < 0;
    case Op::kLte: return *order <= 0;
    case Op::kGt: return *order > 0;
    case Op::kGte: return *order >= 0;
    default: return false;
  }
}

std::optional<double> evaluate(const Expr& e, const Session& s, std::string& error) {
  using Op = Expr::Op;
  if (e.op == Op::kNumber) return e.number;
  if (e.op == Op::kValue) {
    const auto v = resolve(e.value, s);
    const std::string name = e.value.ref ? e.value.ref->text : "a constant";
    if (!v) {
      error = name + " has no value";
      return std::nullopt;
    }
    const auto x = as_number(*v);
    if (!x) error = name + " is not a number (" + v->dump() + ")";
    return x;
  }
  std::vector<double> xs;
  for (const auto& a : e.args) {
    auto x = evaluate(a, s, error);
    if (!x) return std::nullopt;
    xs.push_back(*x);
  }
  double out = xs.at(0);
  switch (e.op) {
    case Op::kAdd: for (size_t i = 1; i < xs.size(); ++i) out += xs[i]; break;
    case Op::kSub: out = xs[0] - xs[1]; break;
    case Op::kMul: for (size_t i = 1; i < xs.size(); ++i) out *= xs[i]; break;
    case Op::kDiv:
      if (xs[1] == 0) {
        error = "division by zero";
        return std::nullopt;
      }
      out = xs[0] / xs[1];
      break;
    case Op::kMin: out = *std::min_element(xs.begin(), xs.end()); break;
    case Op::kMax: out = *std::max_element(xs.begin(), xs.end()); break;
    case Op::kRound: {
      const double scale = std::pow(10.0, e.places);
      out = std::round(xs[0] * scale) / scale;
      break;
    }
    default: break;
  }
  if (!std::isfinite(out)) {
    error = "the result is too large";
    return std::nullopt;
  }
  return out;
}

void collect_refs(const Condition& c, std::vector<const Ref*>& out) {
  if (c.op == Condition::Op::kAll || c.op == Condition::Op::kAny || c.op == Condition::Op::kNot) {
    for (const auto& p : c.parts) collect_refs(p, out);
    return;
  }
  out.push_back(&c.field);
  if (c.operand.ref) out.push_back(&*c.operand.ref);
}

void collect_refs(const Expr& e, std::vector<const Ref*>& out) {
  if (e.op == Expr::Op::kValue && e.value.ref) out.push_back(&*e.value.ref);
  for (const auto& a : e.args) collect_refs(a, out);
}

}  // namespace firstfix::flow
