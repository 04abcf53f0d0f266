#include "core/flow/flow_check.h"

#include <algorithm>
#include <functional>
#include <set>

#include "core/flow/message_template.h"

namespace firstfix::flow {
namespace {

using Facts = std::set<std::string>;

struct Edge {
  std::string key;     // JSON pointer suffix under the step
  std::string target;
  enum class What { kPlain, kOutcome, kCase, kThen } what = What::kPlain;
  std::string outcome;  // kOutcome
  size_t case_index = 0;
};

std::vector<Edge> edges(const Step& s) {
  std::vector<Edge> out;
  auto add = [&](const std::string& key, const std::string& id, Edge::What what = Edge::What::kPlain) {
    if (!id.empty()) out.push_back({key, id, what});
  };
  add("next", s.next);
  add("yes", s.yes);
  add("no", s.no);
  add("accept", s.accept);
  add("decline", s.decline);
  add("otherwise", s.otherwise);
  add("then", s.then, Edge::What::kThen);
  // A linked call goes into its sub-flow; the sub-flow's return steps go on by the call's outcomes.
  if (s.kind == StepKind::kCall && !s.entry.empty()) {
    add("entry", s.entry);
    return out;
  }
  // A return step takes the one way its call handles its outcome.
  const bool returns = s.kind == StepKind::kReturn;
  const std::string taken = returns && !s.outcomes.count(s.outcome) ? kAnyOutcome : s.outcome;
  for (const auto& [name, o] : s.outcomes) {
    if (returns && name != taken) continue;
    add("outcomes/" + name, o.next, Edge::What::kOutcome);
    if (!o.next.empty()) out.back().outcome = name;
  }
  for (size_t i = 0; i < s.cases.size(); ++i) {
    add("cases/" + std::to_string(i) + "/next", s.cases[i].next, Edge::What::kCase);
    if (!s.cases[i].next.empty()) out.back().case_index = i;
  }
  return out;
}

bool customer_facing(StepKind k) {
  return k == StepKind::kAsk || k == StepKind::kConfirm || k == StepKind::kOffer || k == StepKind::kMessage;
}

std::string first_segment(const std::string& path) { return path.substr(0, path.find('.')); }

// The facts that make `ref` known; any one of them is enough.
std::vector<std::string> facts_for(const Ref& ref) {
  switch (ref.scope) {
    case Ref::Scope::kAnswer: return {"a:" + ref.name};
    case Ref::Scope::kStepOutcome: return {"s:" + ref.name};
    case Ref::Scope::kStepInput: return {"si:" + ref.name + "." + ref.key};
    case Ref::Scope::kStepResult:
      if (ref.key.empty()) return {"s:" + ref.name};
      return {"r:" + ref.name + ".*", "r:" + ref.name + "." + first_segment(ref.key)};
    case Ref::Scope::kLastOutcome: return {"last"};
    case Ref::Scope::kLastResult:
      if (ref.key.empty()) return {"last"};
      return {"lr:*", "lr:" + first_segment(ref.key)};
    case Ref::Scope::kVar: return {"v:" + ref.name};
    case Ref::Scope::kIdentity: return {"i:" + ref.name};
    case Ref::Scope::kInput: return {"in:" + ref.name};
  }
  return {};
}

bool known(const Facts& facts, const Ref& ref) {
  for (const auto& f : facts_for(ref))
    if (facts.count(f)) return true;
  return false;
}

// A condition that holds proves its leaves have values, except the ones
// that hold on a missing value (not_equals, exists: false).
void proven(const Condition& c, Facts& out) {
  using Op = Condition::Op;
  if (c.op == Op::kAll) {
    for (const auto& p : c.parts) proven(p, out);
    return;
  }
  if (c.op == Op::kAny || c.op == Op::kNot || c.op == Op::kNotEquals) return;
  if (c.op == Op::kExists && !c.operand.constant.get<bool>()) return;
  const auto facts = facts_for(c.field);
  out.insert(facts.back());
}

class Checker {
 public:
  Checker(const Flow& f, Reader& r, const ConnectorCatalog* catalog) : f_(f), r_(r), catalog_(catalog) {}

  void run() {
    check_graph();
    if (!r_.ok()) return;
    check_names();
    if (!r_.ok()) return;
    check_reachable();
    check_loops();
    if (catalog_) check_connectors();
    if (!r_.ok()) return;
    check_values_set();
  }

 private:
  static std::string ptr(const std::string& id) { return base::json_pointer_child("/steps", id); }

  void check_graph() {
    if (!f_.steps.count(f_.start)) r_.error("/start", "start step '" + f_.start + "' does not exist");
    std::map<std::string, std::string> asked_in;
    for (const auto& [id, s] : f_.steps) {
      for (const auto& e : edges(s))
        if (!f_.steps.count(e.target)) r_.error(ptr(id) + "/" + e.key, "step '" + e.target + "' does not exist");
      for (size_t i = 0; i < s.fields.size(); ++i) {
        const auto [at, fresh] = asked_in.emplace(s.fields[i].name, id);
        if (!fresh)
          r_.error(ptr(id) + "/fields/" + std::to_string(i), "field '" + s.fields[i].name + "' is asked twice: in step '" + at->second +
                                                                 "' and in step '" + id + "' (use one, or \"from\" to reuse the first answer)");
      }
      for (const auto& [name, value] : s.values) vars_.insert(name);
    }
  }

  // A reference names something this flow can have; `label` says where it
  // was written ("placeholder {{x}}"), or the reference itself.
  void check_name(const Ref& ref, const std::string& where, std::string label = "") {
    if (label.empty()) label = "'" + ref.text + "'";
    switch (ref.scope) {
      case Ref::Scope::kAnswer:
        if (!f_.field(ref.name)) r_.error(where, label + " names an answer no ask step asks");
        break;
      case Ref::Scope::kStepOutcome:
      case Ref::Scope::kStepResult: {
        auto s = f_.steps.find(ref.name);
        if (s == f_.steps.end() || (s->second.kind != StepKind::kAction && s->second.kind != StepKind::kCall))
          r_.error(where, label + " names '" + ref.name + "', which is not an action or call step of this flow");
        break;
      }
      case Ref::Scope::kStepInput: {
        auto s = f_.steps.find(ref.name);
        if (s == f_.steps.end() || s->second.kind != StepKind::kCall)
          r_.error(where, label + " names '" + ref.name + "', which is not a call step of this flow");
        break;
      }
      case Ref::Scope::kVar:
        if (!vars_.count(ref.name)) r_.error(where, label + " is not computed by any set step");
        break;
      case Ref::Scope::kInput:
        if (!f_.inputs.count(ref.name))
          r_.error(where, label + " is not one of this flow's inputs" + (f_.inputs.empty() ? std::string(" (it declares none)") : ""));
        break;
      default:
        break;
    }
  }

  void check_names() {
    for (const auto& [id, s] : f_.steps) {
      const std::string p = ptr(id);
      for (const auto* said : {&s.title, &s.message})
        for (const auto& name : template_names(*said)) {
          const std::string key = p + (said == &s.title ? "/title" : "/message");
          std::string why;
          auto ref = parse_ref(name, why);
          if (!ref) {
            r_.error(key, "malformed placeholder {{" + name + "}}: " + why);
            continue;
          }
          check_name(*ref, key, "placeholder {{" + name + "}}");
          if (const Field* field = ref->scope == Ref::Scope::kAnswer ? f_.field(ref->name) : nullptr; field && field->sensitive)
            r_.error(key, "placeholder {{" + name + "}} would show a sensitive answer");
        }
      for (const auto& [param, v] : s.input)
        if (v.ref) check_name(*v.ref, base::json_pointer_child(p + "/input", param));
      for (const auto& [key, v] : s.result)
        if (v.ref) check_name(*v.ref, base::json_pointer_child(p + "/result", key));
      for (const auto& [name, e] : s.values) {
        std::vector<const Ref*> refs;
        collect_refs(e, refs);
        for (const Ref* ref : refs) {
          check_name(*ref, base::json_pointer_child(p + "/values", name));
          if (ref->scope == Ref::Scope::kVar && std::any_of(s.values.begin(), s.values.end(), [&](const auto& v) { return v.first == ref->name; }))
            r_.error(base::json_pointer_child(p + "/values", name),
                     "'" + ref->text + "' is computed by this same step: compute it in an earlier set step");
        }
      }
      for (size_t i = 0; i < s.cases.size(); ++i) {
        std::vector<const Ref*> refs;
        collect_refs(s.cases[i].when, refs);
        for (const Ref* ref : refs) check_name(*ref, p + "/cases/" + std::to_string(i) + "/when");
      }
      for (size_t i = 0; i < s.fields.size(); ++i)
        if (s.fields[i].from) check_name(*s.fields[i].from, p + "/fields/" + std::to_string(i) + "/from");
    }
  }

  void check_reachable() {
    std::set<std::string> seen{f_.start};
    std::vector<std::string> todo{f_.start};
    bool reaches_done = false;
    while (!todo.empty()) {
      const Step& s = f_.step(todo.back());
      todo.pop_back();
      reaches_done |= s.kind == StepKind::kDone;
      for (const auto& e : edges(s))
        if (seen.insert(e.target).second) todo.push_back(e.target);
    }
    for (const auto& [id, s] : f_.steps)
      if (!seen.count(id)) r_.error(ptr(id), "step '" + id + "' cannot be reached from the start");
    if (!reaches_done) r_.error("/steps", "no done step can be reached: every flow must end in a clear done state");
  }

  // Every cycle must pass a step with max_attempts: the strongly connected
  // components of the graph without those steps must all be single steps
  // that do not lead to themselves (Tarjan's algorithm).
  void check_loops() {
    std::map<std::string, int> index, low;
    std::vector<std::string> stack;
    std::set<std::string> on_stack;
    int counter = 0;
    auto unbounded = [&](const std::string& id) { return !f_.step(id).max_attempts; };
    std::function<void(const std::string&)> visit = [&](const std::string& v) {
      index[v] = low[v] = counter++;
      stack.push_back(v);
      on_stack.insert(v);
      for (const auto& e : edges(f_.step(v))) {
        if (!unbounded(e.target)) continue;
        if (!index.count(e.target)) {
          visit(e.target);
          low[v] = std::min(low[v], low[e.target]);
        } else if (on_stack.count(e.target)) {
          low[v] = std::min(low[v], index[e.target]);
        }
      }
      if (low[v] != index[v]) return;
      std::vector<std::string> component;
      while (true) {
        std::string w = stack.back();
        stack.pop_back();
        on_stack.erase(w);
        component.push_back(w);
        if (w == v) break;
      }
      const auto& only_edges = edges(f_.step(v));
      const bool self_loop = std::any_of(only_edges.begin(), only_edges.end(), [&](const Edge& e) { return e.target == v; });
      if (component.size() < 2 && !self_loop) return;
      // Name one loop, the shortest through the first of these steps: bounding
      // it may leave another, which the next check names.
      std::sort(component.begin(), component.end());
      const std::set<std::string> members(component.begin(), component.end());
      const std::string& from = component.front();
      std::map<std::string, std::string> came_from;
      std::vector<std::string> frontier{from};
      std::string last;
      while (!frontier.empty() && last.empty()) {
        std::vector<std::string> next;
        for (const auto& id : frontier)
          for (const auto& e : edges(f_.step(id))) {
            if (!members.count(e.target) || came_from.count(e.target)) continue;
            came_from[e.target] = id;
            if (e.target == from) {
              last = id;
              break;
            }
            next.push_back(e.target);
          }
        frontier = std::move(next);
      }
      std::vector<std::string> loop{from};
      for (std::string at = last; !at.empty() && at != from; at = came_from[at]) loop.insert(loop.begin() + 1, at);
      std::string names;
      bool asks = false;
      for (const auto& id : loop) {
        names += "'" + id + "' -> ";
        asks |= customer_facing(f_.step(id).kind);
      }
      names += "'" + from + "'";
      if (!asks)
        r_.error(ptr(from), "steps " + names + " loop through branches and actions without asking the customer anything");
      else
        r_.error(ptr(from), "steps " + names + " loop with no bound: give one of them \"max_attempts\" and \"then\" "
                                                 "(where to go when the attempts are spent)");
    };
    for (const auto& [id, s] : f_.steps)
      if (unbounded(id) && !index.count(id)) visit(id);
  }

  const ConnectorSpec* spec(const std::string& connector) const {
    if (!catalog_) return nullptr;
    auto it = catalog_->connectors.find(connector);
    return it == catalog_->connectors.end() ? nullptr : &it->second;
  }

  void check_connectors() {
    for (const auto& [id, s] : f_.steps) {
      if (s.kind != StepKind::kAction) continue;
      const ConnectorSpec* c = spec(s.connector);
      if (!c) {
        const std::string& connector = s.connector;
        const auto under = [&](const std::string& prefix) { return connector.rfind(prefix + ".", 0) == 0; };
        const auto& open = catalog_->open_prefixes;
        if (std::any_of(open.begin(), open.end(), under)) continue;  // an endpoint whose operations are not declared
        const auto& complete = catalog_->complete_prefixes;
        const auto p = std::find_if(complete.begin(), complete.end(), under);
        if (p == complete.end()) continue;
        const std::string& prefix = *p;
        std::string names;
        for (const auto& [name, x] : catalog_->connectors)
          if (name.rfind(prefix + ".", 0) == 0) names += (names.empty() ? "" : ", ") + name;
        for (const auto& name : open)
          if (name.rfind(prefix + ".", 0) == 0) names += (names.empty() ? "" : ", ") + name + ".*";
        r_.error(ptr(id) + "/connector", "no connector '" + s.connector + "' (" + prefix + " offers " + names + ")");
        continue;
      }
      std::string declared;
      for (const auto& [o, keys] : c->outcomes) declared += (declared.empty() ? "" : ", ") + o;
      const bool any = s.outcomes.count(kAnyOutcome) > 0;
      for (const auto& [o, keys] : c->outcomes)
        if (!any && !s.outcomes.count(o))
          r_.error(ptr(id) + "/outcomes", "connector '" + s.connector + "' may answer '" + o +
                                              "', which this step does not handle: add it, or \"*\" for every outcome not named");
      for (const auto& [o, out] : s.outcomes)
        if (o != kAnyOutcome && !c->outcomes.count(o))
          r_.error(base::json_pointer_child(ptr(id) + "/outcomes", o),
                   "connector '" + s.connector + "' never answers '" + o + "' (it answers " + declared + ")");
    }
  }

  Facts transfer(const Step& s, const Edge& e, Facts facts) const {
    if (e.what == Edge::What::kThen) return facts;  // the step did not run
    switch (s.kind) {
      case StepKind::kAsk:
        for (const auto& field : s.fields) facts.insert("a:" + field.name);
        break;
      case StepKind::kSet:
        for (const auto& [name, value] : s.values) facts.insert("v:" + name);
        break;
      case StepKind::kBranch:
        if (e.what == Edge::What::kCase) proven(s.cases[e.case_index].when, facts);
        break;
      case StepKind::kCall:
        if (!s.entry.empty()) {
          for (const auto& [param, value] : s.input) facts.insert("si:" + s.id + "." + param);
        } else {  // not linked (the caller checked alone): what comes back is not known here
          facts.insert({"s:" + s.id, "r:" + s.id + ".*"});
        }
        break;
      case StepKind::kReturn:
        facts.insert("s:" + s.call);
        for (const auto& [key, value] : s.result) facts.insert("r:" + s.call + "." + key);
        break;
      case StepKind::kAction: {
        for (auto it = facts.begin(); it != facts.end();) it = it->rfind("lr:", 0) == 0 ? facts.erase(it) : std::next(it);
        facts.insert({"s:" + s.id, "last"});
        const ConnectorSpec* c = spec(s.connector);
        if (!c) {
          facts.insert({"r:" + s.id + ".*", "lr:*"});
          break;
        }
        // The keys every outcome that takes this edge carries.
        std::optional<std::set<std::string>> keys;
        for (const auto& [o, declared] : c->outcomes) {
          if (o != e.outcome && !(e.outcome == kAnyOutcome && !s.outcomes.count(o))) continue;
          std::set<std::string> these(declared.begin(), declared.end());
          if (!keys) keys = these;
          else for (auto it = keys->begin(); it != keys->end();) it = these.count(*it) ? std::next(it) : keys->erase(it);
        }
        for (const auto& k : keys.value_or(std::set<std::string>{})) facts.insert({"r:" + s.id + "." + k, "lr:" + k});
        break;
      }
      default:
        break;
    }
    return facts;
  }

  // Forward "must" analysis: the values set on every path into each step.
  std::map<std::string, Facts> values_set_on_entry() const {
    std::map<std::string, Facts> in;
    Facts start;
    if (f_.requires_identity()) start.insert("i:id");
    for (const auto& [name, input] : f_.inputs)
      if (input.required) start.insert("in:" + name);
    in[f_.start] = start;
    std::vector<std::string> todo{f_.start};
    while (!todo.empty()) {
      const std::string id = todo.back();
      todo.pop_back();
      const Step& s = f_.step(id);
      for (const auto& e : edges(s)) {
        Facts out = transfer(s, e, in.at(id));
        auto it = in.find(e.target);
        if (it == in.end()) {
          in.emplace(e.target, std::move(out));
          todo.push_back(e.target);
          continue;
        }
        Facts meet;
        std::set_intersection(it->second.begin(), it->second.end(), out.begin(), out.end(), std::inserter(meet, meet.end()));
        if (meet != it->second) {
          it->second = std::move(meet);
          todo.push_back(e.target);
        }
      }
    }
    return in;
  }

  static std::string why_unset(const Ref& ref) {
    switch (ref.scope) {
      case Ref::Scope::kAnswer: return "not every path here asks it";
      case Ref::Scope::kStepOutcome: return "not every path here runs step '" + ref.name + "'";
      case Ref::Scope::kStepInput: return "not every path here passes through call step '" + ref.name + "'";
      case Ref::Scope::kStepResult:
        return "not every path here runs step '" + ref.name + "' with an outcome whose result has '" + first_segment(ref.key) + "'";
      case Ref::Scope::kLastOutcome: return "no action runs before it on some path";
      case Ref::Scope::kLastResult: return "on some path the latest action's result has no '" + first_segment(ref.key) + "'";
      case Ref::Scope::kVar: return "not every path here runs the set step that computes it";
      case Ref::Scope::kIdentity:
        return ref.name == "id" ? "the flow does not require an identified customer (\"requires\": [\"identified\"])"
                                : "the host site does not always vouch for it";
      case Ref::Scope::kInput: return "the caller does not always pass it";
    }
    return "";
  }

  void use(const Facts& facts, const Ref& ref, const std::string& step, const std::string& where, const char* remedy) {
    if (known(facts, ref)) return;
    r_.error(where, "'" + ref.text + "' may have no value when step '" + step + "' runs: " + why_unset(ref) + " (" + remedy + ")");
  }

  void check_values_set() {
    const auto in = values_set_on_entry();
    constexpr const char* kDefault = "give it a default, {\"ref\": ..., \"default\": ...}, or test it with \"exists\" first";
    constexpr const char* kBranch = "test it with \"exists\" in a branch first";
    for (const auto& [id, facts] : in) {
      const Step& s = f_.step(id);
      const std::string p = ptr(id);
      for (const auto* said : {&s.title, &s.message})
        for (const auto& name : template_names(*said)) {
          std::string why;
          if (auto ref = parse_ref(name, why)) use(facts, *ref, id, p + (said == &s.title ? "/title" : "/message"), kBranch);
        }
      for (const auto& [param, v] : s.input)
        if (v.ref && !v.fallback) use(facts, *v.ref, id, base::json_pointer_child(p + "/input", param), kDefault);
      for (const auto& [key, v] : s.result)
        if (v.ref && !v.fallback) use(facts, *v.ref, id, base::json_pointer_child(p + "/result", key), kDefault);
      for (const auto& [name, e] : s.values) {
        std::vector<const Ref*> refs;
        collect_refs(e, refs);
        for (const Ref* ref : refs) {
          // A value with a default is safe; collect_refs does not say which had one, so look again.
          std::function<bool(const Expr&)> defaulted = [&](const Expr& x) {
            if (x.op == Expr::Op::kValue && x.value.ref && &*x.value.ref == ref) return x.value.fallback.has_value();
            return std::any_of(x.args.begin(), x.args.end(), defaulted);
          };
          if (!defaulted(e)) use(facts, *ref, id, base::json_pointer_child(p + "/values", name), kDefault);
        }
      }
      for (size_t i = 0; i < s.cases.size(); ++i) check_condition(facts, s.cases[i].when, id, p + "/cases/" + std::to_string(i) + "/when", kDefault);
    }
  }

  // A condition reads its values, except `exists`, which asks whether there is one.
  void check_condition(const Facts& facts, const Condition& c, const std::string& id, const std::string& where, const char* remedy) {
    using Op = Condition::Op;
    if (c.op == Op::kAll || c.op == Op::kAny || c.op == Op::kNot) {
      Facts so_far = facts;
      for (const auto& p : c.parts) {
        check_condition(so_far, p, id, where, remedy);
        if (c.op == Op::kAll) proven(p, so_far);  // {"all": [{"field": "x", "exists": true}, {"field": "x", "gt": 3}]}
      }
      return;
    }
    if (c.op == Op::kExists) return;
    use(facts, c.field, id, where, remedy);
    if (c.operand.ref && !c.operand.fallback) use(facts, *c.operand.ref, id, where, remedy);
  }

  const Flow& f_;
  Reader& r_;
  const ConnectorCatalog* catalog_;
  std::set<std::string> vars_;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> successors(const Step& s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : edges(s)) out.emplace_back(e.key, e.target);
  return out;
}

void check_flow(const Flow& flow, Reader& reader, const ConnectorCatalog* catalog) { Checker(flow, reader, catalog).run(); }

}  // namespace firstfix::flow
