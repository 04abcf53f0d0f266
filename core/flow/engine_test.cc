#include "core/flow/engine.h"

#include <doctest/doctest.h>

#include "core/flow/flow_test_fixture.h"

using namespace firstfix;
using nlohmann::json;
using Kind = flow::Advance::Kind;

namespace {
flow::Session begin(const flow::Flow& f) {
  flow::Session s;
  CHECK(flow::start(f, s, kToday).kind == Kind::kShowStep);
  return s;
}

flow::Flow load() {
  base::Diagnostics d;
  auto f = flow::parse_flow("flows/return.json", return_flow_json(), d);
  REQUIRE(f.has_value());
  return *f;
}
}  // namespace

TEST_CASE("a return ends refunded: ask, action, ask, branch, confirm, action, done") {
  auto f = load();
  auto s = begin(f);
  CHECK(s.step == "order");
  auto a = flow::submit(f, s, "order", {{"order_id", "BL-12345"}, {"email", "ana@example.com"}}, kToday);
  REQUIRE(a.kind == Kind::kRunAction);
  CHECK(a.connector == "demo.find_order");
  CHECK(a.input == json{{"order", "BL-12345"}, {"email", "ana@example.com"}});
  a = flow::record_action(f, s, "found", {{"items", 2}}, kToday);
  CHECK(a.kind == Kind::kShowStep);
  CHECK(s.step == "reason");
  a = flow::submit(f, s, "reason", {{"reason", "defective"}}, kToday);
  CHECK(s.step == "confirm-refund");  // the branch ran by itself
  a = flow::submit(f, s, "confirm-refund", {{"confirm", true}}, kToday);
  REQUIRE(a.kind == Kind::kRunAction);
  CHECK(a.input == json{{"order", "BL-12345"}});
  a = flow::record_action(f, s, "ok", json::object(), kToday);
  CHECK(a.kind == Kind::kDone);
  CHECK(s.done_state == "resolved");
  CHECK(s.failures() == 0);
  CHECK(s.history == std::vector<std::string>{"order", "lookup", "reason", "route", "confirm-refund", "refund", "refunded"});
}

TEST_CASE("a clarifying answer branches to a save offer; accepting it resolves") {
  auto f = load();
  auto s = begin(f);
  flow::submit(f, s, "order", {{"order_id", "BL-12345"}, {"email", "ana@example.com"}}, kToday);
  flow::record_action(f, s, "found", {}, kToday);
  flow::submit(f, s, "reason", {{"reason", "wrong size"}, {"details", "too small"}}, kToday);
  CHECK(s.step == "exchange-offer");
  CHECK(flow::submit(f, s, "exchange-offer", {{"accept", true}}, kToday).kind == Kind::kDone);
  CHECK(s.done_state == "resolved");
  CHECK(s.answers["offer:exchange-offer"] == "accepted");
}

TEST_CASE("failures are counted: a failed action and an unresolved end") {
  auto f = load();
  auto s = begin(f);
  flow::submit(f, s, "order", {{"order_id", "BL-99999"}, {"email", "ana@example.com"}}, kToday);
  CHECK(flow::record_action(f, s, "not_found", {}, kToday).kind == Kind::kShowStep);
  CHECK(s.step == "order");  // asked again
  CHECK(s.failure_reasons == std::vector<std::string>{"order not found"});
  flow::submit(f, s, "order", {{"order_id", "BL-12345"}, {"email", "ana@example.com"}}, kToday);
  flow::record_action(f, s, "found", {}, kToday);
  flow::submit(f, s, "reason", {{"reason", "changed my mind"}}, kToday);
  CHECK(flow::submit(f, s, "confirm-refund", {{"confirm", false}}, kToday).kind == Kind::kDone);
  CHECK(s.done_state == "unresolved");
  CHECK(s.failures() == 2);
  CHECK(s.failure_reasons[1] == "customer kept the item");
  flow::record_not_solved(s, "");
  CHECK(s.failures() == 3);
}

TEST_CASE("invalid answers are refused field by field and change nothing") {
  auto f = load();
  auto s = begin(f);
  const auto before = flow::to_json(f, s, false);
  auto a = flow::submit(f, s, "order", {{"order_id", "12345"}, {"email", "not-an-email"}, {"extra", 1}}, kToday);
  REQUIRE(a.kind == Kind::kInvalid);
  REQUIRE(a.errors.size() == 3);
  CHECK(a.errors[0].field == "extra");
  CHECK(a.errors[1].message == "Order number is not in the expected format.");
  CHECK(a.errors[2].message == "Email must be an email address, like name@example.com.");
  CHECK(flow::to_json(f, s, false) == before);
  a = flow::submit(f, s, "order", json::object(), kToday);
  CHECK(a.errors[0].message == "Order number is required.");
  CHECK(flow::submit(f, s, "reason", {{"reason", "defective"}}, kToday).errors[0].message.find("flow is at 'order'") != std::string::npos);
  CHECK(flow::submit(f, s, "order", json::array(), kToday).kind == Kind::kInvalid);
  CHECK(flow::record_action(f, s, "found", {}, kToday).kind == Kind::kInvalid);  // no action is waiting
}

TEST_CASE("field validation by type") {
  flow::Field n{.name = "n", .label = "Quantity", .type = flow::FieldType::kNumber, .min = 1, .max = 10};
  CHECK(flow::validate_field(n, 3, "en", kToday) == "");
  CHECK(flow::validate_field(n, "4", "en", kToday) == "");
  CHECK(flow::validate_field(n, "4x", "en", kToday) == "Quantity must be a number.");
  CHECK(flow::validate_field(n, 11, "en", kToday) == "Quantity must be at most 10.");
  flow::Field d{.name = "d", .label = "Date", .type = flow::FieldType::kDate, .min = "2026-01-01"};
  CHECK(flow::validate_field(d, "2026-02-28", "en", kToday) == "");
  CHECK(flow::validate_field(d, "2026-02-30", "en", kToday) == "Date must be a date (YYYY-MM-DD).");
  CHECK(flow::validate_field(d, "2025-12-31", "en", kToday) == "Date must be on or after 2026-01-01.");
  flow::Field p{.name = "p", .label = "Phone", .type = flow::FieldType::kPhone};
  CHECK(flow::validate_field(p, "+34 600 12 34 56", "en", kToday) == "");
  CHECK(flow::validate_field(p, "call me", "en", kToday) == "Phone must be a phone number (7 to 15 digits).");
  flow::Field m{.name = "m", .label = "Rooms", .type = flow::FieldType::kMultiChoice, .max_length = 2, .choices = {"a", "b", "c"}};
  CHECK(flow::validate_field(m, json::array({"a", "c"}), "en", kToday) == "");
  CHECK(flow::validate_field(m, json::array({"a", "z"}), "en", kToday) == "Rooms: choose from the options given.");
  CHECK(flow::validate_field(m, json::array({"a", "b", "c"}), "en", kToday) == "Rooms: choose at most 2.");
  flow::Field t{.name = "t", .label = "Name", .min_length = 2};
  CHECK(flow::validate_field(t, "Ñ", "en", kToday) == "Name must be at least 2 characters.");  // characters, not bytes
  CHECK(flow::validate_field(t, "Ña", "en", kToday) == "");
  CHECK(flow::validate_field(t, json::object(), "en", kToday) == "Name must be text.");
  CHECK(flow::validate_field(t, std::string(20000, 'a'), "en", kToday) == "Name is too long.");
  // In the flow's language; a language without messages falls back to English.
  CHECK(flow::validate_field(t, "Ñ", "es", kToday) == "Name debe tener al menos 2 caracteres.");
  CHECK(flow::validate_field(t, json(), "es", kToday) == "Name: este campo es obligatorio.");
  CHECK(flow::validate_field(t, "Ñ", "ja", kToday) == "Name must be at least 2 characters.");
}

TEST_CASE("sessions round-trip through JSON; sensitive answers are redacted for others") {
  auto f = load();
  auto s = begin(f);
  flow::submit(f, s, "order", {{"order_id", "BL-12345"}, {"email", "ana@example.com"}}, kToday);
  auto restored = flow::session_from_json(flow::to_json(f, s, false));
  CHECK(flow::to_json(f, restored, false) == flow::to_json(f, s, false));
  CHECK(flow::record_action(f, restored, "found", {}, kToday).kind == Kind::kShowStep);
  const auto shared = flow::to_json(f, s, true);
  CHECK(shared["answers"]["email"] == flow::kRedacted);
  CHECK(shared["answers"]["order_id"] == "BL-12345");
  CHECK_THROWS_AS(flow::session_from_json(json{{"flow", 1}}), std::invalid_argument);
}

TEST_CASE("flows that require an identified customer refuse anonymous starts") {
  base::Diagnostics d;
  auto f = flow::parse_flow("f.json", R"({"id": "f", "title": "F", "locale": "en", "requires": ["identified"], "start": "d",
    "steps": {"d": {"kind": "done", "state": "resolved", "message": "ok"}}})", d);
  REQUIRE(f.has_value());
  flow::Session s;
  CHECK_THROWS_AS(flow::start(*f, s, kToday), std::invalid_argument);
  CHECK(flow::start(*f, s, kToday, kIdentity).kind == Kind::kDone);
  CHECK(s.done_state == "resolved");
}

TEST_CASE("a flow may begin with an action") {
  base::Diagnostics d;
  auto f = flow::parse_flow("f.json", R"({"id": "f", "title": "F", "locale": "en", "start": "a", "steps": {
    "a": {"kind": "action", "connector": "demo.orders", "outcomes": {"ok": "d"}},
    "d": {"kind": "done", "state": "resolved", "message": "ok"}}})", d);
  REQUIRE(f.has_value());
  flow::Session s;
  auto a = flow::start(*f, s, kToday);
  CHECK(a.kind == Kind::kRunAction);
  CHECK(a.connector == "demo.orders");
  CHECK(flow::record_action(*f, s, "ok", {}, kToday).kind == Kind::kDone);
}

TEST_CASE("hostile inputs are refused without changing the session") {
  auto f = load();
  auto s = begin(f);
  const auto before = flow::to_json(f, s, false);
  // Not an object, a stale step, a step the flow does not have.
  CHECK(flow::submit(f, s, "order", json::array({1, 2}), kToday).kind == Kind::kInvalid);
  CHECK(flow::submit(f, s, "reason", {{"reason", "defective"}}, kToday).kind == Kind::kInvalid);
  CHECK(flow::submit(f, s, "no-such-step", json::object(), kToday).kind == Kind::kInvalid);
  // Wrong types, nested structures, huge and control-character values.
  auto a = flow::submit(f, s, "order", {{"order_id", json::object({{"$ne", ""}})}, {"email", json::array({"a@b.co"})}}, kToday);
  CHECK(a.kind == Kind::kInvalid);
  CHECK(a.errors.size() == 2);
  CHECK(flow::submit(f, s, "order", {{"order_id", std::string(1 << 20, 'B')}, {"email", "ana@example.com"}}, kToday).kind == Kind::kInvalid);
  a = flow::submit(f, s, "order", {{"order_id", "BL-12345\nBL-00000"}, {"email", std::string("ana@example.com\0<x>", 19)}}, kToday);
  CHECK(a.errors.size() == 2);
  // An action result nobody asked for, or an outcome the step does not have.
  CHECK(flow::record_action(f, s, "found", json::object(), kToday).kind == Kind::kInvalid);
  CHECK(flow::to_json(f, s, false) == before);
  flow::submit(f, s, "order", {{"order_id", "BL-12345"}, {"email", "ana@example.com"}}, kToday);
  // A confirm answered with anything but a boolean.
  flow::record_action(f, s, "found", json::object(), kToday);
  flow::submit(f, s, "reason", {{"reason", "defective"}}, kToday);
  REQUIRE(s.step == "confirm-refund");
  for (const json& bad : {json{{"confirm", "yes"}}, json{{"confirm", 1}}, json::object()})
    CHECK(flow::submit(f, s, "confirm-refund", bad, kToday).kind == Kind::kInvalid);
  CHECK(s.step == "confirm-refund");
  // A tampered or truncated session is refused by name.
  CHECK_THROWS_WITH_AS(flow::session_from_json(json{{"flow", "x"}}), doctest::Contains("malformed flow session"), std::invalid_argument);
  CHECK_THROWS_AS(flow::session_from_json(json::array()), std::invalid_argument);
}
