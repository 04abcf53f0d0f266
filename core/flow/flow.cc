#include "core/flow/flow.h"

#include <set>

#include "core/base/id.h"
#include "core/base/page_pattern.h"
#include "core/flow/flow_check.h"
#include "core/flow/json_reader.h"
#include "core/flow/pattern.h"
#include "core/text/analyzer.h"

namespace firstfix::flow {
namespace {

const std::map<std::string, StepKind> kKinds = {
    {"message", StepKind::kMessage}, {"ask", StepKind::kAsk},       {"confirm", StepKind::kConfirm},
    {"action", StepKind::kAction},   {"branch", StepKind::kBranch}, {"offer", StepKind::kOffer},
    {"set", StepKind::kSet},         {"call", StepKind::kCall},     {"return", StepKind::kReturn},
    {"done", StepKind::kDone}};
const std::map<std::string, FieldType> kTypes = {
    {"text", FieldType::kText},     {"email", FieldType::kEmail},       {"phone", FieldType::kPhone},
    {"number", FieldType::kNumber}, {"integer", FieldType::kInteger},   {"date", FieldType::kDate},
    {"choice", FieldType::kChoice}, {"multi-choice", FieldType::kMultiChoice}, {"photo", FieldType::kPhoto}};
const std::map<std::string, DoneState> kDoneStates = {
    {"resolved", DoneState::kResolved}, {"unresolved", DoneState::kUnresolved}, {"escalate", DoneState::kEscalate}};

// Conditions and expressions nest; a hostile file must not exhaust the stack.
constexpr int kMaxDepth = 32;

std::optional<Ref> read_ref(Reader& r, const json& j, const std::string& ptr) {
  if (!j.is_string()) {
    r.error(ptr, "expected a value's name, like \"email\" or \"steps.lookup.result.id\"");
    return std::nullopt;
  }
  std::string why;
  auto ref = parse_ref(j.get<std::string>(), why);
  if (!ref) r.error(ptr, why);
  return ref;
}

// "name" (a reference), {"ref": "name", "default": v} or {"const": v}.
Value read_value(Reader& r, const json& j, const std::string& ptr) {
  Value v;
  if (j.is_string()) {
    v.ref = read_ref(r, j, ptr);
  } else if (j.is_object() && j.contains("const")) {
    r.only(j, ptr, {"const"});
    v.constant = j.at("const");
    if (v.constant.is_null()) r.error(ptr + "/const", "a constant cannot be null");
  } else if (j.is_object() && j.contains("ref")) {
    r.only(j, ptr, {"ref", "default"});
    v.ref = read_ref(r, j.at("ref"), ptr + "/ref");
    if (auto d = j.find("default"); d != j.end()) {
      if (d->is_null()) r.error(ptr + "/default", "a default cannot be null");
      else v.fallback = *d;
    }
  } else {
    r.error(ptr, "expected a value's name, {\"ref\": name, \"default\": value} or {\"const\": value}");
  }
  return v;
}

const std::map<std::string, Condition::Op> kLeafOps = {
    {"equals", Condition::Op::kEquals}, {"not_equals", Condition::Op::kNotEquals}, {"in", Condition::Op::kIn},
    {"exists", Condition::Op::kExists}, {"lt", Condition::Op::kLt},  {"lte", Condition::Op::kLte},
    {"gt", Condition::Op::kGt},         {"gte", Condition::Op::kGte}};

Condition read_condition(Reader& r, const json& j, const std::string& ptr, int depth = 0) {
  Condition c;
  if (depth > kMaxDepth) {
    r.error(ptr, "conditions nest too deeply");
    return c;
  }
  if (j.is_array()) {  // a list: all of them
    c.op = Condition::Op::kAll;
    for (size_t i = 0; i < j.size(); ++i) c.parts.push_back(read_condition(r, j[i], ptr + "/" + std::to_string(i), depth + 1));
    if (j.empty()) r.error(ptr, "an empty list of conditions");
    return c;
  }
  if (!j.is_object()) {
    r.error(ptr, "a condition must be an object, like {\"field\": \"reason\", \"equals\": \"faulty\"}");
    return c;
  }
  for (const auto& [key, op] : {std::pair<const char*, Condition::Op>{"all", Condition::Op::kAll}, {"any", Condition::Op::kAny}}) {
    if (!j.contains(key)) continue;
    r.only(j, ptr, {key});
    c.op = op;
    const json& list = j.at(key);
    if (!list.is_array() || list.empty()) r.error(ptr + "/" + key, std::string("'") + key + "' takes a non-empty list of conditions");
    else for (size_t i = 0; i < list.size(); ++i) c.parts.push_back(read_condition(r, list[i], ptr + "/" + key + "/" + std::to_string(i), depth + 1));
    return c;
  }
  if (j.contains("not")) {
    r.only(j, ptr, {"not"});
    c.op = Condition::Op::kNot;
    c.parts.push_back(read_condition(r, j.at("not"), ptr + "/not", depth + 1));
    return c;
  }
  r.only(j, ptr, {"field", "equals", "not_equals", "in", "exists", "lt", "lte", "gt", "gte"});
  if (auto ref = read_ref(r, j.value("field", json()), j.contains("field") ? ptr + "/field" : ptr)) c.field = *ref;
  int ops = 0;
  for (const auto& [name, op] : kLeafOps) {
    auto it = j.find(name);
    if (it == j.end()) continue;
    ++ops;
    c.op = op;
    const std::string vp = ptr + "/" + name;
    if (it->is_object()) {
      c.operand = read_value(r, *it, vp);
      if (!c.operand.ref) r.error(vp, "compare with a constant or {\"ref\": name}");
      continue;
    }
    c.operand.constant = *it;
    switch (op) {
      case Condition::Op::kIn:
        if (!it->is_array()) r.error(vp, "'in' takes a list of values");
        break;
      case Condition::Op::kExists:
        if (!it->is_boolean()) r.error(vp, "'exists' takes true or false");
        break;
      case Condition::Op::kLt: case Condition::Op::kLte: case Condition::Op::kGt: case Condition::Op::kGte:
        if (!it->is_number() && !(it->is_string() && (valid_date(it->get<std::string>()) || is_relative_date(it->get<std::string>()))))
          r.error(vp, "'" + name + "' compares with a number, a date (\"YYYY-MM-DD\", \"today\", \"today-90d\") or {\"ref\": name}");
        break;
      default:
        if (it->is_null()) r.error(vp, "compare with a value, not null (use \"exists\": false)");
        break;
    }
  }
  if (ops != 1) r.error(ptr, "a condition needs exactly one of equals, not_equals, in, exists, lt, lte, gt, gte (or all, any, not)");
  return c;
}

const std::map<std::string, Expr::Op> kExprOps = {
    {"add", Expr::Op::kAdd}, {"sub", Expr::Op::kSub}, {"mul", Expr::Op::kMul}, {"div", Expr::Op::kDiv},
    {"min", Expr::Op::kMin}, {"max", Expr::Op::kMax}, {"round", Expr::Op::kRound}};

Expr read_expr(Reader& r, const json& j, const std::string& ptr, int depth = 0) {
  Expr e;
  if (depth > kMaxDepth) {
    r.error(ptr, "arithmetic nests too deeply");
    return e;
  }
  if (j.is_number()) {
    e.number = j.get<double>();
    return e;
  }
  if (j.is_string() || (j.is_object() && j.contains("ref"))) {
    e.op = Expr::Op::kValue;
    e.value = read_value(r, j, ptr);
    return e;
  }
  const char* expected = "expected a number, a value's name or one of add, sub, mul, div, min, max, round";
  if (!j.is_object() || j.empty()) {
    r.error(ptr, expected);
    return e;
  }
  auto op = kExprOps.end();
  for (const auto& [key, value] : j.items())
    if (auto it = kExprOps.find(key); it != kExprOps.end() && op == kExprOps.end()) op = it;
  if (op == kExprOps.end()) {
    r.error(ptr, std::string(expected) + ", not '" + j.begin().key() + "'");
    return e;
  }
  e.op = op->second;
  const std::string ap = ptr + "/" + op->first;
  if (e.op == Expr::Op::kRound) {
    r.only(j, ptr, {"round", "places"});
    e.args.push_back(read_expr(r, j.at("round"), ap, depth + 1));
    const auto places = r.count(j, ptr, "places");
    if (places && *places > 6) r.error(ptr + "/places", "'places' is 0 to 6");
    e.places = static_cast<int>(places.value_or(0));
    return e;
  }
  r.only(j, ptr, {op->first.c_str()});
  const json& args = j.at(op->first);
  const bool two = e.op == Expr::Op::kSub || e.op == Expr::Op::kDiv;
  const size_t fewest = e.op == Expr::Op::kMin || e.op == Expr::Op::kMax ? 1 : 2;
  if (!args.is_array() || args.size() < fewest || (two && args.size() != 2)) {
    r.error(ap, "'" + op->first + "' takes a list of " + (two ? std::string("two") : std::to_string(fewest) + " or more") + " numbers");
    return e;
  }
  for (size_t i = 0; i < args.size(); ++i) e.args.push_back(read_expr(r, args[i], ap + "/" + std::to_string(i), depth + 1));
  return e;
}

bool is_date_bound(const json& v) {
  return v.is_string() && (valid_date(v.get<std::string>()) || is_relative_date(v.get<std::string>()));
}

Field read_field(Reader& r, const json& j, const std::string& ptr, bool linked) {
  Field f;
  r.only(j, ptr, {"name", "label", "type", "required", "pattern", "min", "max", "min_length", "max_length", "choices", "sensitive", "hint", "from",
                  "input"});
  f.name = r.string(j, ptr, "name", true);
  std::string why;
  if (auto as_ref = parse_ref(f.name, why);
      !f.name.empty() && (!as_ref || as_ref->scope != Ref::Scope::kAnswer || (!linked && f.name.find('/') != std::string::npos)))
    r.error(ptr + "/name", "field name '" + f.name + "' must be letters, digits, '_' and '-', and not 'outcome' or 'result'");
  f.label = r.string(j, ptr, "label", false);
  if (f.label.empty()) f.label = f.name;
  const std::string type = j.contains("type") ? r.string(j, ptr, "type", true) : "text";
  if (auto t = kTypes.find(type); t != kTypes.end()) f.type = t->second;
  else if (!type.empty()) r.error(ptr + "/type", "unknown field type '" + type + "' (expected text, email, phone, number, integer, date, choice, multi-choice, photo)");
  f.required = r.boolean(j, ptr, "required", true);
  f.sensitive = r.boolean(j, ptr, "sensitive", false);
  f.hint = r.string(j, ptr, "hint", false);
  f.pattern = r.string(j, ptr, "pattern", false);
  if (!f.pattern.empty()) {
    if (f.type != FieldType::kText && f.type != FieldType::kEmail && f.type != FieldType::kPhone)
      r.error(ptr + "/pattern", "'pattern' applies to text, email and phone fields; a " + type + " field is checked by its type" +
                                    (f.type == FieldType::kNumber ? " (use integer, min and max)" : ""));
    else if (const std::string problem = pattern_error(f.pattern); !problem.empty())
      r.error(ptr + "/pattern", "pattern does not compile: " + problem);
  }
  const bool numeric = f.type == FieldType::kNumber || f.type == FieldType::kInteger;
  for (const char* key : {"min", "max"}) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    const bool number_ok = numeric && it->is_number() && (f.type != FieldType::kInteger || it->is_number_integer());
    const bool date_ok = f.type == FieldType::kDate && is_date_bound(*it);
    if (!number_ok && !date_ok)
      r.error(base::json_pointer_child(ptr, key), std::string("'") + key +
                  "' applies to number fields (a number), integer fields (a whole number) and date fields (\"YYYY-MM-DD\", \"today\", \"today-90d\")");
    else (std::string(key) == "min" ? f.min : f.max) = *it;
  }
  f.min_length = r.count(j, ptr, "min_length");
  f.max_length = r.count(j, ptr, "max_length");
  f.choices = r.strings(j, ptr, "choices");
  const bool choice = f.type == FieldType::kChoice || f.type == FieldType::kMultiChoice;
  if (choice && f.choices.empty()) r.error(ptr, "field '" + f.name + "' of type " + type + " needs 'choices'");
  if (!choice && !f.choices.empty()) r.error(ptr + "/choices", "'choices' applies to choice and multi-choice fields");
  if (auto from = j.find("from"); from != j.end()) f.from = read_ref(r, *from, ptr + "/from");
  f.input = r.string(j, ptr, "input", false);
  if (!f.input.empty()) {
    static const std::set<std::string> kInputs = {"password", "one-time-code", "card-number", "card-expiry"};
    if (!kInputs.count(f.input)) r.error(ptr + "/input", "unknown input '" + f.input + "' (expected password, one-time-code, card-number, card-expiry)");
    else if (f.type != FieldType::kText) r.error(ptr + "/input", "'input' applies to text fields: a " + type + " field is typed as its type says");
  }
  return f;
}

void read_rules(Reader& r, const json& j, const std::string& ptr, Step& s) {
  if (!j.is_array()) {
    r.error(ptr, "'rules' is a list, like [{\"at_least\": 1, \"of\": [\"name\", \"account_id\"]}]");
    return;
  }
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string rp = ptr + "/" + std::to_string(i);
    const json& rule = j[i];
    FieldRule out;
    if (rule.is_object() && rule.contains("one_of")) {
      r.only(rule, rp, {"one_of"});
      out.fields = r.strings(rule, rp, "one_of");
      out.at_most = 1;
    } else if (rule.is_object() && rule.contains("at_least")) {
      r.only(rule, rp, {"at_least", "of"});
      out.fields = r.strings(rule, rp, "of");
      out.at_least = r.count(rule, rp, "at_least").value_or(1);
      if (out.at_least < 1 || out.at_least > out.fields.size())
        r.error(rp + "/at_least", "'at_least' must be 1 to the number of fields listed in 'of'");
    } else {
      r.error(rp, "a rule is {\"one_of\": [fields]} or {\"at_least\": N, \"of\": [fields]}");
      continue;
    }
    if (out.fields.size() < 2) r.error(rp, "a rule names two or more of this step's fields");
    for (const auto& name : out.fields) {
      auto f = std::find_if(s.fields.begin(), s.fields.end(), [&](const Field& x) { return x.name == name; });
      if (f == s.fields.end()) r.error(rp, "rule names '" + name + "', which this step does not ask");
      else if (f->required) r.error(rp, "rule names '" + name + "', which is required anyway: make it \"required\": false");
    }
    s.rules.push_back(std::move(out));
  }
}

Outcome read_outcome(Reader& r, const std::string& name, const json& o, const std::string& op) {
  Outcome out;
  if (o.is_string()) {
    out.next = o.get<std::string>();
  } else if (o.is_object()) {
    r.only(o, op, {"next", "failure", "reason"});
    out.next = r.string(o, op, "next", true);
    out.failure = r.boolean(o, op, "failure", false);
    out.reason = r.string(o, op, "reason", false);
  } else {
    r.error(op, "outcome '" + name + "' must be a step id or {\"next\", \"failure\", \"reason\"}");
  }
  return out;
}

// An action's or a call's outcomes: a non-empty object of outcome -> where it leads.
std::map<std::string, Outcome> read_outcomes(Reader& r, const json& j, const std::string& ptr, const char* missing) {
  std::map<std::string, Outcome> out;
  auto outcomes = j.find("outcomes");
  if (outcomes == j.end() || !outcomes->is_object() || outcomes->empty()) {
    r.error(outcomes == j.end() ? ptr : ptr + "/outcomes", missing);
    return out;
  }
  for (const auto& [name, o] : outcomes->items()) out[name] = read_outcome(r, name, o, base::json_pointer_child(ptr + "/outcomes", name));
  return out;
}

std::map<std::string, Value> read_values(Reader& r, const json& j, const std::string& ptr, const char* what) {
  std::map<std::string, Value> out;
  if (!j.is_object()) {
    r.error(ptr, std::string("'") + what + "' maps names to values: answers, results or {\"const\": ...}");
    return out;
  }
  for (const auto& [name, value] : j.items()) out[name] = read_value(r, value, base::json_pointer_child(ptr, name));
  return out;
}

// `linked`: a flow the compiler linked (return steps and ids with '/' are its own).
Step read_step(Reader& r, const std::string& id, const json& j, const std::string& ptr, bool linked) {
  Step s;
  s.id = id;
  if (!linked && id.find('/') != std::string::npos) r.error(ptr, "step id '" + id + "' must not contain '/'");
  if (!j.is_object()) {
    r.error(ptr, "step '" + id + "' must be an object");
    return s;
  }
  const std::string kind = r.string(j, ptr, "kind", true);
  auto k = kKinds.find(kind);
  if (k == kKinds.end() || (k->second == StepKind::kReturn && !linked)) {
    if (!kind.empty()) r.error(ptr + "/kind", "unknown step kind '" + kind + "' (expected message, ask, confirm, action, branch, offer, set, call, done)");
    return s;
  }
  s.kind = k->second;
  s.title = r.string(j, ptr, "title", false);
  s.message = r.string(j, ptr, "message", s.kind == StepKind::kMessage || s.kind == StepKind::kConfirm ||
                                              s.kind == StepKind::kOffer || s.kind == StepKind::kDone);
  if (s.kind != StepKind::kDone && s.kind != StepKind::kReturn) {
    s.max_attempts = r.count(j, ptr, "max_attempts");
    s.then = r.string(j, ptr, "then", s.max_attempts.has_value());
    if (s.max_attempts && (*s.max_attempts < 1 || *s.max_attempts > 100)) r.error(ptr + "/max_attempts", "'max_attempts' is 1 to 100");
    if (!s.max_attempts && j.contains("then")) r.error(ptr + "/then", "'then' is where to go when 'max_attempts' are spent: give max_attempts too");
  }
  auto allowed = [&](std::initializer_list<const char*> keys) {
    std::vector<const char*> all(keys);
    if (s.kind != StepKind::kDone && s.kind != StepKind::kReturn) all.insert(all.end(), {"max_attempts", "then"});
    for (auto it = j.begin(); it != j.end(); ++it)
      if (const std::string& key = it.key(); std::find_if(all.begin(), all.end(), [&](const char* a) { return key == a; }) == all.end()) {
        std::string list;
        for (const char* a : all) list += (list.empty() ? "" : ", ") + std::string(a);
        r.error(base::json_pointer_child(ptr, key), "unknown field '" + key + "' in a " + kind + " step (expected " + list + ")");
      }
  };
  switch (s.kind) {
    case StepKind::kMessage:
      allowed({"kind", "title", "message", "next"});
      s.next = r.string(j, ptr, "next", true);
      break;
    case StepKind::kAsk: {
      allowed({"kind", "title", "message", "fields", "rules", "next"});
      s.next = r.string(j, ptr, "next", true);
      auto fields = j.find("fields");
      if (fields == j.end() || !fields->is_array() || fields->empty()) {
        r.error(fields == j.end() ? ptr : ptr + "/fields", "an ask step needs a non-empty list of 'fields'");
        break;
      }
      for (size_t i = 0; i < fields->size(); ++i) {
        const std::string fp = ptr + "/fields/" + std::to_string(i);
        if (!(*fields)[i].is_object()) r.error(fp, "a field must be an object");
        else s.fields.push_back(read_field(r, (*fields)[i], fp, linked));
      }
      if (auto rules = j.find("rules"); rules != j.end()) read_rules(r, *rules, ptr + "/rules", s);
      break;
    }
    case StepKind::kConfirm:
      allowed({"kind", "title", "message", "yes", "no", "yes_label", "no_label"});
      s.yes = r.string(j, ptr, "yes", true);
      s.no = r.string(j, ptr, "no", true);
      s.yes_label = r.string(j, ptr, "yes_label", false);
      s.no_label = r.string(j, ptr, "no_label", false);
      break;
    case StepKind::kOffer:
      allowed({"kind", "title", "message", "accept", "decline", "accept_label", "decline_label"});
      s.accept = r.string(j, ptr, "accept", true);
      s.decline = r.string(j, ptr, "decline", true);
      s.accept_label = r.string(j, ptr, "accept_label", false);
      s.decline_label = r.string(j, ptr, "decline_label", false);
      break;
    case StepKind::kAction: {
      allowed({"kind", "title", "message", "connector", "input", "outcomes"});
      s.connector = r.string(j, ptr, "connector", true);
      if (auto in = j.find("input"); in != j.end()) {
        if (!in->is_object()) r.error(ptr + "/input", "'input' maps connector parameters to values: answers, results or {\"const\": ...}");
        else for (const auto& [param, value] : in->items()) s.input[param] = read_value(r, value, base::json_pointer_child(ptr + "/input", param));
      }
      s.outcomes = read_outcomes(r, j, ptr, "an action step needs 'outcomes' mapping each outcome to a step");
      break;
    }
    case StepKind::kBranch: {
      allowed({"kind", "title", "cases", "otherwise"});
      s.otherwise = r.string(j, ptr, "otherwise", true);
      auto cases = j.find("cases");
      if (cases == j.end() || !cases->is_array() || cases->empty()) {
        r.error(cases == j.end() ? ptr : ptr + "/cases", "a branch step needs a non-empty list of 'cases'");
        break;
      }
      for (size_t i = 0; i < cases->size(); ++i) {
        const std::string cp = ptr + "/cases/" + std::to_string(i);
        const json& c = (*cases)[i];
        Case out;
        if (!c.is_object()) {
          r.error(cp, "a case is {\"when\": condition, \"next\": step}");
          continue;
        }
        out.next = r.string(c, cp, "next", true);
        r.only(c, cp, {"when", "next"});
        if (auto when = c.find("when"); when != c.end()) out.when = read_condition(r, *when, cp + "/when");
        else r.error(cp, "a case needs 'when': a condition or a list of conditions");
        s.cases.push_back(std::move(out));
      }
      break;
    }
    case StepKind::kSet: {
      allowed({"kind", "title", "values", "next"});
      s.next = r.string(j, ptr, "next", true);
      auto values = j.find("values");
      if (values == j.end() || !values->is_object() || values->empty()) {
        r.error(values == j.end() ? ptr : ptr + "/values", "a set step needs 'values': {\"name\": arithmetic, ...}, read later as vars.<name>");
        break;
      }
      for (const auto& [name, e] : values->items()) {
        const std::string vp = base::json_pointer_child(ptr + "/values", name);
        std::string why;
        if (!parse_ref("vars." + name, why)) r.error(vp, "value name '" + name + "' must be letters, digits, '_' and '-'");
        s.values.emplace_back(name, read_expr(r, e, vp));
      }
      break;
    }
    case StepKind::kCall: {
      if (linked) allowed({"kind", "title", "flow", "input", "outcomes", "entry"});
      else allowed({"kind", "title", "flow", "input", "outcomes"});
      s.callee = r.string(j, ptr, "flow", true);
      s.entry = r.string(j, ptr, "entry", false);
      if (auto in = j.find("input"); in != j.end()) s.input = read_values(r, *in, ptr + "/input", "input");
      s.outcomes = read_outcomes(r, j, ptr,
                                 "a call step needs 'outcomes' mapping each way the called flow ends (its done steps' outcomes, or states) to a step");
      break;
    }
    case StepKind::kDone:
    case StepKind::kReturn: {
      if (s.kind == StepKind::kReturn) {
        allowed({"kind", "title", "call", "state", "outcome", "result"});
        s.call = r.string(j, ptr, "call", true);
      } else {
        allowed({"kind", "title", "message", "state", "outcome", "result"});
      }
      const std::string state = r.string(j, ptr, "state", true);
      if (auto d = kDoneStates.find(state); d != kDoneStates.end()) s.done_state = d->second;
      else if (!state.empty()) r.error(ptr + "/state", "unknown done state '" + state + "' (expected resolved, unresolved, escalate)");
      s.outcome = r.string(j, ptr, "outcome", false);
      if (s.outcome.empty()) s.outcome = state;
      if (auto res = j.find("result"); res != j.end()) s.result = read_values(r, *res, ptr + "/result", "result");
      break;
    }
  }
  return s;
}

}  // namespace

const Field* Flow::field(const std::string& name) const {
  for (const auto& entry : steps)
    for (const auto& f : entry.second.fields)
      if (f.name == name) return &f;
  return nullptr;
}

bool Flow::requires_identity() const {
  return std::find(requirements.begin(), requirements.end(), "identified") != requirements.end();
}

std::optional<Flow> parse_flow(const std::string& source, const std::string& text, base::Diagnostics& out,
                               const ConnectorCatalog* catalog) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception&) {
    return std::nullopt;  // malformed JSON or a number out of range: the content compiler's JSON check reports it
  }
  Reader r(source, text, out);
  if (!doc.is_object()) {
    r.error("", "a flow must be a JSON object");
    return std::nullopt;
  }
  Flow f;
  r.only(doc, "", {"$schema", "id", "title", "locale", "category", "intents", "requires", "pages", "start", "steps", "inputs", "subflow",
                   "linked_from"});
  const bool linked = doc.contains("linked_from");
  if (linked) {
    f.linked_from = r.strings(doc, "", "linked_from");
  }
  f.subflow = r.boolean(doc, "", "subflow", false);
  if (auto in = doc.find("inputs"); in != doc.end()) {
    if (!in->is_object()) r.error("/inputs", "'inputs' names what a caller passes: {\"email\": {\"required\": true}}");
    else for (const auto& [name, spec] : in->items()) {
      const std::string ip = base::json_pointer_child("/inputs", name);
      std::string why;
      if (auto ref = parse_ref("inputs." + name, why); !ref || name.find('/') != std::string::npos)
        r.error(ip, "input name '" + name + "' must be letters, digits, '_' and '-'");
      if (!spec.is_object()) {
        r.error(ip, "an input is {\"required\": true|false}");
        continue;
      }
      r.only(spec, ip, {"required"});
      f.inputs[name].required = r.boolean(spec, ip, "required", false);
    }
  }
  f.id = r.string(doc, "", "id", true);
  f.title = r.string(doc, "", "title", true);
  f.locale = r.string(doc, "", "locale", true);
  f.category = r.string(doc, "", "category", false);
  f.intents = r.strings(doc, "", "intents");
  f.requirements = r.strings(doc, "", "requires");
  f.pages = r.strings(doc, "", "pages");
  for (size_t i = 0; i < f.pages.size(); ++i)
    if (const std::string why = base::page_pattern_error(f.pages[i]); !why.empty()) r.error("/pages/" + std::to_string(i), why);
  f.start = r.string(doc, "", "start", true);
  if (!f.id.empty() && !base::is_valid_id(f.id))
    r.error("/id", "invalid id '" + f.id + "': use lower-case letters, digits and single hyphens");
  if (!f.locale.empty() && !text::find_locale(f.locale)) r.error("/locale", "unknown locale '" + f.locale + "'");
  for (const auto& req : f.requirements)
    if (req != "identified") r.error("/requires", "unknown requirement '" + req + "' (expected identified)");

  auto steps = doc.find("steps");
  if (steps == doc.end() || !steps->is_object() || steps->empty()) {
    r.error(steps == doc.end() ? "" : "/steps", "a flow needs 'steps': an object of named steps");
    return std::nullopt;
  }
  for (const auto& [id, step] : steps->items()) f.steps[id] = read_step(r, id, step, base::json_pointer_child("/steps", id), linked);
  if (!r.ok()) return std::nullopt;
  // A return step goes on as its call step's outcomes say.
  for (auto& [id, step] : f.steps) {
    if (step.kind != StepKind::kReturn) continue;
    auto call = f.steps.find(step.call);
    if (call == f.steps.end() || call->second.kind != StepKind::kCall) r.error(base::json_pointer_child("/steps", id) + "/call", "'" + step.call + "' is not a call step");
    else step.outcomes = call->second.outcomes;
  }
  check_flow(f, r, catalog);
  if (!r.ok()) return std::nullopt;
  return f;
}

const char* to_string(DoneState s) {
  switch (s) {
    case DoneState::kResolved: return "resolved";
    case DoneState::kUnresolved: return "unresolved";
    case DoneState::kEscalate: return "escalate";
  }
  return "";
}

const char* to_string(StepKind k) {
  for (const auto& [name, kind] : kKinds)
    if (kind == k) return name.c_str();
  return "";
}

const char* to_string(FieldType t) {
  for (const auto& [name, type] : kTypes)
    if (type == t) return name.c_str();
  return "";
}

}  // namespace firstfix::flow
