#include "core/flow/engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>

#include "core/flow/pattern.h"

namespace firstfix::flow {
namespace {

using nlohmann::json;

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

bool valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  const int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool empty_value(const json& v) {
  return v.is_null() || (v.is_string() && v.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) ||
         (v.is_array() && v.empty());
}

std::optional<json> lookup(const Session& s, const std::string& field) {
  if (field == "outcome") return s.outcome.empty() ? std::nullopt : std::optional<json>(s.outcome);
  const json& from = field.rfind("result.", 0) == 0 ? s.result : s.answers;
  auto it = from.find(field.rfind("result.", 0) == 0 ? field.substr(7) : field);
  return it == from.end() ? std::nullopt : std::optional<json>(*it);
}

bool holds(const Condition& c, const Session& s) {
  const auto v = lookup(s, c.field);
  if (c.op == "exists") return (v && !empty_value(*v)) == c.value.get<bool>();
  if (!v) return c.op == "not_equals";
  if (c.op == "equals") return *v == c.value;
  if (c.op == "not_equals") return *v != c.value;
  if (c.op == "in") return std::find(c.value.begin(), c.value.end(), *v) != c.value.end();
  return false;
}

// Moves to `next` and runs the steps that need no customer: branches,
// actions (handed to the caller) and done states.
Advance go(const Flow& flow, Session& session, std::string next) {
  for (int guard = 0; guard < 1000; ++guard) {
    const Step& step = flow.step(next);
    session.step = next;
    session.history.push_back(next);
    switch (step.kind) {
      case StepKind::kBranch: {
        next = step.otherwise;
        for (const auto& c : step.cases)
          if (std::all_of(c.when.begin(), c.when.end(), [&](const Condition& x) { return holds(x, session); })) {
            next = c.next;
            break;
          }
        continue;
      }
      case StepKind::kAction: {
        Advance a;
        a.kind = Advance::Kind::kRunAction;
        a.connector = step.connector;
        a.input = json::object();
        for (const auto& [param, answer] : step.input) a.input[param] = session.answers.value(answer, json());
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

std::string validate_field(const Field& f, const json& v, const std::string& locale) {
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
  if (f.type == FieldType::kNumber) {
    double x = 0;
    if (v.is_number()) {
      x = v.get<double>();
    } else {
      const std::string s = v.get<std::string>();
      char* end = nullptr;
      x = std::strtod(s.c_str(), &end);
      if (end == s.c_str() || *end != '\0') return say("number");
    }
    if (!std::isfinite(x)) return say("number");
    if (f.min.is_number() && x < f.min.get<double>()) return say("min", f.min.dump());
    if (f.max.is_number() && x > f.max.get<double>()) return say("max", f.max.dump());
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
    case FieldType::kDate:
      if (!valid_date(s)) return say("date");
      if (f.min.is_string() && s < f.min.get<std::string>()) return say("after", f.min.get<std::string>());
      if (f.max.is_string() && s > f.max.get<std::string>()) return say("before", f.max.get<std::string>());
      break;
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

std::vector<FieldError> check_answers(const Flow& flow, const std::string& step_id, const json& input) {
  std::vector<FieldError> errors;
  auto it = flow.steps.find(step_id);
  if (it == flow.steps.end()) return {{"", "flow '" + flow.id + "' has no step '" + step_id + "'"}};
  const Step& step = it->second;
  if (!input.is_object()) return {{"", "an answer must be a JSON object"}};
  for (auto in = input.begin(); in != input.end(); ++in) {
    const std::string key = in.key();
    bool known = std::any_of(step.fields.begin(), step.fields.end(), [&](const Field& f) { return f.name == key; });
    if (!known) errors.push_back({key, "unknown field '" + key + "'"});
  }
  for (const auto& f : step.fields) {
    std::string message = validate_field(f, input.value(f.name, json()), flow.locale);
    if (!message.empty()) errors.push_back({f.name, message});
  }
  return errors;
}

Advance start(const Flow& flow, Session& session, bool customer_identified) {
  for (const auto& r : flow.requirements)
    if (r == "identified" && !customer_identified)
      throw std::invalid_argument("flow '" + flow.id + "' needs an identified customer");
  session = Session{};
  session.flow_id = flow.id;
  return go(flow, session, flow.start);
}

Advance submit(const Flow& flow, Session& session, const std::string& expected_step, const json& input) {
  if (session.done()) return invalid("", "this flow has already ended");
  if (expected_step != session.step) return invalid("", "this answer is for step '" + expected_step + "', but the flow is at '" + session.step + "'");
  if (!input.is_object()) return invalid("", "an answer must be a JSON object");
  const Step& step = flow.step(session.step);
  switch (step.kind) {
    case StepKind::kMessage:
      return go(flow, session, step.next);
    case StepKind::kAsk: {
      Advance a;
      a.kind = Advance::Kind::kInvalid;
      a.errors = check_answers(flow, step.id, input);
      if (!a.errors.empty()) return a;
      for (const auto& f : step.fields) {
        json v = input.value(f.name, json());
        if (v.is_string()) v = v.get<std::string>().substr(0, v.get<std::string>().find_last_not_of(" \t\r\n") + 1);
        if (f.type == FieldType::kNumber && v.is_string() && !v.get<std::string>().empty()) v = std::stod(v.get<std::string>());
        session.answers[f.name] = v;
      }
      return go(flow, session, step.next);
    }
    case StepKind::kConfirm: {
      bool yes = false;
      if (!boolean_answer(input, "confirm", yes)) return invalid("confirm", "answer with {\"confirm\": true} or {\"confirm\": false}");
      return go(flow, session, yes ? step.yes : step.no);
    }
    case StepKind::kOffer: {
      bool accept = false;
      if (!boolean_answer(input, "accept", accept)) return invalid("accept", "answer with {\"accept\": true} or {\"accept\": false}");
      session.answers["offer:" + step.id] = accept ? "accepted" : "declined";
      return go(flow, session, accept ? step.accept : step.decline);
    }
    default:
      return invalid("", "step '" + step.id + "' takes no answer from the customer");
  }
}

Advance record_action(const Flow& flow, Session& session, const std::string& outcome, const json& data) {
  const Step& step = flow.step(session.step);
  if (session.done() || step.kind != StepKind::kAction) return invalid("", "no action is waiting for a result");
  auto it = step.outcomes.find(outcome);
  if (it == step.outcomes.end()) return invalid("outcome", "action '" + step.connector + "' has no outcome '" + outcome + "'");
  session.outcome = outcome;
  session.result = data.is_object() ? data : json::object();
  if (it->second.failure)
    session.failure_reasons.push_back(it->second.reason.empty() ? step.connector + ": " + outcome : it->second.reason);
  return go(flow, session, it->second.next);
}

void record_not_solved(Session& session, const std::string& reason) {
  session.failure_reasons.push_back(reason.empty() ? "the customer said this did not solve the problem" : reason);
}

json to_json(const Flow& flow, const Session& s, bool redact) {
  json answers = s.answers;
  if (redact)
    for (auto& [name, value] : answers.items())
      if (const Field* f = flow.field(name); f && f->sensitive) value = kRedacted;
  return {{"flow", s.flow_id},     {"step", s.step},
          {"answers", answers},    {"outcome", s.outcome},
          {"result", s.result},    {"history", s.history},
          {"failures", s.failure_reasons}, {"done_state", s.done_state}};
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
    if (!s.answers.is_object() || !s.result.is_object()) throw std::invalid_argument("answers and result must be objects");
    return s;
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed flow session: ") + e.what());
  }
}

}  // namespace firstfix::flow
