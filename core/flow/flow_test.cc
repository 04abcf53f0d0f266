#include "core/flow/flow.h"

#include <doctest/doctest.h>

#include "core/flow/flow_test_fixture.h"

using namespace firstfix;

namespace {
std::vector<std::string> problems(const std::string& text) {
  base::Diagnostics d;
  auto f = flow::parse_flow("flows/f.json", text, d);
  CHECK_FALSE(f.has_value());
  std::vector<std::string> out;
  for (const auto& x : d) out.push_back(x.to_string());
  return out;
}
}  // namespace

TEST_CASE("a complete flow parses") {
  base::Diagnostics d;
  auto f = flow::parse_flow("flows/return.json", return_flow_json(), d);
  REQUIRE(f.has_value());
  CHECK(d.empty());
  CHECK(f->steps.size() == 11);
  CHECK(f->step("lookup").outcomes.at("not_found").failure);
  CHECK(f->step("route").cases.size() == 2);
  CHECK(f->field("email")->sensitive);
  CHECK(f->field("reason")->choices.size() == 3);
}

TEST_CASE("problems are located at the offending value") {
  auto p = problems(R"({"id": "f", "title": "F", "locale": "en", "start": "a",
  "steps": {
    "a": {"kind": "ask", "fields": [{"name": "x", "type": "colour"}], "next": "b"},
    "b": {"kind": "done", "state": "finished", "message": "m"}
  }})");
  REQUIRE(p.size() == 2);
  CHECK(p[0] == "flows/f.json:3:59: unknown field type 'colour' (expected text, email, phone, number, integer, date, choice, multi-choice, photo)");
  CHECK(p[1] == "flows/f.json:4:36: unknown done state 'finished' (expected resolved, unresolved, escalate)");
}

TEST_CASE("the graph: missing targets, unreachable steps, no done state, unknown inputs") {
  auto p = problems(R"({"id": "f", "title": "F", "locale": "en", "start": "a",
  "steps": {
    "a": {"kind": "message", "message": "hi", "next": "nowhere"},
    "b": {"kind": "done", "state": "resolved", "message": "m"}
  }})");
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/f.json:3:55: step 'nowhere' does not exist");
  p = problems(R"({"id": "f", "title": "F", "locale": "en", "start": "a",
  "steps": {
    "a": {"kind": "message", "message": "hi", "next": "a"},
    "b": {"kind": "done", "state": "resolved", "message": "m"}
  }})");
  REQUIRE(p.size() == 3);
  CHECK(p[0] == "flows/f.json:4:10: step 'b' cannot be reached from the start");
  CHECK(p[1] == "flows/f.json:2:12: no done step can be reached: every flow must end in a clear done state");
  CHECK(p[2] == "flows/f.json:3:10: steps 'a' -> 'a' loop with no bound: give one of them \"max_attempts\" and \"then\" "
                "(where to go when the attempts are spent)");
  p = problems(R"({"id": "f", "title": "F", "locale": "en", "start": "a",
  "steps": {
    "a": {"kind": "action", "connector": "c", "input": {"order": "order_id"}, "outcomes": {"ok": "b"}},
    "b": {"kind": "done", "state": "resolved", "message": "m"}
  }})");
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/f.json:3:66: 'order_id' names an answer no ask step asks");
}

TEST_CASE("field rules: patterns compile, choices fit their type, unknown keys are named") {
  auto p = problems(R"({"id": "f", "title": "F", "locale": "en", "start": "a", "steps": {
    "a": {"kind": "ask", "fields": [{"name": "x", "pattern": "([a-z"}, {"name": "y", "type": "choice"},
                                    {"name": "z", "colour": "red"}], "next": "b"},
    "b": {"kind": "done", "state": "resolved", "message": "m"}}})");
  REQUIRE(p.size() == 3);
  CHECK(p[0].rfind("flows/f.json:2:62: pattern does not compile:", 0) == 0);
  CHECK(p[1] == "flows/f.json:2:72: field 'y' of type choice needs 'choices'");
  CHECK(p[2] == "flows/f.json:3:61: unknown field 'colour' (expected name, label, type, required, pattern, min, max, min_length, max_length, choices, sensitive, hint, from, input)");
}

TEST_CASE("top-level fields are checked") {
  auto p = problems(R"({"id": "Bad Id", "title": "F", "locale": "xx", "requires": ["vip"], "start": "a", "steps": {}})");
  REQUIRE(p.size() == 4);
  CHECK(p[0] == "flows/f.json:1:8: invalid id 'Bad Id': use lower-case letters, digits and single hyphens");
  CHECK(p[1] == "flows/f.json:1:42: unknown locale 'xx'");
  CHECK(p[2] == "flows/f.json:1:60: unknown requirement 'vip' (expected identified)");
  CHECK(p[3] == "flows/f.json:1:92: a flow needs 'steps': an object of named steps");
}

TEST_CASE("page patterns of a flow are paths or full URLs, as an article's are") {
  auto p = problems(R"({"id": "f", "title": "F", "locale": "en", "pages": ["/orders*", "https://shop.example/orders/*", "orders"], "start": "d",
  "steps": {"d": {"kind": "done", "state": "resolved", "message": "m"}}})");
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/f.json:1:98: page pattern 'orders' must be a path starting with '/' or a full URL (https://...)");
}
