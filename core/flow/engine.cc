#include "core/flow/engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "core/flow/expression.h"
#include "core/flow/pattern.h"
#include "core/flow/value.h"

namespace firstfix::flow {
namespace {

using nlohmann::json;

std::string trimmed(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  return begin == std::string::npos ? "" : s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

size_t utf8_length(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool valid_email(const std::string& s) {
  auto at = s.find('@');
  if (at == std::string::npos || at == 0 || s.find('@', at + 1) != std::string::npos) return false;
  auto dot = s.find('.', at + 2);
  return dot != std::string::npos && dot + 1 < s.size() && s.find_first_of(" \t\r\n<>,;") == std::string::npos;
}

bool valid_phone(const std::string& s) {
  size_t digits = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') ++digits;
    else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')' && c != '.') return false;
  }
  return digits >= 7 && digits <= 15;
}

bool empty_value(const json& v) {
  return v.is_null() || (v.is_string() && v.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) ||
         (v.is_array() && v.empty());
}

Advance end_for_a_person(Session& session, const std::string& why) {
  session.done_state = to_string(DoneState::kEscalate);
  session.end_reason = why;
  session.failure_reasons.push_back(why);
  Advance a;
  a.kind = Advance::Kind::kDone;
  return a;
}

json whole_if_integral(double x) {
  if (std::floor(x) == x && std::fabs(x) < 9e15) return static_cast<long long>(x);
  return x;
}

// Moves to `next` and runs the steps that need no customer: branches, set
// steps, ask steps whose every field is known, actions (handed to the
// caller) and done states.
Advance go(const Flow& flow, Session& session, std::string next, const std::string& today) {
  for (int guard = 0; guard < 1000; ++guard) {
    const Step& step = flow.step(next);
    if (step.max_attempts) {
      unsigned& entered = session.attempts[next];
      if (entered >= *step.max_attempts) {
        next = step.then;
        continue;
      }
      ++entered;
    }
    session.step = next;
    session.history.push_back(next);
    switch (step.kind) {
      case StepKind::kBranch: {
        next = step.otherwise;
        for (const auto& c : step.cases)
          if (holds(c.when, session, today)) {
            next = c.next;
            break;
          }
        continue;
      }
      case StepKind::kSet: {
        json computed = json::object();
        for (const auto& [name, e] : step.values) {
          std::string why;
          const auto x = evaluate(e, session, why);
          if (!x) return end_for_a_person(session, "step '" + step.id + "' could not compute vars." + name + ": " + why);
          computed[name] = whole_if_integral(*x);
        }
        session.vars.update(computed);
        next = step.next;
        continue;
      }
      case StepKind::kAsk: {
        size_t known = 0;
        for (const auto& f : step.fields)
          if (auto v = known_answer(f, session, today)) {
            session.answers[f.name] = *v;
            ++known;
          }
        if (known < step.fields.size()) return Advance{};
        session.history.pop_back();  // never shown: going back must not land on it
        next = step.next;
        continue;
      }
      case StepKind::kCall: {
        if (step.entry.empty()) throw std::logic_error("call step '" + step.id + "' of flow '" + flow.id + "' was not linked to flow '" + step.callee + "'");
        json input = json::object();
        for (const auto& [name, value] : step.input) input[name] = resolve(value, session).value_or(json());
        session.steps[step.id] = {{"input", input}};
        next = step.entry;
        continue;
      }
      case StepKind::kReturn: {
        // The sub-flow ended: its caller reads what it returned, and goes on by its outcome.
        json result = json::object();
        for (const auto& [key, value] : step.result) result[key] = resolve(value, session).value_or(json());
        json& call = session.steps[step.call];
        call["outcome"] = step.outcome;
        call["result"] = result;
        if (step.done_state == DoneState::kUnresolved)
          session.failure_reasons.push_back(step.title.empty() ? "'" + step.call + "' ended unresolved" : step.title);
        auto it = step.outcomes.find(step.outcome);
        if (it == step.outcomes.end()) it = step.outcomes.find(kAnyOutcome);
        if (it == step.outcomes.end())
          return end_for_a_person(session, "flow '" + flow.step(step.call).callee + "' ended with '" + step.outcome + "', which step '" +
                                               step.call + "' does not handle");
        if (it->second.failure)
          session.failure_reasons.push_back(it->second.reason.empty() ? step.call + ": " + step.outcome : it->second.reason);
        next = it->second.next;
        continue;
      }
      case StepKind::kAction: {
        Advance a;
        a.kind = Advance::Kind::kRunAction;
        a.connector = step.connector;
        a.input = json::object();
        for (const auto& [param, value] : step.input) a.input[param] = resolve(value, session).value_or(json());
        return a;
      }
      case StepKind::kDone: {
        session.done_state = to_string(step.done_state);
        if (step.done_state == DoneState::kUnresolved)
          session.failure_reasons.push_back(step.title.empty() ? "flow ended unresolved at '" + step.id + "'" : step.title);
        Advance a;
        a.kind = Advance::Kind::kDone;
        return a;
      }
      default:
        return Advance{};
    }
  }
  throw std::logic_error("flow '" + flow.id + "' loops through branches without asking anything");
}

// Validation messages per locale; {label} is the field's label, {n} a limit.
// A locale without its own text falls back to English.
const std::map<std::string, std::map<std::string, std::string>>& validation_catalog() {
  static const std::map<std::string, std::map<std::string, std::string>> catalog = {
      {"en",
       {{"required", "{label} is required."},
        {"text", "{label} must be text."},
        {"number", "{label} must be a number."},
        {"integer", "{label} must be a whole number."},
        {"at_least", "Give at least {n} of: {label}."},
        {"one_of", "Give one of: {label} (only one)."},
        {"list", "{label} must be a list of choices."},
        {"choices", "{label}: choose from the options given."},
        {"choose_min", "{label}: choose at least {n}."},
        {"choose_max", "{label}: choose at most {n}."},
        {"min", "{label} must be at least {n}."},
        {"max", "{label} must be at most {n}."},
        {"min_length", "{label} must be at least {n} characters."},
        {"max_length", "{label} must be at most {n} characters."},
        {"too_long", "{label} is too long."},
        {"email", "{label} must be an email address, like name@example.com."},
        {"phone", "{label} must be a phone number (7 to 15 digits)."},
        {"date", "{label} must be a date (YYYY-MM-DD)."},
        {"after", "{label} must be on or after {n}."},
        {"before", "{label} must be on or before {n}."},
        {"choice", "{label}: choose one of the options given."},
        {"format", "{label} is not in the expected format."}}},
      {"es",
       {{"required", "{label}: este campo es obligatorio."},
        {"text", "{label} debe ser texto."},
        {"number", "{label} debe ser un número."},
        {"integer", "{label} debe ser un número entero."},
        {"at_least", "Indica al menos {n} de: {label}."},
        {"one_of", "Indica uno de: {label} (solo uno)."},
        {"list", "{label} debe ser una lista de opciones."},
        {"choices", "{label}: elige entre las opciones indicadas."},
        {"choose_min", "{label}: elige al menos {n}."},
        {"choose_max", "{label}: elige como máximo {n}."},
        {"min", "{label} debe ser como mínimo {n}."},
        {"max", "{label} debe ser como máximo {n}."},
        {"min_length", "{label} debe tener al menos {n} caracteres."},
        {"max_length", "{label} debe tener como máximo {n} caracteres."},
        {"too_long", "{label} es demasiado largo."},
        {"email", "{label} debe ser una dirección de correo, como nombre@ejemplo.com."},
        {"phone", "{label} debe ser un número de teléfono (de 7 a 15 cifras)."},
        {"date", "{label} debe ser una fecha (AAAA-MM-DD)."},
        {"after", "{label} debe ser el {n} o posterior."},
        {"before", "{label} debe ser el {n} o anterior."},
        {"choice", "{label}: elige una de las opciones indicadas."},
        {"format", "{label} no tiene el formato esperado."}}},
  };
  return catalog;
}

std::string validation_message(const std::string& locale, const char* key, const std::string& label, const std::string& n) {
  const auto& catalog = validation_catalog();
  auto lang = catalog.find(locale);
  if (lang == catalog.end() || !lang->second.count(key)) lang = catalog.find("en");
  std::string text = lang->second.at(key);
  for (auto [name, value] : {std::pair<const char*, const std::string*>{"{label}", &label}, {"{n}", &n}})
    if (auto at = text.find(name); at != std::string::npos) text.replace(at, std::strlen(name), *value);
  return text;
}

Advance invalid(std::string field, std::string message) {
  Advance a;
  a.kind = Advance::Kind::kInvalid;
  a.errors.push_back({std::move(field), std::move(message)});
  return a;
}

bool boolean_answer(const json& input, const char* key, bool& out) {
  auto it = input.find(key);
  if (it == input.end() || !it->is_boolean()) return false;
  out = it->get<bool>();
  return true;
}

}  // namespace

std::string validate_field(const Field& f, const json& v, const std::string& locale, const std::string& today) {
  auto say = [&](const char* key, const std::string& n = "") { return validation_message(locale, key, f.label.empty() ? f.name : f.label, n); };
  if (empty_value(v)) return f.required ? say("required") : "";
  switch (f.type) {
    case FieldType::kText:
    case FieldType::kEmail:
    case FieldType::kPhone:
    case FieldType::kDate:
    case FieldType::kChoice:
    case FieldType::kPhoto:
      if (!v.is_string()) return say("text");
      break;
    case FieldType::kNumber:
    case FieldType::kInteger:
      if (!v.is_number() && !v.is_string()) return say("number");
      break;
    case FieldType::kMultiChoice:
      if (!v.is_array()) return say("list");
      break;
  }
  if (f.type == FieldType::kMultiChoice) {
    for (const auto& item : v)
      if (!item.is_string() || std::find(f.choices.begin(), f.choices.end(), item.get<std::string>()) == f.choices.end())
        return say("choices");
    if (f.min_length && v.size() < *f.min_length) return say("choose_min", std::to_string(*f.min_length));
    if (f.max_length && v.size() > *f.max_length) return say("choose_max", std::to_string(*f.max_length));
    return "";
  }
  if (f.type == FieldType::kNumber || f.type == FieldType::kInteger) {
    const auto x = as_number(v.is_string() ? json(trimmed(v.get<std::string>())) : v);
    if (!x) return say("number");
    if (f.type == FieldType::kInteger && (std::floor(*x) != *x || std::fabs(*x) > 9e15)) return say("integer");
    if (f.min.is_number() && *x < f.min.get<double>()) return say("min", f.min.dump());
    if (f.max.is_number() && *x > f.max.get<double>()) return say("max", f.max.dump());
    return "";
  }
  const std::string s = v.get<std::string>();
  const size_t length = utf8_length(s);
  if (f.min_length && length < *f.min_length) return say("min_length", std::to_string(*f.min_length));
  if (f.max_length && length > *f.max_length) return say("max_length", std::to_string(*f.max_length));
  if (length > 10000) return say("too_long");
  switch (f.type) {
    case FieldType::kEmail:
      if (!valid_email(s)) return say("email");
      break;
    case FieldType::kPhone:
      if (!valid_phone(s)) return say("phone");
      break;
    case FieldType::kDate: {
      if (!valid_date(s)) return say("date");
      // A relative bound ("today-90d") needs today; without it the server, which always has it, decides.
      const auto min = f.min.is_string() ? resolve_date(f.min.get<std::string>(), today) : std::nullopt;
      const auto max = f.max.is_string() ? resolve_date(f.max.get<std::string>(), today) : std::nullopt;
      if (min && s < *min) return say("after", *min);
      if (max && s > *max) return say("before", *max);
      break;
    }
    case FieldType::kChoice:
      if (std::find(f.choices.begin(), f.choices.end(), s) == f.choices.end()) return say("choice");
      break;
    default:
      break;
  }
  if (!f.pattern.empty() && !matches_pattern(f.pattern, s))
    return say("format");
  return "";
}

std::optional<json> known_answer(const Field& f, const Session& s, const std::string& today) {
  if (!f.from) return std::nullopt;
  auto v = lookup(*f.from, s);
  if (!v || empty_value(*v) || !validate_field(f, *v, "en", today).empty()) return std::nullopt;
  return v;
}

namespace {

// The answer as stored: text trimmed, numbers as numbers.
json stored_answer(const Field& f, json v) {
  if (v.is_string()) v = trimmed(v.get<std::string>());
  if ((f.type == FieldType::kNumber || f.type == FieldType::kInteger) && v.is_string() && !v.get<std::string>().empty()) {
    const double x = *as_number(v);
    v = f.type == FieldType::kInteger ? json(static_cast<long long>(x)) : json(x);
  }
  return v;
}

std::string rule_error(const FieldRule& rule, const Step& step, const json& input, const std::string& locale) {
  size_t given = 0;
  std::string labels;
  for (const auto& name : rule.fields) {
    const auto f = std::find_if(step.fields.begin(), step.fields.end(), [&](const Field& x) { return x.name == name; });
    labels += (labels.empty() ? "" : ", ") + (f->label.empty() ? name : f->label);
    if (auto v = input.find(name); v != input.end() && !empty_value(*v)) ++given;
  }
  if (rule.at_most && given > *rule.at_most) return validation_message(locale, "one_of", labels, "");
  if (given < rule.at_least) return validation_message(locale, rule.at_most ? "one_of" : "at_least", labels, std::to_string(rule.at_least));
  return "";
}

}  // namespace

std::vector<FieldError> check_answers(const Flow& flow, const std::string& step_id, const json& input, const std::string& today,
                                      const Session* session) {
  std::vector<FieldError> errors;
  auto it = flow.steps.find(step_id);
  if (it == flow.steps.end()) return {{"", "flow '" + flow.id + "' has no step '" + step_id + "'"}};
  const Step& step = it->second;
  if (!input.is_object()) return {{"", "an answer must be a JSON object"}};
  auto asked = [&](const Field& f) {
    // Without the session (the widget's instant check), a field that may be known is checked only when given.
    if (session) return !known_answer(f, *session, today).has_value();
    return !f.from || input.contains(f.name);
  };
  for (auto in = input.begin(); in != input.end(); ++in) {
    const std::string key = in.key();
    bool known = std::any_of(step.fields.begin(), step.fields.end(), [&](const Field& f) { return f.name == key && asked(f); });
    if (!known) errors.push_back({key, "unknown field '" + key + "'"});
  }
  for (const auto& f : step.fields) {
    if (!asked(f)) continue;
    std::string message = validate_field(f, input.value(f.name, json()), flow.locale, today);
    if (!message.empty()) errors.push_back({f.name, message});
  }
  if (errors.empty())
    for (const auto& rule : step.rules)
      if (std::string message = rule_error(rule, step, input, flow.locale); !message.empty()) errors.push_back({rule.fields.front(), message});
  return errors;
}

Advance start(const Flow& flow, Session& session, const std::string& today, const json& identity) {
  const bool identified = identity.is_object() && identity.value("id", json()).is_string() && !identity["id"].get<std::string>().empty();
  if (flow.requires_identity() && !identified)
    throw std::invalid_argument("flow '" + flow.id + "' needs a customer the host site has identified");
  session = Session{};
  session.flow_id = flow.id;
  if (identified) session.identity = identity;
  return go(flow, session, flow.start, today);
}

Advance submit(const Flow& flow, Session& session, const std::string& expected_step, const json& input, const std::string& today) {
  if (session.done()) return invalid("", "this flow has already ended");
  if (expected_step != session.step) return invalid("", "this answer is for step '" + expected_step + "', but the flow is at '" + session.step + "'");
  if (!input.is_object()) return invalid("", "an answer must be a JSON object");
  const Step& step = flow.step(session.step);
  switch (step.kind) {
    case StepKind::kMessage:
      return go(flow, session, step.next, today);
    case StepKind::kAsk: {
      Advance a;
      a.kind = Advance::Kind::kInvalid;
      a.errors = check_answers(flow, step.id, input, today, &session);
      if (!a.errors.empty()) return a;
      for (const auto& f : step.fields) {
        if (auto known = known_answer(f, session, today)) session.answers[f.name] = *known;
        else session.answers[f.name] = stored_answer(f, input.value(f.name, json()));
      }
      return go(flow, session, step.next, today);
    }
    case StepKind::kConfirm: {
      bool yes = false;
      if (!boolean_answer(input, "confirm", yes)) return invalid("confirm", "answer with {\"confirm\": true} or {\"confirm\": false}");
      return go(flow, session, yes ? step.yes : step.no, today);
    }
    case StepKind::kOffer: {
      bool accept = false;
      if (!boolean_answer(input, "accept", accept)) return invalid("accept", "answer with {\"accept\": true} or {\"accept\": false}");
      session.answers["offer:" + step.id] = accept ? "accepted" : "declined";
      return go(flow, session, accept ? step.accept : step.decline, today);
    }
    default:
      return invalid("", "step '" + step.id + "' takes no answer from the customer");
  }
}

Advance record_action(const Flow& flow, Session& session, const std::string& outcome, const json& data, const std::string& today) {
  const Step& step = flow.step(session.step);
  if (session.done() || step.kind != StepKind::kAction) return invalid("", "no action is waiting for a result");
  session.outcome = outcome;
  session.result = data.is_object() ? data : json::object();
  session.steps[step.id] = {{"outcome", outcome}, {"result", session.result}};
  auto it = step.outcomes.find(outcome);
  if (it == step.outcomes.end()) it = step.outcomes.find(kAnyOutcome);
  // The action happened: the customer must never be told nothing changed.
  // A person finishes what the flow cannot, with the outcome on record.
  if (it == step.outcomes.end())
    return end_for_a_person(session, "action '" + step.connector + "' answered '" + outcome + "', which step '" + step.id + "' does not handle");
  if (it->second.failure)
    session.failure_reasons.push_back(it->second.reason.empty() ? step.connector + ": " + outcome : it->second.reason);
  return go(flow, session, it->second.next, today);
}

void record_not_solved(Session& session, const std::string& reason) {
  session.failure_reasons.push_back(reason.empty() ? "the customer said this did not solve the problem" : reason);
}

namespace {

// Replaces every string equal to one of `secrets`, wherever it was copied
// to (a sub-flow's result, an action's input echoed back).
void redact_copies(json& v, const std::set<std::string>& secrets) {
  if (v.is_string()) {
    if (secrets.count(v.get_ref<const std::string&>())) v = kRedacted;
  } else if (v.is_structured()) {
    for (auto& x : v) redact_copies(x, secrets);
  }
}

std::set<std::string> sensitive_answers(const Flow& flow, const Session& s) {
  std::set<std::string> secrets;
  for (const auto& [name, value] : s.answers.items())
    if (const Field* f = flow.field(name); f && f->sensitive && value.is_string() && !value.get_ref<const std::string&>().empty())
      secrets.insert(value.get<std::string>());
  return secrets;
}

}  // namespace

json redact_sensitive(const Flow& flow, const Session& session, json value) {
  redact_copies(value, sensitive_answers(flow, session));
  return value;
}

json to_json(const Flow& flow, const Session& s, bool redact) {
  json answers = s.answers, result = s.result, steps = s.steps, vars = s.vars;
  if (redact) {
    for (auto& [name, value] : answers.items())
      if (const Field* f = flow.field(name); f && f->sensitive) value = kRedacted;
    const auto secrets = sensitive_answers(flow, s);
    for (json* part : {&result, &steps, &vars}) redact_copies(*part, secrets);
  }
  json out = {{"flow", s.flow_id},     {"step", s.step},
              {"answers", answers},    {"outcome", s.outcome},
              {"result", result},      {"steps", steps},
              {"vars", vars},          {"identity", s.identity},
              {"attempts", s.attempts}, {"history", s.history},
              {"failures", s.failure_reasons}, {"done_state", s.done_state}};
  if (!s.end_reason.empty()) out["end_reason"] = s.end_reason;
  return out;
}

json to_json(const Advance& a) {
  static const char* kinds[] = {"show_step", "invalid", "run_action", "done"};
  json errors = json::array();
  for (const auto& e : a.errors) errors.push_back({{"field", e.field}, {"message", e.message}});
  json out = {{"kind", kinds[static_cast<int>(a.kind)]}, {"errors", errors}};
  if (a.kind == Advance::Kind::kRunAction) {
    out["connector"] = a.connector;
    out["input"] = a.input;
  }
  return out;
}

Session session_from_json(const json& j) {
  try {
    Session s;
    s.flow_id = j.at("flow").get<std::string>();
    s.step = j.at("step").get<std::string>();
    s.answers = j.at("answers");
    s.outcome = j.at("outcome").get<std::string>();
    s.result = j.at("result");
    s.history = j.at("history").get<std::vector<std::string>>();
    s.failure_reasons = j.at("failures").get<std::vector<std::string>>();
    s.done_state = j.at("done_state").get<std::string>();
    // Sessions stored before per-step results, vars and attempts existed go on without them.
    s.steps = j.value("steps", json::object());
    s.vars = j.value("vars", json::object());
    s.identity = j.value("identity", json());
    s.attempts = j.value("attempts", std::map<std::string, unsigned>{});
    s.end_reason = j.value("end_reason", "");
    if (!s.answers.is_object() || !s.result.is_object() || !s.steps.is_object() || !s.vars.is_object())
      throw std::invalid_argument("answers, result, steps and vars must be objects");
    return s;
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed flow session: ") + e.what());
  }
}

}  // namespace firstfix::flow
