#include "core/flow/step_view.h"

#include <doctest/doctest.h>

#include "core/flow/flow_test_fixture.h"
#include "core/flow/message_template.h"

using namespace firstfix;
using nlohmann::json;

namespace {
flow::Flow load() {
  base::Diagnostics d;
  auto f = flow::parse_flow("flows/return.json", return_flow_json(), d);
  REQUIRE(f.has_value());
  return *f;
}

std::vector<std::string> problems(const std::string& text) {
  base::Diagnostics d;
  CHECK_FALSE(flow::parse_flow("flows/f.json", text, d).has_value());
  std::vector<std::string> out;
  for (const auto& x : d) out.push_back(x.to_string());
  return out;
}
}  // namespace

TEST_CASE("placeholders are filled and escaped so an answer cannot add Markdown") {
  auto lookup = [](const std::string& name) -> std::optional<std::string> {
    if (name == "name") return "[click](javascript:x) *bold*";
    if (name == "result.status") return "in transit";
    return std::nullopt;
  };
  CHECK(flow::fill_template("Hi {{ name }}, it is {{result.status}}.{{missing}}", lookup) ==
        "Hi \\[click\\]\\(javascript:x\\) \\*bold\\*, it is in transit.");
  CHECK(flow::fill_template("no placeholders {{ unclosed", lookup) == "no placeholders {{ unclosed");
  CHECK(flow::template_names("{{a}} and {{ result.b }}") == std::vector<std::string>{"a", "result.b"});
}

TEST_CASE("the checker refuses placeholders that are malformed, unknown or sensitive") {
  auto p = problems(R"({"id": "f", "title": "F", "locale": "en", "start": "a",
  "steps": {
    "a": {"kind": "ask", "fields": [{"name": "pin", "sensitive": true}, {"name": "x"}], "next": "b"},
    "b": {"kind": "done", "state": "resolved", "title": "{{nope}}", "message": "{{pin}} {{x y}} {{result.ok}} {{x}}"}
  }})");
  REQUIRE(p.size() == 3);
  CHECK(p[0] == "flows/f.json:4:57: placeholder {{nope}} names an answer no ask step asks");
  CHECK(p[1].find("placeholder {{pin}} would show a sensitive answer") != std::string::npos);
  CHECK(p[2].find("malformed placeholder {{x y}}") != std::string::npos);
}

TEST_CASE("the step view shows fields, prefilled values except sensitive ones, and progress") {
  auto f = load();
  flow::Session s;
  flow::start(f, s, kToday);
  json v = flow::step_view(f, s, kToday);
  CHECK(v["id"] == "order");
  CHECK(v["kind"] == "ask");
  REQUIRE(v["fields"].size() == 2);
  CHECK(v["fields"][0]["pattern"] == "^BL-[0-9]{5}$");
  CHECK(v["fields"][1]["sensitive"] == true);
  // order -> reason -> confirm-refund is the shortest way to a done step.
  CHECK(v["progress"] == json{{"step", 1}, {"of", 3}});
  CHECK(v["can_go_back"] == false);

  flow::submit(f, s, "order", {{"order_id", "BL-12345"}, {"email", "ana@example.com"}}, kToday);
  flow::record_action(f, s, "found", {{"items", 2}}, kToday);
  v = flow::step_view(f, s, kToday);
  CHECK(v["id"] == "reason");
  CHECK(v["progress"] == json{{"step", 2}, {"of", 3}});
  CHECK(v["can_go_back"] == false);  // an action ran since the last answer

  flow::submit(f, s, "reason", {{"reason", "wrong size"}}, kToday);
  v = flow::step_view(f, s, kToday);
  CHECK(v["kind"] == "offer");
  CHECK(v["labels"].contains("accept"));
  CHECK(v["can_go_back"] == true);

  REQUIRE(flow::go_back(f, s));
  CHECK(s.step == "reason");
  v = flow::step_view(f, s, kToday);
  CHECK(v["fields"][0]["value"] == "wrong size");  // prefilled for a change of mind
  CHECK(flow::submit(f, s, "reason", {{"reason", "defective"}}, kToday).kind == flow::Advance::Kind::kShowStep);
  CHECK(s.step == "confirm-refund");
  CHECK(s.history == std::vector<std::string>{"order", "lookup", "reason", "route", "confirm-refund"});
}

TEST_CASE("going back is refused past an action, and nothing changes") {
  auto f = load();
  flow::Session s;
  flow::start(f, s, kToday);
  CHECK_FALSE(flow::go_back(f, s));
  flow::submit(f, s, "order", {{"order_id", "BL-12345"}, {"email", "ana@example.com"}}, kToday);
  flow::record_action(f, s, "found", {}, kToday);
  const auto before = flow::to_json(f, s, false);
  CHECK_FALSE(flow::go_back(f, s));
  CHECK(flow::to_json(f, s, false) == before);
}

TEST_CASE("a done view names its state and fills its message from answers") {
  base::Diagnostics d;
  auto f = flow::parse_flow("flows/t.json", R"({"id": "t", "title": "T", "locale": "en", "start": "a",
    "steps": {"a": {"kind": "ask", "fields": [{"name": "order_id"}], "next": "t"},
              "t": {"kind": "action", "connector": "demo.track", "input": {"order": "order_id"}, "outcomes": {"*": "d"}},
              "d": {"kind": "done", "state": "resolved", "message": "Order {{order_id}} is {{result.status}}."}}})", d);
  REQUIRE(f.has_value());
  flow::Session s;
  flow::start(*f, s, kToday);
  CHECK(flow::submit(*f, s, "a", {{"order_id", "BL-1"}}, kToday).kind == flow::Advance::Kind::kRunAction);
  CHECK(flow::record_action(*f, s, "in_transit", {{"status", "on its way"}}, kToday).kind == flow::Advance::Kind::kDone);
  json v = flow::step_view(*f, s, kToday);
  CHECK(v["done_state"] == "resolved");
  CHECK(v["message"] == "Order BL\\-1 is on its way.");
  CHECK(v["progress"] == json{{"step", 1}, {"of", 1}});
}

TEST_CASE("the core decides how each field is typed; the widget draws it as given") {
  using flow::Field;
  using flow::FieldType;
  auto kind = [](Field f) { return flow::input_kind(f); };
  auto is = [](const json& k, const char* type, const char* autocomplete, const char* inputmode) {
    return k == json{{"type", type}, {"autocomplete", autocomplete}, {"inputmode", inputmode}};
  };
  CHECK(is(kind({.name = "password", .sensitive = true, .input = "password"}), "password", "new-password", ""));
  CHECK(is(kind({.name = "code", .pattern = "^[0-9]{6}$", .sensitive = true}), "text", "one-time-code", "numeric"));  // inferred
  CHECK(is(kind({.name = "pin", .pattern = "^[0-9]{4,6}$", .sensitive = true}), "text", "off", ""));  // not exactly N digits
  CHECK(is(kind({.name = "card", .sensitive = true, .input = "card-number"}), "text", "cc-number", "numeric"));
  CHECK(is(kind({.name = "mail", .type = FieldType::kEmail}), "email", "email", "email"));
  CHECK(is(kind({.name = "phone", .type = FieldType::kPhone}), "tel", "tel", "tel"));
  CHECK(is(kind({.name = "rooms", .type = FieldType::kInteger}), "number", "off", "numeric"));
  CHECK(is(kind({.name = "secret", .sensitive = true}), "text", "off", ""));  // a name never decides
  // In the step view, and refused where it cannot apply.
  base::Diagnostics d;
  CHECK_FALSE(flow::parse_flow("flows/t.json", R"({"id": "t", "title": "T", "locale": "en", "start": "a", "steps": {
    "a": {"kind": "ask", "fields": [{"name": "n", "type": "number", "input": "password"}], "next": "d"},
    "d": {"kind": "done", "state": "resolved", "message": "m"}}})", d));
  REQUIRE(d.size() == 1);
  CHECK(d[0].message == "'input' applies to text fields: a number field is typed as its type says");
}
