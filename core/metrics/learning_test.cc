#include "core/metrics/learning.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "core/text/analyzer.h"

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

TEST_CASE("learning: gaps worded more or less fully are one thing to write, led by the strongest") {
  const auto all = suggest({outcome("balanc card gift", "", 6, 6), outcome("card gift", "", 5, 5), outcome("balanc card check gift", "", 7, 5),
                            outcome("refund status", "", 5, 5), outcome("card declin", "", 5, 5)},
                           {typed("balanc card gift", "gift card balance", 6), typed("card gift", "gift card", 5),
                            typed("balanc card check gift", "check gift card balance", 7), typed("refund status", "refund status", 5),
                            typed("card declin", "card declined", 5)});
  REQUIRE(all.size() == 3);
  const Suggestion& gift = all[0];
  CHECK(gift.kind == "gap");
  CHECK(gift.normalized == "balanc card gift");  // the most visitors, then the id
  CHECK(gift.forms == std::vector<std::string>{"balanc card gift", "balanc card check gift", "card gift"});
  CHECK(gift.examples == std::vector<std::string>{"gift card balance", "check gift card balance", "gift card"});
  CHECK(gift.visitors == 16);
  CHECK(gift.searches == 18);
  // "card declined" shares one stem of two with "gift card": another need.
  CHECK(find(all, "gap", "card declin") != nullptr);
  CHECK(find(all, "gap", "refund status") != nullptr);
  CHECK(find(all, "gap", "card declin")->forms == std::vector<std::string>{"card declin"});
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

namespace {

std::string form_of(const std::string& query) { return text::query_form(text::Analyzer("en").analyze(query)); }
std::set<std::string> stems_of(const std::string& text) {
  std::set<std::string> out;
  for (const auto& t : text::Analyzer("en").analyze(text)) out.insert(t.stem);
  return out;
}

}  // namespace

TEST_CASE("learning: a word customers use for one the content uses becomes a synonym line, from forms that differ in that word alone") {
  const std::string box = form_of("my box never showed up"), package = form_of("my package never showed up");
  REQUIRE(box != package);
  const std::vector<QueryOutcome> outcomes = {outcome(box, "article:missing-package", 7, 6), outcome(box, "", 1, 1),
                                              outcome(package, "article:missing-package", 3, 3),
                                              outcome(form_of("where is my box"), "article:track-order", 9, 9)};
  const std::vector<QueryPhrasing> phrasings = {typed(box, "my box never showed up", 5), typed(box, "My boxes never showed up", 3),
                                                typed(package, "my package never showed up", 3),
                                                typed(form_of("where is my box"), "where is my box", 9)};
  TargetStems stems = {{"article:missing-package", stems_of("My package says delivered but it never showed up")},
                       {"article:track-order", stems_of("Track your order")}};
  const auto all = suggest_synonyms(outcomes, phrasings, stems);
  REQUIRE(all.size() == 1);
  const Suggestion& s = all[0];
  CHECK(s.kind == "synonym");
  CHECK(s.words == std::vector<std::string>{"box", "package"});  // the word most typed for the stem, folded
  CHECK(s.phrasing == "box, package");
  CHECK(s.id.rfind("s-", 0) == 0);
  CHECK(s.id.size() == 14);
  CHECK(s.target == "article:missing-package");
  CHECK(s.targets == std::vector<std::string>{"article:missing-package"});
  CHECK(s.normalized == box);
  CHECK(s.examples == std::vector<std::string>{"my box never showed up", "My boxes never showed up"});
  CHECK(s.searches == 8);
  CHECK(s.resolutions == 7);
  CHECK(s.visitors == 6);
  CHECK(s.confidence == doctest::Approx(wilson_lower_bound(7, 8)));
  CHECK(suggest_synonyms(outcomes, phrasings, stems).front().id == s.id);  // stable

  SUBCASE("not when the answer uses the word already") {
    stems["article:missing-package"].insert("box");
    CHECK(suggest_synonyms(outcomes, phrasings, stems).empty());
  }
  SUBCASE("not when more than one answer in ten uses the word: the content knows it") {
    stems["article:track-order"].insert("box");
    CHECK(suggest_synonyms(outcomes, phrasings, stems).empty());
    for (int i = 0; i < 18; ++i) stems["article:other-" + std::to_string(i)] = {"other"};
    CHECK(suggest_synonyms(outcomes, phrasings, stems).size() == 1);  // one in twenty
  }
  SUBCASE("not for a content word customers pair with many of theirs") {
    auto many = outcomes;
    auto typed_many = phrasings;
    for (const std::string w : {"crate", "bundle"}) {
      const std::string f = form_of("my " + w + " never showed up");
      many.push_back(outcome(f, "article:missing-package", 6, 6));
      typed_many.push_back(typed(f, "my " + w + " never showed up", 6));
    }
    CHECK(suggest_synonyms(many, typed_many, stems).empty());
  }
  SUBCASE("not when the other wording resolved elsewhere") {
    auto moved = outcomes;
    moved[2].resolved_by = "article:track-order";
    CHECK(suggest_synonyms(moved, phrasings, stems).empty());
  }
  SUBCASE("not on fewer than k people, nor under the confidence") {
    CHECK(suggest_synonyms(outcomes, phrasings, stems, {.min_visitors = 7}).empty());
    CHECK(suggest_synonyms(outcomes, phrasings, stems, {.min_confidence = 0.9}).empty());
  }
  SUBCASE("not a misspelling of the word the content uses") {
    const std::string typo = form_of("my pakage never showed up");
    const std::vector<QueryOutcome> typos = {outcome(typo, "article:missing-package", 7, 6), outcome(package, "article:missing-package", 3, 3)};
    const std::vector<QueryPhrasing> typed_typos = {typed(typo, "my pakage never showed up", 7), typed(package, "my package never showed up", 3)};
    CHECK(suggest_synonyms(typos, typed_typos, stems).empty());
  }
  SUBCASE("a word paired with two words: only a clear winner") {
    const std::string parcel = form_of("my parcel never showed up");
    stems["article:missing-package"].insert(text::Analyzer("en").analyze("parcel")[0].stem);
    auto both = outcomes;
    both.push_back(outcome(parcel, "article:missing-package", 2, 2));
    auto typed_both = phrasings;
    typed_both.push_back(typed(parcel, "my parcel never showed up", 2));
    // box -> package and box -> parcel rest on the same 6 visitors: neither is clear.
    CHECK(suggest_synonyms(both, typed_both, stems).empty());
  }
  SUBCASE("not from forms that share one word only") {
    const std::string video = form_of("coronavirus video"), disease = form_of("coronavirus disease");
    const std::vector<QueryOutcome> short_forms = {outcome(video, "article:missing-package", 7, 6), outcome(disease, "article:missing-package", 3, 3)};
    const std::vector<QueryPhrasing> typed_short = {typed(video, "coronavirus video", 7), typed(disease, "coronavirus disease", 3)};
    stems["article:missing-package"].insert(text::Analyzer("en").analyze("disease")[0].stem);
    CHECK(suggest_synonyms(short_forms, typed_short, stems).empty());
  }
  SUBCASE("never a word only scrubbed phrasings held") {
    std::vector<QueryPhrasing> scrubbed = {typed(box, "my box never showed up [email]", 8), typed(package, "my package never showed up", 3)};
    CHECK(suggest_synonyms(outcomes, scrubbed, stems).empty());
  }
}

}  // namespace firstfix::metrics
