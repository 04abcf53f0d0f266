#include "core/flow/step_view.h"

#include <deque>
#include <limits>
#include <map>

#include "core/flow/message_template.h"

namespace firstfix::flow {
namespace {

using nlohmann::json;

bool customer_facing(StepKind k) {
  return k == StepKind::kAsk || k == StepKind::kConfirm || k == StepKind::kOffer || k == StepKind::kMessage;
}

std::vector<std::string> next_steps(const Step& s) {
  std::vector<std::string> out;
  for (const auto* id : {&s.next, &s.yes, &s.no, &s.accept, &s.decline, &s.otherwise})
    if (!id->empty()) out.push_back(*id);
  for (const auto& [name, o] : s.outcomes) out.push_back(o.next);
  for (const auto& c : s.cases) out.push_back(c.next);
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

std::string filled(const Flow& flow, const Session& session, const std::string& text) {
  return fill_template(text, [&](const std::string& name) -> std::optional<std::string> {
    const bool from_result = name.rfind("result.", 0) == 0;
    const json& source = from_result ? session.result : session.answers;
    auto it = source.find(from_result ? name.substr(7) : name);
    if (it == source.end() || it->is_null()) return std::nullopt;
    if (!from_result)
      if (const Field* f = flow.field(name); f && f->sensitive) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_array()) {
      std::string list;
      for (const auto& v : *it) list += (list.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
      return list;
    }
    return it->dump();
  });
}

}  // namespace

Progress progress(const Flow& flow, const Session& session) {
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

json step_view(const Flow& flow, const Session& session) {
  const Step& step = flow.step(session.step);
  const Progress p = progress(flow, session);
  json view = {{"id", step.id},
               {"kind", to_string(step.kind)},
               {"title", filled(flow, session, step.title)},
               {"message", filled(flow, session, step.message)},
               {"fields", json::array()},
               {"progress", {{"step", p.step}, {"of", p.of}}},
               {"can_go_back", can_go_back(flow, session)}};
  for (const auto& f : step.fields) {
    json field = {{"name", f.name}, {"label", f.label.empty() ? f.name : f.label}, {"type", to_string(f.type)},
                  {"required", f.required}, {"sensitive", f.sensitive}};
    if (!f.hint.empty()) field["hint"] = f.hint;
    if (!f.choices.empty()) field["choices"] = f.choices;
    if (!f.min.is_null()) field["min"] = f.min;
    if (!f.max.is_null()) field["max"] = f.max;
    if (f.min_length) field["min_length"] = *f.min_length;
    if (f.max_length) field["max_length"] = *f.max_length;
    if (!f.pattern.empty()) field["pattern"] = f.pattern;
    if (!f.sensitive)
      if (auto it = session.answers.find(f.name); it != session.answers.end() && !it->is_null()) field["value"] = *it;
    view["fields"].push_back(std::move(field));
  }
  if (step.kind == StepKind::kConfirm) view["labels"] = {{"yes", step.yes_label}, {"no", step.no_label}};
  if (step.kind == StepKind::kOffer) view["labels"] = {{"accept", step.accept_label}, {"decline", step.decline_label}};
  if (step.kind == StepKind::kDone) view["done_state"] = to_string(step.done_state);
  return view;
}

}  // namespace firstfix::flow
