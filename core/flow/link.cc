#include "core/flow/link.h"

#include <algorithm>
#include <set>
#include <vector>

#include "core/base/json_positions.h"
#include "core/flow/message_template.h"

namespace firstfix::flow {
namespace {

using nlohmann::json;

constexpr size_t kMaxDepth = 8;  // calls within calls

// Renames what one flow's steps say when they are inlined under `prefix`
// for call step `call` (both empty for the root, which keeps its names).
struct Renamer {
  std::string prefix, call;

  std::string step(const std::string& id) const { return prefix + id; }

  std::string ref(const std::string& text) const {
    std::string why;
    auto r = parse_ref(text, why);
    if (!r) return text;  // parse_flow reported it already
    switch (r->scope) {
      case Ref::Scope::kAnswer:
      case Ref::Scope::kStepResult:
      case Ref::Scope::kStepOutcome:
      case Ref::Scope::kStepInput:
      case Ref::Scope::kVar:
        r->name = prefix + r->name;
        break;
      case Ref::Scope::kInput:
        if (call.empty()) break;
        r->scope = Ref::Scope::kStepInput;
        r->key = r->name;
        r->name = call;
        break;
      default:
        break;
    }
    return to_text(*r);
  }

  void value(json& v) const {
    if (v.is_string()) v = ref(v.get<std::string>());
    else if (v.is_object() && v.contains("ref") && v["ref"].is_string()) v["ref"] = ref(v["ref"].get<std::string>());
  }

  void expr(json& e) const {
    if (e.is_string() || (e.is_object() && e.contains("ref"))) return value(e);
    if (!e.is_object()) return;
    for (auto& [op, args] : e.items()) {
      if (op == "places") continue;
      if (args.is_array()) for (auto& a : args) expr(a);
      else expr(args);
    }
  }

  void condition(json& c) const {
    if (c.is_array()) {
      for (auto& x : c) condition(x);
      return;
    }
    if (!c.is_object()) return;
    for (const char* group : {"all", "any"})
      if (c.contains(group) && c[group].is_array()) for (auto& x : c[group]) condition(x);
    if (c.contains("not")) condition(c["not"]);
    if (c.contains("field") && c["field"].is_string()) c["field"] = ref(c["field"].get<std::string>());
    for (const char* op : {"equals", "not_equals", "lt", "lte", "gt", "gte"})
      if (c.contains(op) && c[op].is_object()) value(c[op]);
  }

  std::string text(const std::string& t) const {
    std::string out;
    size_t at = 0, copied = 0;
    while ((at = t.find("{{", at)) != std::string::npos) {
      const size_t close = t.find("}}", at + 2);
      if (close == std::string::npos) break;
      std::string name = t.substr(at + 2, close - at - 2);
      const auto b = name.find_first_not_of(' '), e = name.find_last_not_of(' ');
      name = b == std::string::npos ? "" : name.substr(b, e - b + 1);
      out += t.substr(copied, at - copied) + "{{" + ref(name) + "}}";
      copied = at = close + 2;
    }
    return out + t.substr(copied);
  }
};

std::string outcome_of(const json& done) {
  const std::string named = done.value("outcome", "");
  return named.empty() ? done.value("state", "") : named;
}

class Linker {
 public:
  Linker(const std::map<std::string, FlowSource>& flows, base::Diagnostics& out) : flows_(flows), out_(out) {}

  bool ok() const { return ok_; }
  const std::set<std::string>& linked() const { return linked_; }

  // Adds `flow`'s steps to `steps`, renamed by `names`, its calls inlined.
  void inline_flow(const std::string& id, const json& flow, const Renamer& names, std::vector<std::string>& stack, json& steps) {
    const FlowSource& source = flows_.at(id);
    const bool callee = !names.call.empty();
    for (const auto& [step_id, original] : flow["steps"].items()) {
      json s = original;
      const std::string kind = s.value("kind", "");
      for (const char* key : {"next", "yes", "no", "accept", "decline", "otherwise", "then"})
        if (s.contains(key) && s[key].is_string()) s[key] = names.step(s[key].get<std::string>());
      if (s.contains("outcomes") && s["outcomes"].is_object())
        for (auto& [name, o] : s["outcomes"].items()) {
          if (o.is_string()) o = names.step(o.get<std::string>());
          else if (o.is_object() && o.contains("next") && o["next"].is_string()) o["next"] = names.step(o["next"].get<std::string>());
        }
      if (s.contains("cases") && s["cases"].is_array())
        for (auto& c : s["cases"]) {
          if (c.contains("next") && c["next"].is_string()) c["next"] = names.step(c["next"].get<std::string>());
          if (c.contains("when")) names.condition(c["when"]);
        }
      for (const char* key : {"input", "result"})
        if (s.contains(key) && s[key].is_object()) for (auto& [k, v] : s[key].items()) names.value(v);
      if (s.contains("values") && s["values"].is_object()) {
        json renamed = json::object();
        for (auto& [k, e] : s["values"].items()) {
          json x = e;
          names.expr(x);
          renamed[names.prefix + k] = x;
        }
        s["values"] = renamed;
      }
      if (s.contains("fields") && s["fields"].is_array())
        for (auto& f : s["fields"]) {
          if (f.contains("name") && f["name"].is_string()) f["name"] = names.prefix + f["name"].get<std::string>();
          if (f.contains("from") && f["from"].is_string()) f["from"] = names.ref(f["from"].get<std::string>());
        }
      if (s.contains("rules") && s["rules"].is_array())
        for (auto& r : s["rules"])
          for (const char* key : {"one_of", "of"})
            if (r.contains(key) && r[key].is_array())
              for (auto& n : r[key]) n = names.prefix + n.get<std::string>();
      for (const char* key : {"title", "message"})
        if (s.contains(key) && s[key].is_string()) s[key] = names.text(s[key].get<std::string>());

      const std::string new_id = names.step(step_id);
      const std::string ptr = base::json_pointer_child("/steps", step_id);
      if (kind == "call") {
        const std::string callee_id = s.value("flow", "");
        if (!check_call(id, source, flow, ptr, s, callee_id, stack)) continue;
        const json& called = parsed(callee_id);
        s["entry"] = new_id + "/" + called["start"].get<std::string>();
        linked_.insert(callee_id);
        stack.push_back(callee_id);
        inline_flow(callee_id, called, Renamer{new_id + "/", new_id}, stack, steps);
        stack.pop_back();
      } else if (kind == "done" && callee) {
        json back = {{"kind", "return"}, {"call", names.call}, {"state", s["state"]}, {"outcome", outcome_of(original)}};
        if (s.contains("title")) back["title"] = s["title"];
        if (s.contains("result")) back["result"] = s["result"];
        s = back;
      }
      steps[new_id] = s;
    }
  }

  const json& parsed(const std::string& id) {
    auto it = parsed_.find(id);
    if (it == parsed_.end()) it = parsed_.emplace(id, json::parse(flows_.at(id).text)).first;
    return it->second;
  }

 private:
  void error(const FlowSource& source, const std::string& ptr, const std::string& message) {
    auto [line, column] = base::JsonPositions(source.text).at(ptr);
    out_.push_back({source.path, line, column, message});
    ok_ = false;
  }

  bool check_call(const std::string& caller_id, const FlowSource& source, const json& caller, const std::string& ptr, const json& call,
                  const std::string& callee_id, const std::vector<std::string>& stack) {
    if (!flows_.count(callee_id)) {
      error(source, ptr + "/flow", "no flow '" + callee_id + "' to call");
      return false;
    }
    if (std::find(stack.begin(), stack.end(), callee_id) != stack.end() || callee_id == caller_id) {
      std::string chain;
      for (const auto& s : stack) chain += s + " -> ";
      error(source, ptr + "/flow", "flows call each other in a loop: " + chain + callee_id);
      return false;
    }
    if (stack.size() >= kMaxDepth) {
      error(source, ptr + "/flow", "calls nest more than " + std::to_string(kMaxDepth) + " deep");
      return false;
    }
    const json& callee = parsed(callee_id);
    bool good = true;
    auto fail = [&](const std::string& where, const std::string& message) {
      error(source, where, message);
      good = false;
    };
    if (callee.value("locale", "") != caller.value("locale", ""))
      fail(ptr + "/flow", "'" + callee_id + "' is in " + callee.value("locale", "") + ", this flow in " + caller.value("locale", "") +
                              ": a called flow speaks its caller's language");
    auto needs_identity = [](const json& f) {
      const json needs = f.value("needs", json::array());
      return needs.is_array() && std::find(needs.begin(), needs.end(), "identified") != needs.end();
    };
    if (needs_identity(callee) && !needs_identity(caller))
      fail(ptr + "/flow", "'" + callee_id + "' requires an identified customer: this flow must require one too (\"requires\": [\"identified\"])");
    const json declared = callee.value("inputs", json::object());
    const json given = call.value("input", json::object());
    std::string names;
    for (const auto& [name, spec] : declared.items()) names += (names.empty() ? "" : ", ") + name;
    for (const auto& [name, value] : given.items())
      if (!declared.contains(name))
        fail(base::json_pointer_child(ptr + "/input", name),
             "'" + callee_id + "' takes no input '" + name + "'" + (names.empty() ? " (it takes none)" : " (it takes " + names + ")"));
    for (const auto& [name, spec] : declared.items())
      if (spec.is_object() && spec.value("required", false) && !given.contains(name))
        fail(ptr, "'" + callee_id + "' requires input '" + name + "': pass it in \"input\"");
    // Every way the called flow can end is handled here, and nothing else is named.
    std::set<std::string> ends;
    for (const auto& [sid, s] : callee["steps"].items())
      if (s.value("kind", "") == "done") ends.insert(outcome_of(s));
    const json handled = call.value("outcomes", json::object());
    std::string all;
    for (const auto& e : ends) all += (all.empty() ? "" : ", ") + e;
    if (!handled.contains(kAnyOutcome))
      for (const auto& e : ends)
        if (!handled.contains(e))
          fail(ptr + "/outcomes", "'" + callee_id + "' may end with '" + e + "', which this step does not handle: add it, or \"*\"");
    for (const auto& [name, next] : handled.items())
      if (name != kAnyOutcome && !ends.count(name))
        fail(base::json_pointer_child(ptr + "/outcomes", name), "'" + callee_id + "' never ends with '" + name + "' (it ends with " + all + ")");
    return good;
  }

  const std::map<std::string, FlowSource>& flows_;
  base::Diagnostics& out_;
  std::map<std::string, json> parsed_;
  std::set<std::string> linked_;
  bool ok_ = true;
};

bool has_calls(const json& flow) {
  for (const auto& [id, s] : flow["steps"].items())
    if (s.is_object() && s.value("kind", "") == "call") return true;
  return false;
}

}  // namespace

std::optional<std::string> link_flow(const std::string& root, const std::map<std::string, FlowSource>& flows, base::Diagnostics& out) {
  Linker linker(flows, out);
  const json& doc = linker.parsed(root);
  if (!has_calls(doc)) return flows.at(root).text;
  json steps = json::object();
  std::vector<std::string> stack{root};
  linker.inline_flow(root, doc, Renamer{}, stack, steps);
  if (!linker.ok()) return std::nullopt;
  json linked = doc;
  linked["steps"] = steps;
  linked["linked_from"] = json(std::vector<std::string>(linker.linked().begin(), linker.linked().end()));
  return linked.dump(2);
}

std::map<std::string, std::vector<std::string>> flow_outcomes(const Flow& flow) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [id, s] : flow.steps) {
    if (s.kind != StepKind::kDone) continue;
    std::vector<std::string> keys;
    for (const auto& [key, value] : s.result) keys.push_back(key);
    auto [it, fresh] = out.emplace(s.outcome, keys);
    if (!fresh) {  // keys every done step with this outcome returns
      std::vector<std::string> both;
      std::set_intersection(it->second.begin(), it->second.end(), keys.begin(), keys.end(), std::back_inserter(both));
      it->second = both;
    }
  }
  return out;
}

}  // namespace firstfix::flow
