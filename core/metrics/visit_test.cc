#include "core/metrics/visit.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace firstfix::metrics {
namespace {

using nlohmann::json;

// 2026-11-20 12:00:00 UTC
constexpr std::int64_t kNoon = 1795176000000LL;
constexpr std::int64_t kMinute = 60000;

struct VisitBuilder {
  std::string visit = "visit-0001";
  std::int64_t at = kNoon;
  int seq = 0;
  std::vector<Event> events;

  VisitBuilder& add(json j, std::int64_t after_ms = kMinute) {
    at += after_ms;
    j["id"] = visit + "-e" + std::to_string(seq);
    j["visit"] = visit;
    j["at"] = at;
    j["seq"] = seq++;
    j["locale"] = "en";
    if (!j.contains("visitor")) j["visitor"] = "visitor-1";
    events.push_back(parse_event(j));
    return *this;
  }
  VisitBuilder& search(const std::string& q, int results, const std::string& id, std::int64_t after_ms = kMinute) {
    return add({{"type", "search"}, {"query", q}, {"results", results}, {"search_id", id}}, after_ms);
  }
  VisitBuilder& click(const std::string& search, int position, const std::string& target) {
    return add({{"type", "result_click"}, {"search_id", search}, {"position", position}, {"target", target}, {"kind", "article"}});
  }
  VisitBuilder& view(const std::string& article) { return add({{"type", "article_view"}, {"target", article}}); }
  VisitBuilder& vote(const std::string& article, bool helpful) {
    return add({{"type", "vote"}, {"target", article}, {"helpful", helpful}});
  }
  VisitBuilder& flow(const std::string& flow, const std::string& session, const std::string& done) {
    add({{"type", "flow_start"}, {"target", flow}, {"session", session}});
    add({{"type", "flow_step"}, {"target", flow}, {"session", session}, {"step", "s1"}, {"outcome", "failed"}});
    if (!done.empty()) add({{"type", "flow_done"}, {"target", flow}, {"session", session}, {"outcome", done}});
    return *this;
  }
  VisitBuilder& escalate(const std::string& trigger) {
    add({{"type", "escalation_offered"}, {"outcome", trigger}});
    add({{"type", "escalation_accepted"}, {"outcome", trigger}});
    return add({{"type", "chat_started"}, {"session", "cv_1"}, {"outcome", "queued"}});
  }
};

const Catalog kCatalog{
    [](const std::string& id) -> std::string {
      if (id == "reset-password" || id == "password-reset") return "account";
      if (id == "track-order" || id == "order-tracking") return "orders";
      return "";
    },
    [](const std::string& q, const std::string&) {
      std::string lower = q;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      return lower;
    }};

TEST_CASE("a search followed by an article read without complaint is a success") {
  VisitBuilder b;
  b.search("reset password", 4, "s1").click("s1", 2, "reset-password").view("reset-password");
  const VisitSummary v = summarize_visit(b.events, kCatalog);
  REQUIRE(v.searches.size() == 1);
  CHECK(v.searches[0].click_position == 2);
  CHECK(v.searches[0].success);
  CHECK(v.searches[0].resolved_by == "article:reset-password");
  CHECK(v.self_service);
  CHECK(v.self_service_success);
  CHECK_FALSE(v.resolved);  // read, but nobody said it solved it
  CHECK(v.topic == "account");
  CHECK(v.day == "2026-11-20");
  CHECK(v.visitor == "visitor-1");
}

TEST_CASE("a 'not helpful' vote undoes the read; a flow reaching resolved makes it a success and a resolution") {
  VisitBuilder b;
  b.search("reset password", 4, "s1").view("reset-password").vote("reset-password", false);
  VisitSummary v = summarize_visit(b.events, kCatalog);
  CHECK_FALSE(v.searches[0].success);
  CHECK(v.searches[0].resolved_by.empty());
  CHECK_FALSE(v.self_service_success);
  CHECK(v.articles[0].vote == -1);

  b.flow("password-reset", "fs_1", "resolved");
  v = summarize_visit(b.events, kCatalog);
  CHECK(v.searches[0].success);
  CHECK(v.searches[0].resolved_by == "flow:password-reset");
  CHECK(v.resolved);
  CHECK(v.resolution_ms == 5 * kMinute);  // search, view, vote, start, step, done: a minute apart, from the search to the done state
  CHECK(v.flows[0].done_state == "resolved");
  CHECK(v.flows[0].failed_steps == 1);
  CHECK(v.self_service_success);
}

TEST_CASE("a search is resolved by what helped first after it: a reworded search shares it, a later one has its own") {
  VisitBuilder b;
  b.search("jab", 2, "s1").view("flu-shots").vote("flu-shots", false).search("vaccine", 5, "s2").view("vaccines")
      .search("track my order", 3, "s3").view("track-order");
  const VisitSummary v = summarize_visit(b.events, kCatalog);
  REQUIRE(v.searches.size() == 3);
  CHECK(v.searches[0].resolved_by == "article:vaccines");  // the unhelpful read does not count
  CHECK(v.searches[1].resolved_by == "article:vaccines");
  CHECK(v.searches[2].resolved_by == "article:track-order");
}

TEST_CASE("the last word counts: a resolved flow the customer says did not solve it, a vote changed") {
  VisitBuilder b;
  b.flow("password-reset", "fs_1", "resolved").add({{"type", "flow_done"}, {"target", "password-reset"}, {"session", "fs_1"}, {"outcome", "not_solved"}});
  VisitSummary v = summarize_visit(b.events, kCatalog);
  CHECK(v.flows[0].done_state == "not_solved");
  CHECK_FALSE(v.resolved);
  VisitBuilder c;
  c.view("reset-password").vote("reset-password", true).vote("reset-password", false);
  v = summarize_visit(c.events, kCatalog);
  CHECK_FALSE(v.resolved);
  CHECK_FALSE(v.self_service_success);
}

TEST_CASE("escalating to a person makes no search in the visit a success, whatever came before") {
  VisitBuilder b;
  b.search("where is my order", 3, "s1").view("track-order").search("order late", 0, "s2").escalate("failures");
  const VisitSummary v = summarize_visit(b.events, kCatalog);
  CHECK(v.escalated);
  CHECK(v.offered);
  CHECK(v.chat);
  CHECK(v.trigger == "failures");
  CHECK_FALSE(v.searches[0].success);
  CHECK(v.searches[0].resolved_by.empty());
  CHECK_FALSE(v.self_service_success);
  CHECK(v.searches[1].results == 0);
  CHECK(v.topic == "orders");
}

TEST_CASE("repeated and out-of-order events count once, in the order they happened") {
  VisitBuilder b;
  b.search("reset password", 4, "s1").click("s1", 1, "reset-password").view("reset-password").vote("reset-password", true);
  std::vector<Event> shuffled = {b.events[3], b.events[1], b.events[0], b.events[2], b.events[0], b.events[3]};
  const VisitSummary v = summarize_visit(shuffled, kCatalog);
  REQUIRE(v.searches.size() == 1);
  CHECK(v.searches[0].click_position == 1);
  CHECK(v.articles.size() == 1);
  CHECK(v.articles[0].views == 1);
  CHECK(v.resolved);
  CHECK(v.resolution_ms == 3 * kMinute);  // from the search to the helpful vote
  CHECK(v.start_ms == kNoon + kMinute);
  // The same search sent twice under two event ids (a retried page) is one search.
  VisitBuilder twice;
  twice.search("reset password", 4, "s1").search("reset password", 4, "s1");
  CHECK(summarize_visit(twice.events, kCatalog).searches.size() == 1);
}

TEST_CASE("a visit across midnight counts once, on the day it began") {
  VisitBuilder b;
  b.at = kNoon + 11 * 60 * kMinute + 50 * kMinute;  // 23:50
  b.search("reset password", 4, "s1", 0).view("reset-password").add({{"type", "vote"}, {"target", "reset-password"}, {"helpful", true}}, 20 * kMinute);
  const VisitSummary v = summarize_visit(b.events, kCatalog);
  CHECK(v.day == "2026-11-20");
  CHECK(utc_day(v.end_ms) == "2026-11-21");
  CHECK(v.resolved);
}

TEST_CASE("with consent withdrawn the widget stops recording: the visit is what was recorded before") {
  VisitBuilder b;
  b.search("reset password", 4, "s1");  // then firstfix('consent', false): nothing more arrives
  const VisitSummary v = summarize_visit(b.events, kCatalog);
  CHECK(v.searches.size() == 1);
  CHECK_FALSE(v.searches[0].success);
  CHECK(v.self_service);
  CHECK_FALSE(v.self_service_success);
  CHECK_FALSE(v.escalated);
}

TEST_CASE("events of another visit are refused") {
  VisitBuilder a, b;
  b.visit = "visit-0002";
  a.search("x", 1, "s1");
  b.search("y", 1, "s1");
  std::vector<Event> mixed = {a.events[0], b.events[0]};
  CHECK_THROWS_AS(summarize_visit(mixed, kCatalog), std::invalid_argument);
}

TEST_CASE("malformed events are refused with the field that is wrong; free text is scrubbed") {
  const json good = {{"id", "e-00000001"}, {"type", "search"}, {"visit", "visit-0001"}, {"at", kNoon}, {"seq", 0},
                     {"locale", "en"}, {"query", "card 4111 1111 1111 1111 for ana@example.com"}, {"results", 0}, {"search_id", "s1"}};
  CHECK(parse_event(good).query == "card [card] for [email]");
  auto reason = [&](json j) {
    try {
      parse_event(j);
      return std::string("accepted");
    } catch (const EventError& e) {
      return std::string(e.what());
    }
  };
  json j = good;
  j["type"] = "rocket";
  CHECK(reason(j) == "type: unknown event type 'rocket'");
  j = good;
  j["position"] = 1;
  CHECK(reason(j) == "position: not a field of a search event");
  j = good;
  j.erase("visit");
  CHECK(reason(j) == "visit: is required");
  j = good;
  j["at"] = 12;
  CHECK(reason(j).rfind("at: must be", 0) == 0);
  j = good;
  j["results"] = "3";
  CHECK(reason(j) == "results: must be a whole number");
  j = good;
  j["id"] = "short";
  CHECK(reason(j) == "id: must be 8 to 64 bytes");
  j = good;
  j["visit"] = "visit 0001<script>";
  CHECK(reason(j) == "visit: may hold only letters, digits and - _ . :");
  j = good;
  j["query"] = std::string("reset\0password", 14);  // no store keeps a NUL (PostgreSQL refuses one)
  CHECK(reason(j) == "query: contains a NUL character");
  CHECK(reason(json::array()) == "an event must be a JSON object");
  json vote = {{"id", "e-00000002"}, {"type", "vote"}, {"visit", "visit-0001"}, {"at", kNoon}, {"seq", 1}, {"locale", "en"}, {"target", "a"}};
  CHECK(reason(vote) == "helpful: must be true or false");
  json offered = {{"id", "e-00000003"}, {"type", "escalation_offered"}, {"visit", "visit-0001"}, {"at", kNoon}, {"seq", 2}, {"locale", "en"}, {"outcome", "bored"}};
  CHECK(reason(offered) == "outcome: must be one of failures, request, frustration (not 'bored')");
  // A round trip keeps everything.
  CHECK(to_json(parse_event(good)) == [&] { json k = good; k["query"] = "card [card] for [email]"; return k; }());
}

}  // namespace
TEST_CASE("a flow's start says who started it: a customer the host site signed, one the page named, or nobody known") {
  VisitBuilder b;
  b.add({{"type", "flow_start"}, {"target", "plan-change"}, {"session", "fl_1"}, {"outcome", "verified"}});
  b.add({{"type", "flow_start"}, {"target", "order-tracking"}, {"session", "fl_2"}});
  const VisitSummary v = summarize_visit(b.events, kCatalog);
  REQUIRE(v.flows.size() == 2);
  CHECK(v.flows[0].identity == "verified");
  CHECK(v.flows[1].identity == "");
  CHECK(to_json(b.events[0])["outcome"] == "verified");
  CHECK_THROWS_WITH_AS(parse_event({{"id", "e-000001"}, {"type", "flow_start"}, {"visit", "visit-0001"}, {"at", kNoon}, {"seq", 0},
                                    {"locale", "en"}, {"target", "f"}, {"session", "fl_1"}, {"outcome", "admin"}}),
                       "outcome: must be one of verified, claimed, anonymous (not 'admin')", EventError);
}

}  // namespace firstfix::metrics
