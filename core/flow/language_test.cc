// The flow language's features, each run through the parser, the checker
// and the engine: values, conditions, arithmetic, attempts, outcomes,
// fields and rules (docs/flow-language.md has an example of each).
#include <doctest/doctest.h>

#include "core/flow/engine.h"
#include "core/flow/flow_test_fixture.h"
#include "core/flow/link.h"
#include "core/flow/step_view.h"

using namespace firstfix;
using nlohmann::json;
using Kind = flow::Advance::Kind;

namespace {

// A flow from its steps; the test fails with the checker's problems if it does not parse.
flow::Flow parse(const std::string& steps, const std::string& start = "a", const std::string& extra = "") {
  base::Diagnostics d;
  auto f = flow::parse_flow("flows/t.json", R"({"id": "t", "title": "T", "locale": "en", )" + extra + R"("start": ")" + start +
                                                R"(", "steps": {)" + steps + "}}",
                            d);
  for (const auto& p : d) MESSAGE(p.to_string());
  REQUIRE(f.has_value());
  return *f;
}

std::vector<std::string> problems(const std::string& steps, const flow::ConnectorCatalog* catalog = nullptr, const std::string& extra = "") {
  base::Diagnostics d;
  auto f = flow::parse_flow("flows/t.json", R"({"id": "t", "title": "T", "locale": "en", )" + extra +
                                                R"("start": "a", "steps": {)" + steps + "}}",
                            d, catalog);
  std::vector<std::string> out;
  for (const auto& p : d) out.push_back(p.to_string());
  if (f) CHECK(out.empty());
  return out;
}

const std::string kDone = R"("ok": {"kind": "done", "state": "resolved", "message": "Done."})";
const std::string kPerson = R"("person": {"kind": "done", "state": "escalate", "message": "A person will help."})";

}  // namespace

TEST_CASE("values: an action's input takes answers, earlier results and constants; each result is kept under its step") {
  auto f = parse(R"(
    "a": {"kind": "ask", "fields": [{"name": "email", "type": "email"}], "next": "lookup"},
    "lookup": {"kind": "action", "connector": "crm.find", "input": {"email": "email"}, "outcomes": {"found": "reset"}},
    "reset": {"kind": "action", "connector": "crm.reset",
              "input": {"account": "steps.lookup.result.account_id", "reason": {"const": "troubleshoot"},
                        "channel": {"ref": "steps.lookup.result.channel", "default": "email"}},
              "outcomes": {"done": "d"}},
    "d": {"kind": "done", "state": "resolved", "message": "Account {{steps.lookup.result.account_id}}: reset {{result.ticket}}."})");
  flow::Session s;
  flow::start(f, s, kToday);
  auto a = flow::submit(f, s, "a", {{"email", "ana@example.com"}}, kToday);
  REQUIRE(a.kind == Kind::kRunAction);
  a = flow::record_action(f, s, "found", {{"account_id", "AC-7"}}, kToday);
  REQUIRE(a.kind == Kind::kRunAction);
  CHECK(a.input == json{{"account", "AC-7"}, {"reason", "troubleshoot"}, {"channel", "email"}});
  CHECK(flow::record_action(f, s, "done", {{"ticket", "T-1"}}, kToday).kind == Kind::kDone);
  // The later action did not hide the earlier one's result.
  CHECK(s.steps["lookup"]["result"]["account_id"] == "AC-7");
  CHECK(flow::step_view(f, s, kToday)["message"] == "Account AC\\-7: reset T\\-1.");
}

TEST_CASE("check proves every value is set on every path that reads it") {
  // The placeholder reads a result only one branch produces.
  auto p = problems(R"(
    "a": {"kind": "confirm", "message": "Look it up?", "yes": "lookup", "no": "d"},
    "lookup": {"kind": "action", "connector": "crm.find", "outcomes": {"found": "d"}},
    "d": {"kind": "done", "state": "resolved", "message": "Found {{steps.lookup.result.name}}."})");
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/t.json:4:59: 'steps.lookup.result.name' may have no value when step 'd' runs: not every path here runs step "
                "'lookup' with an outcome whose result has 'name' (test it with \"exists\" in a branch first)");
  // Guarded by exists, it is fine; an input with a default is fine.
  CHECK(problems(R"(
    "a": {"kind": "confirm", "message": "Look it up?", "yes": "lookup", "no": "b"},
    "lookup": {"kind": "action", "connector": "crm.find", "outcomes": {"found": "b"}},
    "b": {"kind": "branch", "cases": [{"when": {"field": "steps.lookup.result.name", "exists": true}, "next": "d"}], "otherwise": "e"},
    "e": {"kind": "action", "connector": "crm.note", "input": {"name": {"ref": "steps.lookup.result.name", "default": "?"}}, "outcomes": {"*": "f"}},
    "f": {"kind": "done", "state": "resolved", "message": "Not found."},
    "d": {"kind": "done", "state": "resolved", "message": "Found {{steps.lookup.result.name}}."})").empty());
  // Names that cannot exist at all.
  p = problems(R"(
    "a": {"kind": "action", "connector": "crm.find", "input": {"x": "steps.nope.result.id", "y": "vars.total"}, "outcomes": {"*": "d"}},
    "d": {"kind": "done", "state": "resolved", "message": "{{result}}"})");
  REQUIRE(p.size() == 2);
  CHECK(p[0].find("'steps.nope.result.id' names 'nope', which is not an action or call step of this flow") != std::string::npos);
  CHECK(p[1].find("'vars.total' is not computed by any set step") != std::string::npos);
  p = problems(R"("a": {"kind": "action", "connector": "crm.find", "input": {"z": "identity.phone"}, "outcomes": {"*": "ok"}},)" + kDone);
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("'identity.phone' is not part of a verified identity") != std::string::npos);
}

TEST_CASE("conditions: numbers, dates relative to today, all, any, not") {
  auto f = parse(R"(
    "a": {"kind": "ask", "fields": [{"name": "days", "type": "number"}, {"name": "bought", "type": "date"},
                                    {"name": "plan", "type": "choice", "choices": ["basic", "plus"]}], "next": "b"},
    "b": {"kind": "branch", "cases": [
      {"when": {"all": [{"field": "bought", "gte": "today-90d"}, {"not": {"field": "plan", "equals": "basic"}}]}, "next": "in-window"},
      {"when": {"any": [{"field": "days", "lt": 7}, {"field": "days", "gte": 30}]}, "next": "edge"}],
      "otherwise": "ok"},
    "in-window": {"kind": "done", "state": "resolved", "message": "In the window."},
    "edge": {"kind": "done", "state": "resolved", "message": "Under a week or over a month."},
    )" + kDone);
  auto run = [&](json answers) {
    flow::Session s;
    flow::start(f, s, kToday);
    flow::submit(f, s, "a", answers, kToday);
    return s.step;
  };
  CHECK(run({{"days", 6.5}, {"bought", "2026-09-04"}, {"plan", "plus"}}) == "in-window");  // today-90d = 2026-09-04
  CHECK(run({{"days", 6.5}, {"bought", "2026-09-03"}, {"plan", "plus"}}) == "edge");      // a day too early; 6.5 < 7
  CHECK(run({{"days", "7"}, {"bought", "2026-12-01"}, {"plan", "basic"}}) == "ok");
  CHECK(run({{"days", 30}, {"bought", "2026-12-01"}, {"plan", "basic"}}) == "edge");
  // An ordering compares numbers with numbers and dates with dates.
  auto p = problems(R"("a": {"kind": "branch", "cases": [{"when": {"field": "outcome", "lt": "soon"}, "next": "ok"}], "otherwise": "ok"},)" + kDone);
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("'lt' compares with a number, a date") != std::string::npos);
}

TEST_CASE("set: arithmetic over numbers, capped by policy; a value that cannot be computed goes to a person") {
  auto f = parse(R"(
    "a": {"kind": "ask", "fields": [{"name": "billed", "type": "number"}, {"name": "expected", "type": "number"}], "next": "c"},
    "c": {"kind": "set", "values": {"refund": {"round": {"min": [{"sub": ["billed", "expected"]}, 50]}, "places": 2},
                                   "share": {"div": [{"mul": ["billed", 100]}, "expected"]}}, "next": "b"},
    "b": {"kind": "branch", "cases": [{"when": {"field": "vars.refund", "gt": 0}, "next": "d"}], "otherwise": "ok"},
    "d": {"kind": "done", "state": "resolved", "message": "Refund {{vars.refund}} ({{vars.share}}%)."},
    )" + kDone);
  flow::Session s;
  flow::start(f, s, kToday);
  flow::submit(f, s, "a", {{"billed", 40.555}, {"expected", 20}}, kToday);
  CHECK(s.vars["refund"] == 20.56);
  CHECK(flow::step_view(f, s, kToday)["message"] == "Refund 20\\.56 (202\\.775%).");
  flow::start(f, s, kToday);
  flow::submit(f, s, "a", {{"billed", 400}, {"expected", 100}}, kToday);
  CHECK(s.vars["refund"] == 50);  // capped, and a whole number stays whole
  CHECK(s.vars["refund"].is_number_integer());
  flow::start(f, s, kToday);
  CHECK(flow::submit(f, s, "a", {{"billed", 5}, {"expected", 0}}, kToday).kind == Kind::kDone);
  CHECK(s.done_state == "escalate");
  CHECK(s.end_reason == "step 'c' could not compute vars.share: division by zero");
  CHECK(flow::step_view(f, s, kToday)["kind"] == "done");
  // Only arithmetic: anything else is refused where it is written.
  auto p = problems(R"("a": {"kind": "set", "values": {"x": {"concat": ["a", "b"]}}, "next": "ok"},)" + kDone);
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("expected a number, a value's name or one of add, sub, mul, div, min, max, round, not 'concat'") != std::string::npos);
}

TEST_CASE("attempts: fail twice, then a person; check refuses unbounded loops and loops of branches") {
  auto f = parse(R"(
    "a": {"kind": "ask", "fields": [{"name": "code"}], "next": "verify", "max_attempts": 2, "then": "person"},
    "verify": {"kind": "action", "connector": "demo.verify_code", "input": {"code": "code"},
               "outcomes": {"verified": "ok", "wrong_code": {"next": "a", "failure": true, "reason": "That code didn't match."}}},
    )" + kDone + "," + kPerson);
  flow::Session s;
  flow::start(f, s, kToday);
  for (int i = 0; i < 2; ++i) {
    REQUIRE(s.step == "a");
    flow::submit(f, s, "a", {{"code", "000000"}}, kToday);
    flow::record_action(f, s, "wrong_code", json::object(), kToday);
  }
  CHECK(s.step == "person");
  CHECK(s.done_state == "escalate");
  CHECK(s.failures() == 2);
  auto p = problems(R"(
    "a": {"kind": "branch", "cases": [{"when": {"field": "outcome", "exists": false}, "next": "b"}], "otherwise": "ok"},
    "b": {"kind": "set", "values": {"n": 1}, "next": "a"},
    )" + kDone);
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/t.json:2:10: steps 'a' -> 'b' -> 'a' loop through branches and actions without asking the customer anything");
  p = problems(R"("a": {"kind": "ask", "fields": [{"name": "x"}], "next": "a", "then": "ok"},)" + kDone);
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("'then' is where to go when 'max_attempts' are spent") != std::string::npos);
}

TEST_CASE("outcomes: \"*\" takes any other outcome; one nothing handles ends for a person, recorded") {
  auto f = parse(R"(
    "a": {"kind": "action", "connector": "demo.cancel", "outcomes": {"cancelled": "ok", "*": "person"}},
    )" + kDone + "," + kPerson);
  flow::Session s;
  REQUIRE(flow::start(f, s, kToday).kind == Kind::kRunAction);
  CHECK(flow::record_action(f, s, "already_cancelled", json::object(), kToday).kind == Kind::kDone);
  CHECK(s.step == "person");
  auto g = parse(R"("a": {"kind": "action", "connector": "demo.cancel", "outcomes": {"cancelled": "ok"}},)" + kDone);
  REQUIRE(flow::start(g, s, kToday).kind == Kind::kRunAction);
  CHECK(flow::record_action(g, s, "paused_instead", {{"until", "2027-01-01"}}, kToday).kind == Kind::kDone);
  CHECK(s.done_state == "escalate");
  CHECK(s.steps["a"]["outcome"] == "paused_instead");  // the action happened: on record for the agent
  CHECK(s.end_reason == "action 'demo.cancel' answered 'paused_instead', which step 'a' does not handle");
  const json view = flow::step_view(g, s, kToday);
  CHECK(view["done_state"] == "escalate");
  CHECK(view["message"].get<std::string>().find("nothing") == std::string::npos);  // never "nothing changed"
}

TEST_CASE("connectors declare their outcomes: check reports unknown connectors, unhandled and impossible outcomes") {
  flow::ConnectorCatalog catalog;
  catalog.connectors["demo.cancel"].outcomes = {{"cancelled", {"effective"}}, {"not_found", {}}};
  catalog.complete_prefixes = {"demo"};
  auto p = problems(R"(
    "a": {"kind": "action", "connector": "demo.cancel", "outcomes": {"cancelled": "b", "gone": "ok"}},
    "b": {"kind": "action", "connector": "demo.cancle", "outcomes": {"*": "ok"}},
    )" + kDone, &catalog);
  REQUIRE(p.size() == 3);
  CHECK(p[0] == "flows/t.json:2:69: connector 'demo.cancel' may answer 'not_found', which this step does not handle: add it, or \"*\" "
                "for every outcome not named");
  CHECK(p[1] == "flows/t.json:2:96: connector 'demo.cancel' never answers 'gone' (it answers cancelled, not_found)");
  CHECK(p[2] == "flows/t.json:3:42: no connector 'demo.cancle' (demo offers demo.cancel)");
  // Declared result keys are known per outcome.
  p = problems(R"(
    "a": {"kind": "action", "connector": "demo.cancel", "outcomes": {"cancelled": "d", "not_found": "e"}},
    "d": {"kind": "done", "state": "resolved", "message": "Ends {{result.effective}}."},
    "e": {"kind": "done", "state": "resolved", "message": "Ends {{result.effective}}."})", &catalog);
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("'result.effective' may have no value when step 'e' runs") != std::string::npos);
}

TEST_CASE("fields: integer, pattern only where it applies, rules across fields, ask only if missing") {
  flow::Field n{.name = "n", .label = "Rooms", .type = flow::FieldType::kInteger};
  CHECK(flow::validate_field(n, 3, "en", kToday) == "");
  CHECK(flow::validate_field(n, "12", "en", kToday) == "");
  CHECK(flow::validate_field(n, 3.5, "en", kToday) == "Rooms must be a whole number.");
  CHECK(flow::validate_field(n, "0x10", "en", kToday) == "Rooms must be a number.");
  flow::Field d{.name = "d", .label = "Bought", .type = flow::FieldType::kDate, .min = "today-90d", .max = "today"};
  CHECK(flow::validate_field(d, "2026-09-04", "en", kToday) == "");
  CHECK(flow::validate_field(d, "2026-09-03", "en", kToday) == "Bought must be on or after 2026-09-04.");
  CHECK(flow::validate_field(d, "2026-12-04", "en", kToday) == "Bought must be on or before 2026-12-03.");
  auto p = problems(R"("a": {"kind": "ask", "fields": [{"name": "n", "type": "number", "pattern": "^[0-9]+$"}], "next": "ok"},)" + kDone);
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("'pattern' applies to text, email and phone fields; a number field is checked by its type (use integer, min and max)") !=
        std::string::npos);

  auto f = parse(R"(
    "a": {"kind": "ask", "fields": [{"name": "name", "required": false}, {"name": "account", "required": false},
                                    {"name": "phone", "type": "phone", "required": false}, {"name": "zip", "required": false}],
          "rules": [{"at_least": 1, "of": ["name", "account"]}, {"at_least": 3, "of": ["name", "account", "phone", "zip"]}], "next": "ok"},
    )" + kDone);
  auto errors = flow::check_answers(f, "a", {{"phone", "+34 600 123 456"}, {"zip", "28001"}}, kToday);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].field == "name");
  CHECK(errors[0].message == "Give at least 1 of: name, account.");
  errors = flow::check_answers(f, "a", {{"name", "Ana"}, {"zip", "28001"}}, kToday);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message == "Give at least 3 of: name, account, phone, zip.");
  CHECK(flow::check_answers(f, "a", {{"account", "AC-1"}, {"phone", "+34 600 123 456"}, {"zip", "28001"}}, kToday).empty());

  // A field known from the verified identity is not asked; a step with nothing left to ask is skipped.
  auto g = parse(R"(
    "a": {"kind": "ask", "fields": [{"name": "email", "type": "email", "from": "identity.email"}], "next": "b"},
    "b": {"kind": "ask", "fields": [{"name": "email2", "type": "email", "from": "email"}, {"name": "note", "required": false}], "next": "ok"},
    )" + kDone);
  flow::Session s;
  flow::start(g, s, kToday, kIdentity);
  CHECK(s.step == "b");
  CHECK(s.answers["email"] == "ana@example.com");
  CHECK(s.history == std::vector<std::string>{"b"});  // the skipped step was never shown: no going back to it
  const json view = flow::step_view(g, s, kToday);
  REQUIRE(view["fields"].size() == 1);
  CHECK(view["fields"][0]["name"] == "note");
  CHECK(flow::submit(g, s, "b", {{"email2", "x@example.com"}}, kToday).errors.at(0).message == "unknown field 'email2'");
  CHECK(flow::submit(g, s, "b", {{"note", "hi"}}, kToday).kind == Kind::kDone);
  CHECK(s.answers["email2"] == "ana@example.com");
  flow::start(g, s, kToday);  // no identity: asked
  CHECK(s.step == "a");
}

TEST_CASE("a flow that requires an identified customer runs with the verified id and refuses without it") {
  auto f = parse(R"("a": {"kind": "action", "connector": "demo.plan", "input": {"customer": "identity.id"}, "outcomes": {"*": "ok"}},)" + kDone,
                 "a", R"("requires": ["identified"], )");
  flow::Session s;
  CHECK_THROWS_AS(flow::start(f, s, kToday), std::invalid_argument);
  CHECK_THROWS_AS(flow::start(f, s, kToday, json{{"email", "ana@example.com"}}), std::invalid_argument);
  auto a = flow::start(f, s, kToday, kIdentity);
  CHECK(a.input == json{{"customer", "cus_1"}});
  // Without "requires", identity.id may be missing: the checker says so.
  auto p = problems(R"("a": {"kind": "action", "connector": "demo.plan", "input": {"customer": "identity.id"}, "outcomes": {"*": "ok"}},)" + kDone);
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("the flow does not require an identified customer") != std::string::npos);
}

namespace {

std::string flow_text(const std::string& id, const std::string& head, const std::string& steps) {
  return R"({"id": ")" + id + R"(", "title": ")" + id + R"(", "locale": "en", )" + head + R"(, "steps": {)" + steps + "}}";
}

const std::string kVerify = flow_text("verify", R"("subflow": true, "inputs": {"email": {"required": false}}, "start": "email")", R"(
    "email": {"kind": "ask", "fields": [{"name": "email", "type": "email", "from": "inputs.email"}], "next": "code"},
    "code": {"kind": "ask", "fields": [{"name": "code", "sensitive": true}], "next": "check", "max_attempts": 2, "then": "failed"},
    "check": {"kind": "action", "connector": "demo.verify_code", "input": {"email": "email", "code": "code"},
              "outcomes": {"verified": "ok", "wrong_code": {"next": "code", "failure": true, "reason": "wrong code"}}},
    "ok": {"kind": "done", "state": "resolved", "outcome": "verified", "message": "ok", "result": {"email": "email", "code": "code"}},
    "failed": {"kind": "done", "state": "unresolved", "outcome": "not_verified", "title": "could not verify", "message": "no"})");

}  // namespace

TEST_CASE("sub-flows: a call runs another flow, inlined by the compiler, and goes on with its outcome and result") {
  const std::string caller = flow_text("reset", R"("start": "ask")", R"(
    "ask": {"kind": "ask", "fields": [{"name": "email", "type": "email"}], "next": "verify"},
    "verify": {"kind": "call", "flow": "verify", "input": {"email": "email"}, "outcomes": {"verified": "set", "not_verified": "person"}},
    "set": {"kind": "action", "connector": "demo.set_password", "input": {"email": "steps.verify.result.email", "code": "steps.verify.result.code"},
            "outcomes": {"*": "ok"}},
    "ok": {"kind": "done", "state": "resolved", "message": "Done for {{steps.verify.result.email}}."},
    "person": {"kind": "done", "state": "escalate", "message": "A person will help."})");
  std::map<std::string, flow::FlowSource> flows = {{"reset", {"flows/reset.json", caller}}, {"verify", {"flows/verify.json", kVerify}}};
  base::Diagnostics d;
  auto linked = flow::link_flow("reset", flows, d);
  for (const auto& p : d) MESSAGE(p.to_string());
  REQUIRE(linked.has_value());
  auto f = flow::parse_flow("flows/reset.json", *linked, d);
  for (const auto& p : d) MESSAGE(p.to_string());
  REQUIRE(f.has_value());
  CHECK(f->linked_from == std::vector<std::string>{"verify"});

  flow::Session s;
  flow::start(f.value(), s, kToday);
  flow::submit(*f, s, "ask", {{"email", "ana@example.com"}}, kToday);
  CHECK(s.step == "verify/code");  // the sub-flow's email step was skipped: the caller passed it
  CHECK(s.answers["verify/email"] == "ana@example.com");
  auto a = flow::submit(*f, s, "verify/code", {{"verify/code", "123456"}}, kToday);
  REQUIRE(a.kind == Kind::kRunAction);
  CHECK(a.input == json{{"email", "ana@example.com"}, {"code", "123456"}});
  a = flow::record_action(*f, s, "verified", json::object(), kToday);
  REQUIRE(a.kind == Kind::kRunAction);  // back in the caller, with what the sub-flow returned
  CHECK(a.connector == "demo.set_password");
  CHECK(a.input == json{{"email", "ana@example.com"}, {"code", "123456"}});
  CHECK(flow::record_action(*f, s, "changed", json::object(), kToday).kind == Kind::kDone);
  CHECK(flow::step_view(*f, s, kToday)["message"] == "Done for ana@example\\.com.");
  // The code travelled into the call's result: the agent's view redacts it there too.
  const std::string redacted = flow::to_json(*f, s, true).dump();
  CHECK(redacted.find("123456") == std::string::npos);

  // Spent attempts in the sub-flow end it not_verified, and the caller goes on by that outcome.
  flow::start(*f, s, kToday);
  flow::submit(*f, s, "ask", {{"email", "ana@example.com"}}, kToday);
  for (int i = 0; i < 2; ++i) {
    flow::submit(*f, s, "verify/code", {{"verify/code", "000000"}}, kToday);
    flow::record_action(*f, s, "wrong_code", json::object(), kToday);
  }
  CHECK(s.step == "person");
  CHECK(s.steps["verify"]["outcome"] == "not_verified");
  CHECK(s.failures() == 3);  // two wrong codes, and the sub-flow ending unresolved
}

TEST_CASE("check follows calls: a missing flow, a loop of calls, inputs, unhandled and impossible outcomes, another language") {
  auto problems_of = [](const std::string& caller_steps, const std::string& extra_flow = "") {
    std::map<std::string, flow::FlowSource> flows = {{"c", {"flows/c.json", flow_text("c", R"("start": "a")", caller_steps)}},
                                                     {"verify", {"flows/verify.json", kVerify}}};
    if (!extra_flow.empty()) flows["x"] = {"flows/x.json", extra_flow};
    base::Diagnostics d;
    CHECK_FALSE(flow::link_flow("c", flows, d).has_value());
    std::vector<std::string> out;
    for (const auto& p : d) out.push_back(p.to_string());
    return out;
  };
  auto p = problems_of(R"("a": {"kind": "call", "flow": "nope", "outcomes": {"*": "ok"}}, )" + kDone);
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/c.json:1:97: no flow 'nope' to call");
  p = problems_of(R"("a": {"kind": "call", "flow": "verify", "input": {"mail": {"const": "a@b.co"}}, "outcomes": {"verified": "ok", "gone": "ok"}}, )" + kDone);
  REQUIRE(p.size() == 3);
  CHECK(p[0].find("'verify' takes no input 'mail' (it takes email)") != std::string::npos);
  CHECK(p[1].find("'verify' may end with 'not_verified', which this step does not handle: add it, or \"*\"") != std::string::npos);
  CHECK(p[2].find("'verify' never ends with 'gone' (it ends with not_verified, verified)") != std::string::npos);
  const std::string loop = flow_text("x", R"("start": "b")", R"("b": {"kind": "call", "flow": "c", "outcomes": {"*": "d"}},
    "d": {"kind": "done", "state": "resolved", "message": "m"})");
  p = problems_of(R"("a": {"kind": "call", "flow": "x", "outcomes": {"*": "ok"}}, )" + kDone, loop);
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("flows call each other in a loop: c -> x -> c") != std::string::npos);
  std::string spanish = kVerify;
  spanish.replace(spanish.find(R"("locale": "en")"), 14, R"("locale": "es")");
  spanish.replace(spanish.find(R"("id": "verify")"), 14, R"("id": "x")");
  p = problems_of(R"("a": {"kind": "call", "flow": "x", "outcomes": {"*": "ok"}}, )" + kDone, spanish);
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("'x' is in es, this flow in en: a called flow speaks its caller's language") != std::string::npos);
  // A sub-flow's own mistakes are its own file's: inputs it does not declare.
  base::Diagnostics d;
  CHECK_FALSE(flow::parse_flow("flows/v.json", flow_text("v", R"("subflow": true, "start": "a")",
                                                          R"("a": {"kind": "done", "state": "resolved", "message": "{{inputs.who}}"})"), d));
  REQUIRE(d.size() == 1);
  CHECK(d[0].message == "placeholder {{inputs.who}} is not one of this flow's inputs (it declares none)");
}
