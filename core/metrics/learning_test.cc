#include "core/metrics/learning.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace firstfix::metrics {
namespace {

QueryOutcome outcome(const std::string& normalized, const std::string& by, std::int64_t searches, std::int64_t visitors) {
  return {.locale = "en", .normalized = normalized, .resolved_by = by, .searches = searches, .visitors = visitors, .first_ms = 1000,
          .last_ms = 2000};
}
QueryPhrasing typed(const std::string& normalized, const std::string& query, std::int64_t searches) {
  return {.locale = "en", .normalized = normalized, .query = query, .searches = searches};
}
const Suggestion* find(const std::vector<Suggestion>& all, const std::string& kind, const std::string& normalized) {
  for (const auto& s : all)
    if (s.kind == kind && s.normalized == normalized) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("learning: a phrasing that resolved on one article for enough people becomes a question for it") {
  const std::vector<QueryOutcome> outcomes = {outcome("jab covid", "article:vaccines", 9, 8), outcome("jab covid", "", 1, 1)};
  const std::vector<QueryPhrasing> phrasings = {typed("jab covid", "covid jab", 6), typed("jab covid", "jab for covid", 4)};
  const auto all = suggest(outcomes, phrasings);
  REQUIRE(all.size() == 1);
  const Suggestion& s = all[0];
  CHECK(s.kind == "question");
  CHECK(s.target == "article:vaccines");
  CHECK(s.phrasing == "covid jab");  // the most typed
  CHECK(s.examples == std::vector<std::string>{"covid jab", "jab for covid"});
  CHECK(s.searches == 10);
  CHECK(s.resolutions == 9);
  CHECK(s.visitors == 8);
  CHECK(s.confidence == doctest::Approx(wilson_lower_bound(9, 10)));
  CHECK(s.id.size() == 14);
  CHECK(s.id.rfind("q-", 0) == 0);
  // The same evidence, the same id; another target, another.
  CHECK(suggest(outcomes, phrasings)[0].id == s.id);
  CHECK(suggest({outcome("jab covid", "article:boosters", 9, 8)}, phrasings)[0].id != s.id);
}

TEST_CASE("learning: fewer than k distinct visitors suggest nothing, however many searches") {
  const std::vector<QueryPhrasing> phrasings = {typed("refund", "refund", 40), typed("where thing", "where is the thing", 40)};
  CHECK(suggest({outcome("refund", "article:refunds", 40, 4)}, phrasings).empty());
  CHECK(suggest({outcome("where thing", "", 40, 4)}, phrasings).empty());
  CHECK(suggest({outcome("refund", "article:refunds", 40, 5)}, phrasings).size() == 1);
  CHECK(suggest({outcome("refund", "article:refunds", 40, 4)}, phrasings, {.min_visitors = 3}).size() == 1);
}

TEST_CASE("learning: a query that resolves elsewhere or not at all as often lowers the confidence below the bar") {
  const std::vector<QueryPhrasing> phrasings = {typed("cancel", "cancel", 50)};
  // 6 and 12 of 30 searches: the rest resolved elsewhere or nowhere. Neither reaches the default bar.
  const std::vector<QueryOutcome> split = {outcome("cancel", "article:cancel", 6, 6), outcome("cancel", "article:pause", 12, 12),
                                           outcome("cancel", "", 12, 12)};
  CHECK(suggest(split, phrasings).empty());
  const auto lower = suggest(split, phrasings, {.min_confidence = 0.2});
  REQUIRE(lower.size() == 1);
  CHECK(lower[0].target == "article:pause");
  // The same 12 resolutions on their own: a question.
  CHECK(suggest({outcome("cancel", "article:pause", 12, 12)}, phrasings).size() == 1);
  CHECK(wilson_lower_bound(6, 30) < 0.35);
  CHECK(wilson_lower_bound(12, 30) > 0.25);
  CHECK(wilson_lower_bound(5, 5) < wilson_lower_bound(50, 60));  // little evidence, a low bound
  CHECK(wilson_lower_bound(500, 500) > wilson_lower_bound(5, 5));
  CHECK(wilson_lower_bound(0, 10) == doctest::Approx(0));
  CHECK(wilson_lower_bound(3, 0) == 0);
}

TEST_CASE("learning: a query form that never resolves is a gap, with its phrasings as examples") {
  const auto all = suggest({outcome("bluetooth pair", "", 14, 11)},
                           {typed("bluetooth pair", "pair bluetooth", 9), typed("bluetooth pair", "bluetooth pairing", 5)});
  REQUIRE(all.size() == 1);
  CHECK(all[0].kind == "gap");
  CHECK(all[0].id.rfind("g-", 0) == 0);
  CHECK(all[0].phrasing == "pair bluetooth");
  CHECK(all[0].examples.size() == 2);
  CHECK(all[0].visitors == 11);
  CHECK(all[0].resolutions == 0);
  CHECK(all[0].target.empty());
}

TEST_CASE("learning: a phrasing with a scrubber's mark is never suggested") {
  const std::vector<QueryOutcome> outcomes = {outcome("email password reset", "article:reset-password", 20, 20),
                                              outcome("card declin", "", 20, 20)};
  // Every phrasing of the first form held an address: nothing for it.
  CHECK(suggest(outcomes, {typed("email password reset", "reset password for [email]", 20), typed("card declin", "card [card] declined", 20)})
            .empty());
  const auto some = suggest(outcomes, {typed("email password reset", "reset password for [email]", 19),
                                       typed("email password reset", "reset password email", 1)});
  REQUIRE(some.size() == 1);
  CHECK(some[0].phrasing == "reset password email");
  CHECK(some[0].examples == std::vector<std::string>{"reset password email"});
  for (const char* marked : {"[email]", "x [card] y", "[iban]", "call [phone]", "[number]"}) CHECK(has_scrubbed_mark(marked));
  CHECK_FALSE(has_scrubbed_mark("order BL-10421 [not] arrived"));
}

TEST_CASE("learning: questions come first, strongest evidence first, and forms without text are skipped") {
  const auto all = suggest({outcome("a", "article:x", 5, 5), outcome("b", "article:y", 9, 9), outcome("c", "", 30, 30), outcome("", "article:z", 99, 99)},
                           {typed("a", "a", 5), typed("b", "b", 9), typed("c", "c", 30), typed("", "", 99)});
  REQUIRE(all.size() == 3);
  CHECK(all[0].normalized == "b");
  CHECK(all[1].normalized == "a");
  CHECK(all[2].kind == "gap");
  CHECK(find(all, "question", "") == nullptr);
}

}  // namespace firstfix::metrics
