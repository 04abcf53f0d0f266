#include "core/flow/flow.h"

#include <set>

#include "core/base/id.h"
#include "core/flow/pattern.h"
#include "core/base/json_positions.h"
#include "core/flow/message_template.h"
#include "core/text/analyzer.h"

namespace firstfix::flow {
namespace {

using nlohmann::json;

const std::map<std::string, StepKind> kKinds = {
    {"message", StepKind::kMessage}, {"ask", StepKind::kAsk},       {"confirm", StepKind::kConfirm},
    {"action", StepKind::kAction},   {"branch", StepKind::kBranch}, {"offer", StepKind::kOffer},
    {"done", StepKind::kDone}};
const std::map<std::string, FieldType> kTypes = {
    {"text", FieldType::kText},     {"email", FieldType::kEmail},   {"phone", FieldType::kPhone},
    {"number", FieldType::kNumber}, {"date", FieldType::kDate},     {"choice", FieldType::kChoice},
    {"multi-choice", FieldType::kMultiChoice}, {"photo", FieldType::kPhoto}};
const std::map<std::string, DoneState> kDoneStates = {
    {"resolved", DoneState::kResolved}, {"unresolved", DoneState::kUnresolved}, {"escalate", DoneState::kEscalate}};

// Reads typed values from JSON, reporting problems at their position.
class Reader {
 public:
  Reader(const std::string& source, const std::string& text, base::Diagnostics& out)
      : source_(source), positions_(text), out_(out) {}

  void error(const std::string& pointer, const std::string& message) {
    auto [line, column] = positions_.at(pointer);
    out_.push_back({source_, line, column, message});
    ok_ = false;
  }

  static std::string where(const std::string& pointer) { return pointer.empty() ? "the flow" : "'" + pointer + "'"; }

  std::string string(const json& obj, const std::string& ptr, const char* key, bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) error(ptr, std::string("missing required field '") + key + "' in " + where(ptr));
      return {};
    }
    if (!it->is_string() || it->get<std::string>().empty()) {
      error(base::json_pointer_child(ptr, key), std::string("field '") + key + "' must be a non-empty string");
      return {};
    }
    return it->get<std::string>();
  }

  std::vector<std::string> strings(const json& obj, const std::string& ptr, const char* key) {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end()) return out;
    const std::string p = base::json_pointer_child(ptr, key);
    if (!it->is_array()) {
      error(p, std::string("field '") + key + "' must be a list of strings");
      return out;
    }
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) error(p + "/" + std::to_string(i), std::string("field '") + key + "' must contain only strings");
      else out.push_back((*it)[i].get<std::string>());
    }
    return out;
  }

  bool boolean(const json& obj, const std::string& ptr, const char* key, bool fallback) {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_boolean()) {
      error(base::json_pointer_child(ptr, key), std::string("field '") + key + "' must be true or false");
      return fallback;
    }
    return it->get<bool>();
  }

  std::optional<size_t> count(const json& obj, const std::string& ptr, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    if (!it->is_number_unsigned()) {
      error(base::json_pointer_child(ptr, key), std::string("field '") + key + "' must be a whole number");
      return std::nullopt;
    }
    return it->get<size_t>();
  }

  void only(const json& obj, const std::string& ptr, std::initializer_list<const char*> allowed) {
    for (const auto& [key, value] : obj.items()) {
      bool known = false;
      std::string list;
      for (const char* a : allowed) {
        known |= key == a;
        list += (list.empty() ? "" : ", ") + std::string(a);
      }
      if (!known) error(base::json_pointer_child(ptr, key), "unknown field '" + key + "' (expected " + list + ")");
    }
  }

  bool ok() const { return ok_; }

 private:
  const std::string& source_;
  base::JsonPositions positions_;
  base::Diagnostics& out_;
  bool ok_ = true;
};

Field read_field(Reader& r, const json& j, const std::string& ptr) {
  Field f;
  r.only(j, ptr, {"name", "label", "type", "required", "pattern", "min", "max", "min_length", "max_length", "choices", "sensitive", "hint"});
  f.name = r.string(j, ptr, "name", true);
  f.label = r.string(j, ptr, "label", false);
  if (f.label.empty()) f.label = f.name;
  const std::string type = j.contains("type") ? r.string(j, ptr, "type", true) : "text";
  if (auto t = kTypes.find(type); t != kTypes.end()) f.type = t->second;
  else if (!type.empty()) r.error(ptr + "/type", "unknown field type '" + type + "' (expected text, email, phone, number, date, choice, multi-choice, photo)");
  f.required = r.boolean(j, ptr, "required", true);
  f.sensitive = r.boolean(j, ptr, "sensitive", false);
  f.hint = r.string(j, ptr, "hint", false);
  f.pattern = r.string(j, ptr, "pattern", false);
  if (!f.pattern.empty()) {
    if (const std::string why = pattern_error(f.pattern); !why.empty()) r.error(ptr + "/pattern", "pattern does not compile: " + why);
  }
  for (const char* key : {"min", "max"}) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    const bool number_ok = f.type == FieldType::kNumber && it->is_number();
    const bool date_ok = f.type == FieldType::kDate && it->is_string() && it->get<std::string>().size() == 10;
    if (!number_ok && !date_ok)
      r.error(base::json_pointer_child(ptr, key), std::string("'") + key + "' applies to number fields (a number) and date fields (\"YYYY-MM-DD\")");
    else (std::string(key) == "min" ? f.min : f.max) = *it;
  }
  f.min_length = r.count(j, ptr, "min_length");
  f.max_length = r.count(j, ptr, "max_length");
  f.choices = r.strings(j, ptr, "choices");
  const bool choice = f.type == FieldType::kChoice || f.type == FieldType::kMultiChoice;
  if (choice && f.choices.empty()) r.error(ptr, "field '" + f.name + "' of type " + type + " needs 'choices'");
  if (!choice && !f.choices.empty()) r.error(ptr + "/choices", "'choices' applies to choice and multi-choice fields");
  return f;
}

Condition read_condition(Reader& r, const json& j, const std::string& ptr) {
  Condition c;
  c.field = r.string(j, ptr, "field", true);
  int ops = 0;
  for (const char* op : {"equals", "not_equals", "in", "exists"}) {
    if (!j.contains(op)) continue;
    ++ops;
    c.op = op;
    c.value = j.at(op);
    if (c.op == "in" && !c.value.is_array()) r.error(ptr + "/in", "'in' takes a list of values");
    if (c.op == "exists" && !c.value.is_boolean()) r.error(ptr + "/exists", "'exists' takes true or false");
  }
  if (ops != 1) r.error(ptr, "a condition needs exactly one of equals, not_equals, in, exists");
  r.only(j, ptr, {"field", "equals", "not_equals", "in", "exists"});
  return c;
}

Step read_step(Reader& r, const std::string& id, const json& j, const std::string& ptr) {
  Step s;
  s.id = id;
  if (!j.is_object()) {
    r.error(ptr, "step '" + id + "' must be an object");
    return s;
  }
  const std::string kind = r.string(j, ptr, "kind", true);
  auto k = kKinds.find(kind);
  if (k == kKinds.end()) {
    if (!kind.empty()) r.error(ptr + "/kind", "unknown step kind '" + kind + "' (expected message, ask, confirm, action, branch, offer, done)");
    return s;
  }
  s.kind = k->second;
  s.title = r.string(j, ptr, "title", false);
  s.message = r.string(j, ptr, "message", s.kind == StepKind::kMessage || s.kind == StepKind::kConfirm ||
                                              s.kind == StepKind::kOffer || s.kind == StepKind::kDone);
  switch (s.kind) {
    case StepKind::kMessage:
      r.only(j, ptr, {"kind", "title", "message", "next"});
      s.next = r.string(j, ptr, "next", true);
      break;
    case StepKind::kAsk: {
      r.only(j, ptr, {"kind", "title", "message", "fields", "next"});
      s.next = r.string(j, ptr, "next", true);
      auto fields = j.find("fields");
      if (fields == j.end() || !fields->is_array() || fields->empty()) {
        r.error(fields == j.end() ? ptr : ptr + "/fields", "an ask step needs a non-empty list of 'fields'");
        break;
      }
      for (size_t i = 0; i < fields->size(); ++i) {
        const std::string fp = ptr + "/fields/" + std::to_string(i);
        if (!(*fields)[i].is_object()) r.error(fp, "a field must be an object");
        else s.fields.push_back(read_field(r, (*fields)[i], fp));
      }
      break;
    }
    case StepKind::kConfirm:
      r.only(j, ptr, {"kind", "title", "message", "yes", "no", "yes_label", "no_label"});
      s.yes = r.string(j, ptr, "yes", true);
      s.no = r.string(j, ptr, "no", true);
      s.yes_label = r.string(j, ptr, "yes_label", false);
      s.no_label = r.string(j, ptr, "no_label", false);
      break;
    case StepKind::kOffer:
      r.only(j, ptr, {"kind", "title", "message", "accept", "decline", "accept_label", "decline_label"});
      s.accept = r.string(j, ptr, "accept", true);
      s.decline = r.string(j, ptr, "decline", true);
      s.accept_label = r.string(j, ptr, "accept_label", false);
      s.decline_label = r.string(j, ptr, "decline_label", false);
      break;
    case StepKind::kAction: {
      r.only(j, ptr, {"kind", "title", "message", "connector", "input", "outcomes"});
      s.connector = r.string(j, ptr, "connector", true);
      if (auto in = j.find("input"); in != j.end()) {
        if (!in->is_object()) r.error(ptr + "/input", "'input' maps connector parameters to answer names");
        else for (const auto& [param, answer] : in->items()) {
          if (!answer.is_string()) r.error(base::json_pointer_child(ptr + "/input", param), "input '" + param + "' must name an answer");
          else s.input[param] = answer.get<std::string>();
        }
      }
      auto outcomes = j.find("outcomes");
      if (outcomes == j.end() || !outcomes->is_object() || outcomes->empty()) {
        r.error(outcomes == j.end() ? ptr : ptr + "/outcomes", "an action step needs 'outcomes' mapping each outcome to a step");
        break;
      }
      for (const auto& [name, o] : outcomes->items()) {
        const std::string op = base::json_pointer_child(ptr + "/outcomes", name);
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
        s.outcomes[name] = out;
      }
      break;
    }
    case StepKind::kBranch: {
      r.only(j, ptr, {"kind", "title", "cases", "otherwise"});
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
        out.next = r.string(c, cp, "next", true);
        r.only(c, cp, {"when", "next"});
        auto when = c.find("when");
        if (when != c.end() && when->is_object()) out.when.push_back(read_condition(r, *when, cp + "/when"));
        else if (when != c.end() && when->is_array())
          for (size_t w = 0; w < when->size(); ++w) out.when.push_back(read_condition(r, (*when)[w], cp + "/when/" + std::to_string(w)));
        else r.error(cp, "a case needs 'when': a condition or a list of conditions");
        s.cases.push_back(out);
      }
      break;
    }
    case StepKind::kDone: {
      r.only(j, ptr, {"kind", "title", "message", "state"});
      const std::string state = r.string(j, ptr, "state", true);
      if (auto d = kDoneStates.find(state); d != kDoneStates.end()) s.done_state = d->second;
      else if (!state.empty()) r.error(ptr + "/state", "unknown done state '" + state + "' (expected resolved, unresolved, escalate)");
      break;
    }
  }
  return s;
}

std::vector<std::pair<std::string, std::string>> successors(const Step& s) {
  std::vector<std::pair<std::string, std::string>> out;  // (pointer suffix, step id)
  auto add = [&](const std::string& key, const std::string& id) { if (!id.empty()) out.emplace_back(key, id); };
  add("next", s.next);
  add("yes", s.yes);
  add("no", s.no);
  add("accept", s.accept);
  add("decline", s.decline);
  add("otherwise", s.otherwise);
  for (const auto& [name, o] : s.outcomes) add("outcomes/" + name, o.next);
  for (size_t i = 0; i < s.cases.size(); ++i) add("cases/" + std::to_string(i) + "/next", s.cases[i].next);
  return out;
}

}  // namespace

const Field* Flow::field(const std::string& name) const {
  for (const auto& entry : steps)
    for (const auto& f : entry.second.fields)
      if (f.name == name) return &f;
  return nullptr;
}

std::optional<Flow> parse_flow(const std::string& source, const std::string& text, base::Diagnostics& out) {
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
  r.only(doc, "", {"id", "title", "locale", "category", "intents", "requires", "pages", "start", "steps"});
  f.id = r.string(doc, "", "id", true);
  f.title = r.string(doc, "", "title", true);
  f.locale = r.string(doc, "", "locale", true);
  f.category = r.string(doc, "", "category", false);
  f.intents = r.strings(doc, "", "intents");
  f.requirements = r.strings(doc, "", "requires");
  f.pages = r.strings(doc, "", "pages");
  for (size_t i = 0; i < f.pages.size(); ++i)
    if (f.pages[i].empty() || f.pages[i][0] != '/') r.error("/pages/" + std::to_string(i), "a page pattern is a path starting with '/', like \"/orders*\"");
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
  for (const auto& [id, step] : steps->items()) f.steps[id] = read_step(r, id, step, base::json_pointer_child("/steps", id));
  if (!r.ok()) return std::nullopt;

  // The graph: every named step exists, every step is reachable, and a done
  // step can be reached.
  if (!f.steps.count(f.start)) r.error("/start", "start step '" + f.start + "' does not exist");
  std::set<std::string> asked;
  for (const auto& [id, s] : f.steps)
    for (const auto& field : s.fields) {
      if (asked.count(field.name)) r.error(base::json_pointer_child("/steps", id) + "/fields", "field '" + field.name + "' is asked twice");
      asked.insert(field.name);
    }
  for (const auto& [id, s] : f.steps) {
    const std::string ptr = base::json_pointer_child("/steps", id);
    for (const auto& [key, target] : successors(s))
      if (!f.steps.count(target)) r.error(ptr + "/" + key, "step '" + target + "' does not exist");
    for (const auto& [param, answer] : s.input)
      if (!asked.count(answer)) r.error(base::json_pointer_child(ptr + "/input", param), "input '" + param + "' names '" + answer + "', which no ask step asks");
    for (const auto* said : {&s.title, &s.message})
      for (const auto& name : template_names(*said)) {
        const char* key = said == &s.title ? "/title" : "/message";
        if (!valid_template_name(name))
          r.error(ptr + key, "malformed placeholder '" + name + "': write {{answer_name}} or {{result.key}}");
        else if (name.rfind("result.", 0) != 0 && !asked.count(name))
          r.error(ptr + key, "placeholder {{" + name + "}} names an answer no ask step asks");
        else if (const Field* field = f.field(name); field && field->sensitive)
          r.error(ptr + key, "placeholder {{" + name + "}} would show a sensitive answer");
      }
    for (size_t i = 0; i < s.cases.size(); ++i)
      for (const auto& c : s.cases[i].when)
        if (c.field != "outcome" && c.field.rfind("result.", 0) != 0 && !asked.count(c.field))
          r.error(ptr + "/cases/" + std::to_string(i), "condition on '" + c.field + "', which no ask step asks (use an answer, \"outcome\" or \"result.<key>\")");
  }
  if (!r.ok()) return std::nullopt;
  std::set<std::string> seen{f.start};
  std::vector<std::string> todo{f.start};
  bool reaches_done = false;
  while (!todo.empty()) {
    const Step& s = f.step(todo.back());
    todo.pop_back();
    reaches_done |= s.kind == StepKind::kDone;
    for (const auto& [key, target] : successors(s))
      if (seen.insert(target).second) todo.push_back(target);
  }
  for (const auto& [id, s] : f.steps)
    if (!seen.count(id)) r.error(base::json_pointer_child("/steps", id), "step '" + id + "' cannot be reached from the start");
  if (!reaches_done) r.error("/steps", "no done step can be reached: every flow must end in a clear done state");
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
