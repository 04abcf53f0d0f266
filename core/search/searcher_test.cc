#include "core/search/searcher.h"

#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <iterator>

#include "core/search/json.h"
#include "core/search/schema.h"
#include "core/search/snippet.h"
#include "core/text/analyzer.h"
#include "tests/support/temp_index.h"

using namespace firstfix;
using testing::article;

namespace {

std::vector<content::SourceFile> fixture() {
  return {
      {"site.yaml", "name: Test\ndefault_locale: en\nlocales: [en, es]\n"},
      {"synonyms/en.txt", "sign in, log in, login\ncancel, terminate\n"},
      {"articles/en/reset.md",
       article("reset-password", "Reset your password",
               "If you forgot your password, open the sign-in page and choose Forgot password.",
               "questions: [I cannot log in]\ntags: [security]\n", "en", "Account")},
      {"articles/en/change.md",
       article("change-email", "Change your email address",
               "Open Settings and change the email address on your account. Your password stays the same.", "", "en",
               "Account")},
      {"articles/en/track.md",
       article("track-order", "Track your order",
               "Track a delivery from the Orders page. The courier updates the tracking number daily.", "", "en",
               "Orders")},
      {"articles/en/cancel.md",
       article("cancel-subscription", "Cancel your subscription",
               "You can terminate the plan at any time from Billing. Refunds follow the refund policy.", "", "en",
               "Billing")},
      {"articles/en/refund.md",
       article("refund-policy", "Refund policy", "Refunds are paid to the original payment method within 5 days.", "",
               "en", "Billing")},
      {"articles/es/reset.md",
       article("restablecer-contrasena", "Restablecer tu contraseña",
               "Si olvidaste tu contraseña, abre la página de inicio de sesión.", "", "es", "Cuenta")},
  };
}

struct Fixture {
  testing::TempDir dir;
  search::Searcher searcher{Xapian::Database(testing::build_index(dir, fixture()))};

  std::vector<std::string> ids(search::SearchRequest r) {
    std::vector<std::string> out;
    for (const auto& h : searcher.search(r).hits) out.push_back(h.id);
    return out;
  }
  std::vector<std::string> ids(const std::string& q) { return ids(search::SearchRequest{.query = q}); }
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "the title match ranks above a body mention") {
  auto r = ids("password");
  REQUIRE(r.size() == 2);
  CHECK(r[0] == "reset-password");
  CHECK(r[1] == "change-email");
}

TEST_CASE_FIXTURE(Fixture, "stemming: plural and -ing forms find the same article") {
  CHECK(ids("passwords").front() == "reset-password");
  CHECK(ids("tracking orders").front() == "track-order");
}

TEST_CASE_FIXTURE(Fixture, "misspelled words are corrected and the corrected query is reported") {
  auto resp = searcher.search({.query = "pasword resett"});
  CHECK(resp.corrected == "password reset");
  REQUIRE_FALSE(resp.hits.empty());
  CHECK(resp.hits[0].id == "reset-password");
  CHECK(searcher.search({.query = "password"}).corrected.empty());
  CHECK(searcher.search({.query = "pasword", .spelling = false}).hits.empty());
}

TEST_CASE("spelling: one edit from a word of the query's language is corrected; contractions without apostrophes are words") {
  testing::TempDir dir;
  search::Searcher searcher{Xapian::Database(testing::build_index(dir, {
      {"site.yaml", "name: Test\ndefault_locale: en\nlocales: [en, es]\n"},
      {"articles/en/wifi.md", article("connect-wifi", "Connect the thermostat to Wi-Fi",
                                      "To connect, open the app. If it will not connect, restart the router and connect again.", "", "en", "Setup")},
      {"articles/en/locked.md", article("locked-out", "Locked out of your account", "Reset your password to get back in.", "", "en", "Account")},
      {"articles/es/wifi.md", article("conectar-wifi", "Conectar el termostato al wifi",
                                      "Para conectar, abre la app. Si no se conecta, reinicia el router y vuelve a conectarlo.", "", "es",
                                      "Configuración")}}))};
  struct Case {
    const char *locale, *query, *corrected;
  };
  // One index holds both languages: "conect" is a Spanish stem (conectar), not an English word.
  for (const Case& c : {Case{"en", "conect", "connect"},
                        Case{"en", "my thermostat wont conect to wifi", "my thermostat wont connect to wifi"},
                        Case{"en", "i dont know how to conect", "i dont know how to connect"},
                        Case{"en", "im locked out", ""},
                        Case{"en", "it cant conect", "it cant connect"},
                        Case{"en", "wont", ""},
                        Case{"en", "conectt", ""},  // one edit from "conecta", a Spanish word: not an English correction
                        Case{"es", "conectar wifii", "conectar wifi"},
                        Case{"es", "conect", ""}}) {
    const auto r = searcher.search({.query = c.query, .locale = c.locale});
    CHECK_MESSAGE(r.corrected == c.corrected, c.locale, " '", c.query, "'");
  }
  CHECK(searcher.search({.query = "my thermostat wont conect to wifi", .locale = "en"}).hits.at(0).id == "connect-wifi");
}

TEST_CASE("two words written apart find the one word the content uses, as the phrase or the word") {
  testing::TempDir dir;
  search::Searcher searcher{Xapian::Database(testing::build_index(dir, {
      {"site.yaml", "name: Test\ndefault_locale: en\nlocales: [en]\n"},
      {"articles/en/virus.md", article("what-is-covid", "What is the coronavirus",
                                       "The coronavirus spreads between people. A virus test tells you if you have it.", "", "en", "Health")},
      {"articles/en/test.md", article("virus-test", "Where to get a virus test", "Any clinic runs the test. Bring your card.", "", "en", "Health")},
      {"articles/en/wifi.md", article("connect-wifi", "Connect to wifi", "Open Settings, then wifi, and pick your network.", "", "en", "Setup")}}))};
  auto first = [&](search::SearchRequest r) { return searcher.search(r).hits.at(0).id; };
  // "corona" is in no article: without the join, "virus" alone would decide.
  CHECK(first({.query = "corona virus"}) == "what-is-covid");
  CHECK(first({.query = "is corona virus spreading"}) == "what-is-covid");
  CHECK(first({.query = "corona-virus"}) == "what-is-covid");
  CHECK(first({.query = "corona virus", .as_you_type = true}) == "what-is-covid");  // typed whole, still the last word
  CHECK(first({.query = "wi fi"}) == "connect-wifi");
  const auto r = searcher.search({.query = "corona virus"});
  CHECK(r.corrected.empty());  // neither half is "corrected" into another word
  CHECK(r.hits.at(0).title_html == "What is the <mark>coronavirus</mark>");
  // Not joined: an excluded word, words with punctuation between.
  CHECK(searcher.search({.query = "corona -virus"}).hits.empty());
  CHECK(first({.query = "corona, virus test"}) == "virus-test");
}

TEST_CASE_FIXTURE(Fixture, "synonyms from the content expand single words and two-word phrases") {
  CHECK(ids("terminate").front() == "cancel-subscription");
  CHECK(ids("cancel").front() == "cancel-subscription");
  auto r = ids("login");  // "log in" is a question of reset-password
  REQUIRE_FALSE(r.empty());
  CHECK(r.front() == "reset-password");
}

TEST_CASE_FIXTURE(Fixture, "as-you-type: the last word matches as a prefix, unless a space follows") {
  CHECK(ids(search::SearchRequest{.query = "deliv", .as_you_type = true}) == std::vector<std::string>{"track-order"});
  CHECK(ids(search::SearchRequest{.query = "deliv ", .as_you_type = true, .spelling = false}).empty());
  CHECK(ids(search::SearchRequest{.query = "del", .as_you_type = true}) == std::vector<std::string>{"track-order"});
  CHECK(ids(search::SearchRequest{.query = "de", .as_you_type = true, .spelling = false}).empty());  // too short to expand
  auto resp = searcher.search({.query = "passw", .as_you_type = true});
  REQUIRE_FALSE(resp.hits.empty());
  CHECK(resp.hits[0].title_html == "Reset your <mark>password</mark>");
}

TEST_CASE_FIXTURE(Fixture, "quoted phrases must match in order; -word excludes") {
  CHECK(ids("\"refund policy\"") == std::vector<std::string>{"refund-policy", "cancel-subscription"});
  CHECK(ids("\"policy refund\"").empty());
  CHECK(ids("refunds -cancel") == std::vector<std::string>{"refund-policy"});
}

TEST_CASE_FIXTURE(Fixture, "filters: locale, category, tag and kind") {
  CHECK(ids(search::SearchRequest{.query = "contraseña", .locale = "es"}) ==
        std::vector<std::string>{"restablecer-contrasena"});
  CHECK(ids(search::SearchRequest{.query = "contrasena", .locale = "es"}) ==
        std::vector<std::string>{"restablecer-contrasena"});
  CHECK(ids("contraseña").empty());  // the default locale is en
  CHECK(ids(search::SearchRequest{.query = "password", .categories = {"Billing"}}).empty());
  CHECK(ids(search::SearchRequest{.query = "refunds", .categories = {"billing"}}).size() == 2);
  CHECK(ids(search::SearchRequest{.query = "password", .tags = {"security"}}) ==
        std::vector<std::string>{"reset-password"});
  CHECK_THROWS_AS(searcher.search({.query = "x", .locale = "xx"}), std::invalid_argument);
}

TEST_CASE_FIXTURE(Fixture, "category counts ignore the category filter; pagination pages") {
  auto resp = searcher.search({.query = "", .categories = {"Orders"}});
  CHECK(resp.total == 1);
  std::map<std::string, uint64_t> counts(resp.categories.begin(), resp.categories.end());
  CHECK(counts == std::map<std::string, uint64_t>{{"Account", 2}, {"Billing", 2}, {"Orders", 1}});
  auto all = ids(search::SearchRequest{.query = "", .limit = 10});
  CHECK(all.size() == 5);
  auto page2 = ids(search::SearchRequest{.query = "", .offset = 2, .limit = 2});
  CHECK(page2 == std::vector<std::string>{all[2], all[3]});
}

TEST_CASE_FIXTURE(Fixture, "unshown documents: what a search would show and does not hold yet, in its order") {
  const search::SearchRequest password{.query = "password"};
  const auto unshown = searcher.unshown_documents(password);
  REQUIRE(unshown.size() == 2);
  // The ids of the documents the search then shows, in the same order.
  std::vector<std::string> shown;
  for (const auto id : unshown)
    shown.push_back(search::schema::parse_document_data(searcher.database().get_document(id).get_data()).fields.at("id"));
  CHECK(shown == ids(password));
  // Shown once, held: nothing left to fetch for the same search; another asks only for what it adds.
  CHECK(searcher.unshown_documents(password).empty());
  const auto track = searcher.unshown_documents({.query = "track order"});
  CHECK(!track.empty());
  for (const auto id : track) CHECK(std::find(unshown.begin(), unshown.end(), id) == unshown.end());
  CHECK_THROWS_AS(searcher.unshown_documents({.query = "x", .locale = "xx"}), std::invalid_argument);

  // Its match is kept for a search of the same request that follows; another request is matched afresh.
  search::Searcher other{searcher.database()};
  auto hit_ids = [](const search::SearchResponse& r) {
    std::vector<std::string> out;
    for (const auto& h : r.hits) out.push_back(h.id);
    return out;
  };
  other.unshown_documents({.query = "order"});
  CHECK(hit_ids(other.search({.query = "email"})) == ids("email"));
  other.unshown_documents({.query = "email", .limit = 1});
  CHECK(hit_ids(other.search({.query = "email", .limit = 1})) == ids(search::SearchRequest{.query = "email", .limit = 1}));
  CHECK(hit_ids(other.search({.query = "email"})) == ids("email"));
}

// The lookups themselves are measured where they matter, on a lazily read
// index (tests/wasm/lazy_index.test.mjs: planning then reads no block one
// at a time); here, what they and the likely reads are made of.
TEST_CASE_FIXTURE(Fixture, "plan reads: from the words alone, most of what the search reads, and the words it may correct") {
  const search::SearchRequest typing{.query = "reset pas", .as_you_type = true};
  const auto planned = searcher.plan_reads(typing);
  const auto reads = searcher.posting_reads(typing);
  for (const auto& term : planned.likely.terms)
    CHECK_MESSAGE(std::find(reads.terms.begin(), reads.terms.end(), term) != reads.terms.end(), term);
  CHECK(planned.likely.prefixes == reads.prefixes);
  CHECK(planned.spelling == std::vector<std::string>{"reset"});  // "pas" is too short to correct
  // Lookups for the locale, each word and stem and the pair written as one.
  CHECK(planned.lookups.size() >= 6);
  for (const auto& lookup : planned.lookups) CHECK_NOTHROW(lookup(searcher.database()));
  CHECK(searcher.plan_reads({.query = "how do i reset my pasword"}).spelling == std::vector<std::string>{"reset", "pasword"});
  CHECK(searcher.plan_reads({.query = "reset pasword", .spelling = false}).spelling.empty());
  CHECK(searcher.plan_reads({.query = "reset -pasword"}).spelling == std::vector<std::string>{"reset"});
  CHECK_THROWS_AS(searcher.plan_reads({.query = "x", .locale = "xx"}), std::invalid_argument);
}

TEST_CASE_FIXTURE(Fixture, "posting reads: the terms a search matches and the prefixes it expands, its plan kept for the search") {
  const search::SearchRequest typing{.query = "reset pas", .as_you_type = true};
  const auto reads = searcher.posting_reads(typing);
  auto has = [&](std::string_view term) { return std::find(reads.terms.begin(), reads.terms.end(), term) != reads.terms.end(); };
  CHECK(has("Zreset"));
  CHECK(has("XLen"));  // the locale filter: this help center has two
  CHECK(std::any_of(reads.terms.begin(), reads.terms.end(), [](const std::string& t) { return t.rfind("XF", 0) == 0; }));
  CHECK(reads.prefixes == std::vector<std::string>{"pas"});
  CHECK(searcher.posting_reads({.query = "reset pas ", .as_you_type = true}).prefixes.empty());
  CHECK(searcher.posting_reads({.query = "reset pa", .as_you_type = true}).prefixes.empty());  // shorter than kMinPrefix
  CHECK_THROWS_AS(searcher.posting_reads({.query = "x", .locale = "xx"}), std::invalid_argument);
  // Planned, then matched, then shown: the same answer as a search on its own.
  search::Searcher other{searcher.database()};
  other.posting_reads(typing);
  other.unshown_documents(typing);
  const auto kept = other.search(typing);
  const auto fresh = search::Searcher{searcher.database()}.search(typing);
  REQUIRE(kept.hits.size() == fresh.hits.size());
  REQUIRE(!kept.hits.empty());
  for (size_t i = 0; i < kept.hits.size(); ++i) CHECK(kept.hits[i].id == fresh.hits[i].id);
}

TEST_CASE_FIXTURE(Fixture, "snippets mark the matched words and escape HTML") {
  auto resp = searcher.search({.query = "courier tracking"});
  REQUIRE(resp.hits.size() == 1);
  CHECK(resp.hits[0].snippet_html.find("<mark>courier</mark>") != std::string::npos);
  CHECK(resp.hits[0].snippet_html.find("<mark>tracking</mark>") != std::string::npos);
  CHECK(search::escape_html("<b a=\"1\">&'") == "&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
}

TEST_CASE_FIXTURE(Fixture, "hostile queries give clean results, never a crash") {
  CHECK_NOTHROW(searcher.search({.query = ""}));
  CHECK_NOTHROW(searcher.search({.query = std::string(10 * 1024, 'a')}));
  std::string long_words;
  for (int i = 0; i < 2000; ++i) long_words += "password ";
  CHECK(ids(long_words).front() == "reset-password");
  CHECK_NOTHROW(searcher.search({.query = "AND OR NOT \"\" ( * ~ \" -- - ((("}));
  CHECK_NOTHROW(searcher.search({.query = "\"", .as_you_type = true}));
  CHECK_NOTHROW(searcher.search({.query = "pass\xff\xfe\xc3word", .as_you_type = true}));
  CHECK_NOTHROW(searcher.search({.query = "-", .as_you_type = true}));
  CHECK(searcher.search({.query = "-password"}).total == 3);  // everything but the two password articles
  CHECK_THROWS_AS(searcher.search({.query = "x", .limit = 1000}), std::invalid_argument);
}

TEST_CASE("empty queries on several threads at once, each with its own searcher, share nothing (no crash, same answers)") {
  // The server's search threads each hold a Searcher; an empty query once
  // copied Xapian's static Query::MatchAll, whose reference count is not
  // atomic: under load the process crashed (ASan reports it as a use after free).
  testing::TempDir dir;
  const std::string index = testing::build_index(dir, fixture());
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      search::Searcher own{Xapian::Database(index)};
      for (int i = 0; i < 3000; ++i)
        if (own.search({.query = i % 2 ? "" : "-password"}).total != (i % 2 ? 5u : 3u)) ++wrong;
    });
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
}

TEST_CASE("a trial index ranks a target with a question or a synonym added as a rebuilt index would, and puts it back") {
  base::Diagnostics diagnostics;
  const auto hc = content::compile_help_center(fixture(), diagnostics);
  REQUIRE(diagnostics.empty());
  testing::TempDir dir;
  search::TrialIndex trial(hc, dir.path().string());
  const search::SearchRequest request{.query = "stop charges each month", .locale = "en"};
  const int before = trial.rank("article:cancel-subscription", request);
  CHECK(before != 1);
  const std::vector<std::string> questions = {"stop charges each month"};
  const int after = trial.rank("article:cancel-subscription", request, &questions);
  CHECK(after == 1);
  // Put back: the same rank as before, for this query and for one it ranks first.
  CHECK(trial.rank("article:cancel-subscription", request) == before);
  const search::SearchRequest own{.query = "cancel subscription", .locale = "en"};
  CHECK(trial.rank("article:cancel-subscription", own) == 1);
  CHECK(trial.rank("article:cancel-subscription", own, &questions) == 1);
  CHECK(trial.rank("article:cancel-subscription", own) == 1);
  CHECK(trial.rank("article:cancel-subscription", request) == before);
  // The same as an index built with the question in the file.
  auto files = fixture();
  files[5].text = testing::article("cancel-subscription", "Cancel your subscription",
                                   "You can terminate the plan at any time from Billing. Refunds follow the refund policy.",
                                   "questions: [stop charges each month]\n", "en", "Billing");
  REQUIRE(files[5].path == "articles/en/cancel.md");
  testing::TempDir rebuilt;
  search::Searcher searcher{Xapian::Database(testing::build_index(rebuilt, files))};
  const auto hits = searcher.search(request).hits;
  REQUIRE(!hits.empty());
  CHECK(hits[0].id == "cancel-subscription");
  CHECK(trial.has("article:refund-policy"));
  CHECK_FALSE(trial.has("article:nope"));
  CHECK_THROWS_AS(trial.rank("flow:nope", request), std::invalid_argument);

  // A synonym line on trial: the word finds what its partner finds, and only while it is tried.
  const search::SearchRequest membership{.query = "membership", .locale = "en"}, subscription{.query = "subscription", .locale = "en"};
  REQUIRE(trial.rank("article:cancel-subscription", membership) == 0);
  const int direct = trial.rank("article:cancel-subscription", subscription);
  REQUIRE(direct >= 1);
  CHECK(trial.ranks_with_synonym("en", "membership", "subscription", {{"article:cancel-subscription", membership}}) == std::vector<int>{direct});
  CHECK(trial.rank("article:cancel-subscription", membership) == 0);
  CHECK(trial.ranks_with_synonym("es", "membership", "subscription", {{"article:cancel-subscription", membership}}) == std::vector<int>{0});
  // The stems its document holds.
  const auto stems = trial.stems("article:cancel-subscription");
  CHECK(stems.count(text::Analyzer("en").analyze("subscription")[0].stem) == 1);
  CHECK(stems.count("membership") == 0);
}

TEST_CASE("a query worded as one of an article's questions ranks it first, above a title with the same words") {
  const std::vector<content::SourceFile> files = {
      {"site.yaml", "name: Test\ndefault_locale: en\nlocales: [en]\n"},
      {"articles/en/a.md", testing::article("money-gone", "Money gone from your account",
                                            "Money gone from your account is usually a pending charge. Money gone? Check the account.")},
      {"articles/en/b.md", testing::article("card-charges", "Unknown card charges", "A charge you do not know is often a subscription.",
                                            "questions: [money gone from my account]\n")},
  };
  testing::TempDir dir;
  search::Searcher searcher{Xapian::Database(testing::build_index(dir, files))};
  auto first = [&](const std::string& q) { return searcher.search({.query = q}).hits.at(0).id; };
  CHECK(first("money gone from my account") == "card-charges");
  CHECK(first("MONEY GONE from the account!") == "card-charges");  // the same form: stop words, case and order aside
  CHECK(first("account money gone") == "card-charges");
  CHECK(first("money gone from my savings account") == "money-gone");  // another form: the words decide
  CHECK(first("money gone") == "money-gone");
}

TEST_CASE("request JSON: fields are checked by name") {
  auto r = search::request_from_json(nlohmann::json::parse(R"({"q":"a","locale":"es","category":"X","limit":5})"));
  CHECK(r.query == "a");
  CHECK(r.categories == std::vector<std::string>{"X"});
  CHECK(r.limit == 5);
  CHECK_THROWS_WITH(search::request_from_json(nlohmann::json::parse(R"({"q":1})")), "field 'q' must be a string");
  CHECK_THROWS_WITH(search::request_from_json(nlohmann::json::parse(R"({"limit":-1})")),
                    "field 'limit' must be an integer from 0 to 100");
  CHECK_THROWS_WITH(search::request_from_json(nlohmann::json::parse("[]")), "a search request must be a JSON object");
}

TEST_CASE("the same content gives the same index bytes") {
  testing::TempDir a, b;
  auto read = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  CHECK(read(testing::build_index(a, fixture())) == read(testing::build_index(b, fixture())));
}

TEST_CASE_FIXTURE(Fixture, "the warm-up request is the first document's title, searched as typed in its language, and finds it") {
  const auto r = searcher.warm_up_request();
  const auto first = searcher.database().get_document(*searcher.database().postlist_begin("")).get_data();
  CHECK(first.find("\"title\":\"" + r.query + "\"") != std::string::npos);
  CHECK(r.locale == "en");
  CHECK(r.as_you_type);
  CHECK(search::to_json(searcher.search(r))["results"][0]["title"] == r.query);
  testing::TempDir empty_dir;
  search::Searcher empty{Xapian::Database(testing::build_index(empty_dir, {{"site.yaml", "name: Empty\ndefault_locale: en\nlocales: [en]\n"}}))};
  CHECK(empty.warm_up_request().query.empty());
}
