#include "core/flow/step_view.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>

#include "core/flow/flow_check.h"
#include "core/flow/message_template.h"

namespace firstfix::flow {
namespace {

using nlohmann::json;

bool customer_facing(StepKind k) {
  return k == StepKind::kAsk || k == StepKind::kConfirm || k == StepKind::kOffer || k == StepKind::kMessage;
}

std::vector<std::string> next_steps(const Step& s) {
  std::vector<std::string> out;
  for (const auto& [key, id] : successors(s))
    if (key != "then") out.push_back(id);  // taken only when the attempts are spent: not the way to the end
  return out;
}

// The fewest customer-facing steps from `from` (counted if it is one) to a
// done step: Dijkstra over weights 0 and 1, on a graph of a few dozen steps.
size_t remaining_from(const Flow& flow, const std::string& from) {
  constexpr size_t kFar = std::numeric_limits<size_t>::max();
  std::map<std::string, size_t> best;
  std::deque<std::pair<std::string, size_t>> queue{{from, customer_facing(flow.step(from).kind) ? 1u : 0u}};
  size_t answer = kFar;
  while (!queue.empty()) {
    auto [id, cost] = queue.front();
    queue.pop_front();
    if (auto it = best.find(id); it != best.end() && it->second <= cost) continue;
    best[id] = cost;
    const Step& s = flow.step(id);
    if (s.kind == StepKind::kDone) {
      answer = std::min(answer, cost);
      continue;
    }
    for (const auto& n : next_steps(s)) {
      const size_t w = customer_facing(flow.step(n).kind) ? 1 : 0;
      if (w == 0) queue.emplace_front(n, cost);
      else queue.emplace_back(n, cost + 1);
    }
  }
  return answer == kFar ? 0 : answer;
}

std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string list;
    for (const auto& x : v) list += (list.empty() ? "" : ", ") + text_of(x);
    return list;
  }
  return v.dump();
}

std::string filled(const Flow& flow, const Session& session, const std::string& text) {
  return fill_template(text, [&](const std::string& name) -> std::optional<std::string> {
    std::string why;
    const auto ref = parse_ref(name, why);
    if (!ref) return std::nullopt;
    if (ref->scope == Ref::Scope::kAnswer)
      if (const Field* f = flow.field(ref->name); f && f->sensitive) return std::nullopt;
    const auto v = lookup(*ref, session);
    if (!v) return std::nullopt;
    return text_of(*v);
  });
}

// What the customer reads when the engine, not a done step, ended the
// session: an action answered what the flow does not handle, or a value
// could not be computed. Something may have happened; a person finishes it.
json ended_for_a_person(const Flow& flow) {
  const bool es = flow.locale == "es";
  return {{"title", es ? "Una persona terminará esto" : "A person will finish this"},
          {"message", es ? "Tu solicitud se ha registrado, pero el siguiente paso necesita a una persona de nuestro equipo. "
                           "No hace falta que lo repitas: ya tiene todo lo que has hecho aquí."
                         : "Your request was recorded, but the next step needs a person on our team. "
                           "There is no need to repeat anything: they can see everything you did here."}};
}

}  // namespace

Progress progress(const Flow& flow, const Session& session) {
  if (session.done() && flow.step(session.step).kind != StepKind::kDone) {
    const size_t taken = static_cast<size_t>(std::count_if(session.history.begin(), session.history.end(),
                                                           [&](const std::string& id) { return customer_facing(flow.step(id).kind); }));
    return {std::max<size_t>(taken, 1), std::max<size_t>(taken, 1)};
  }
  size_t taken = 0;
  for (size_t i = 0; i + 1 < session.history.size(); ++i)
    if (customer_facing(flow.step(session.history[i]).kind)) ++taken;
  Progress p;
  const Step& current = flow.step(session.step);
  if (current.kind == StepKind::kDone) {
    p.step = p.of = std::max<size_t>(taken, 1);
    return p;
  }
  p.step = taken + 1;
  p.of = taken + std::max<size_t>(remaining_from(flow, session.step), 1);
  return p;
}

bool can_go_back(const Flow& flow, const Session& session) {
  if (session.done() || session.history.size() < 2) return false;
  for (size_t i = session.history.size() - 1; i-- > 0;) {
    const StepKind k = flow.step(session.history[i]).kind;
    if (k == StepKind::kAction) return false;
    if (customer_facing(k)) return true;
  }
  return false;
}

bool go_back(const Flow& flow, Session& session) {
  if (!can_go_back(flow, session)) return false;
  size_t i = session.history.size() - 1;
  while (i-- > 0)
    if (customer_facing(flow.step(session.history[i]).kind)) break;
  session.history.resize(i + 1);
  session.step = session.history.back();
  return true;
}

json input_kind(const Field& f) {
  auto kind = [](const char* type, const char* autocomplete, const char* inputmode) {
    return json{{"type", type}, {"autocomplete", autocomplete}, {"inputmode", inputmode}};
  };
  if (f.input == "password") return kind("password", "new-password", "");
  if (f.input == "one-time-code") return kind("text", "one-time-code", "numeric");
  if (f.input == "card-number") return kind("text", "cc-number", "numeric");
  if (f.input == "card-expiry") return kind("text", "cc-exp", "numeric");
  switch (f.type) {
    case FieldType::kEmail: return kind("email", "email", "email");
    case FieldType::kPhone: return kind("tel", "tel", "tel");
    case FieldType::kNumber: return kind("number", "off", "decimal");
    case FieldType::kInteger: return kind("number", "off", "numeric");
    case FieldType::kDate: return kind("date", "off", "");
    case FieldType::kPhoto: return kind("file", "off", "");
    case FieldType::kChoice: return kind("radio", "off", "");
    case FieldType::kMultiChoice: return kind("checkbox", "off", "");
    case FieldType::kText: break;
  }
  // A secret of digits only ("^[0-9]{6}$") is a code sent to the customer.
  static const std::string digits = "^[0-9]{";
  if (f.sensitive && f.pattern.rfind(digits, 0) == 0 && f.pattern.size() > digits.size() + 2 &&
      f.pattern.compare(f.pattern.size() - 2, 2, "}$") == 0 &&
      f.pattern.substr(digits.size(), f.pattern.size() - digits.size() - 2).find_first_not_of("0123456789") == std::string::npos)
    return kind("text", "one-time-code", "numeric");
  return kind("text", "off", "");
}

json step_view(const Flow& flow, const Session& session, const std::string& today) {
  const Step& step = flow.step(session.step);
  const Progress p = progress(flow, session);
  if (session.done() && step.kind != StepKind::kDone) {
    json view = ended_for_a_person(flow);
    view.update({{"id", step.id}, {"kind", "done"}, {"fields", json::array()}, {"done_state", session.done_state},
                 {"progress", {{"step", p.step}, {"of", p.of}}}, {"can_go_back", false}});
    return view;
  }
  json view = {{"id", step.id},
               {"kind", to_string(step.kind)},
               {"title", filled(flow, session, step.title)},
               {"message", filled(flow, session, step.message)},
               {"fields", json::array()},
               {"progress", {{"step", p.step}, {"of", p.of}}},
               {"can_go_back", can_go_back(flow, session)}};
  for (const auto& f : step.fields) {
    if (known_answer(f, session, today)) continue;  // known already: not asked
    json field = {{"name", f.name}, {"label", f.label.empty() ? f.name : f.label}, {"type", to_string(f.type)},
                  {"required", f.required}, {"sensitive", f.sensitive}, {"input", input_kind(f)}};
    if (!f.hint.empty()) field["hint"] = f.hint;
    if (!f.choices.empty()) field["choices"] = f.choices;
    // Relative dates ("today-90d") as the dates they are today.
    for (const auto& [key, bound] : {std::pair<const char*, const json*>{"min", &f.min}, {"max", &f.max}})
      if (!bound->is_null()) field[key] = bound->is_string() ? json(resolve_date(bound->get<std::string>(), today).value_or("")) : *bound;
    if (f.min_length) field["min_length"] = *f.min_length;
    if (f.max_length) field["max_length"] = *f.max_length;
    if (!f.pattern.empty()) field["pattern"] = f.pattern;
    if (!f.sensitive)
      if (auto it = session.answers.find(f.name); it != session.answers.end() && !it->is_null()) field["value"] = *it;
    view["fields"].push_back(std::move(field));
  }
  if (!step.rules.empty()) {
    view["rules"] = json::array();
    for (const auto& rule : step.rules) {
      json r = {{"fields", rule.fields}, {"at_least", rule.at_least}};
      if (rule.at_most) r["at_most"] = *rule.at_most;
      view["rules"].push_back(std::move(r));
    }
  }
  if (step.kind == StepKind::kConfirm) view["labels"] = {{"yes", step.yes_label}, {"no", step.no_label}};
  if (step.kind == StepKind::kOffer) view["labels"] = {{"accept", step.accept_label}, {"decline", step.decline_label}};
  if (step.kind == StepKind::kDone) view["done_state"] = to_string(step.done_state);
  return view;
}

}  // namespace firstfix::flow
