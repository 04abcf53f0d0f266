#include "core/text/analyzer.h"

#include <doctest/doctest.h>

using firstfix::text::Analyzer;

namespace {
std::vector<std::string> words(const Analyzer& a, std::string_view s) {
  std::vector<std::string> out;
  for (const auto& t : a.analyze(s)) out.push_back(t.word);
  return out;
}
std::vector<std::string> stems(const Analyzer& a, std::string_view s) {
  std::vector<std::string> out;
  for (const auto& t : a.analyze(s)) out.push_back(t.stem);
  return out;
}
}  // namespace

TEST_CASE("case, width and compatibility forms fold to one word") {
  Analyzer en("en");
  CHECK(words(en, "PASSWORD Password ＰＡＳＳＷＯＲＤ password") ==
        std::vector<std::string>{"password", "password", "password", "password"});
  CHECK(words(en, "ﬁle") == std::vector<std::string>{"file"});
}

TEST_CASE("diacritics fold: café = cafe, Straße = strasse, but kana voicing marks stay") {
  Analyzer de("de");
  CHECK(words(de, "Café Straße Größe") == std::vector<std::string>{"cafe", "strasse", "grosse"});
  Analyzer ja("ja");
  CHECK(words(ja, "が") == std::vector<std::string>{"が"});
  CHECK(words(ja, "が") != words(ja, "か"));
}

TEST_CASE("stemming per locale, applied before diacritic folding") {
  Analyzer en("en");
  CHECK(stems(en, "resetting passwords") == std::vector<std::string>{"reset", "password"});
  Analyzer es("es");
  auto s = stems(es, "canciones canción");
  CHECK(s[0] == s[1]);
  CHECK(s[1] == "cancion");
}

TEST_CASE("Japanese is broken into dictionary words") {
  Analyzer ja("ja");
  CHECK(words(ja, "東京都に住んでいます") ==
        std::vector<std::string>{"東京", "都", "に", "住", "んで", "い", "ます"});
}

TEST_CASE("punctuation, spaces and emoji make no terms and offsets point into the input") {
  Analyzer en("en");
  const std::string text = "Hi 😀 — reset, now!";
  auto tokens = en.analyze(text);
  REQUIRE(tokens.size() == 3);
  CHECK(text.substr(tokens[1].begin, tokens[1].end - tokens[1].begin) == "reset");
}

TEST_CASE("curly apostrophes read as straight ones") {
  Analyzer en("en");
  CHECK(words(en, "don’t") == words(en, "don't"));
}

TEST_CASE("stop words are flagged per locale") {
  Analyzer en("en");
  auto t = en.analyze("how do I reset the password");
  REQUIRE(t.size() == 6);
  CHECK(t[0].stop);
  CHECK(t[2].stop);
  CHECK_FALSE(t[3].stop);
  CHECK(t[4].stop);
  Analyzer es("es");
  CHECK(es.analyze("la contraseña")[0].stop);
  CHECK_FALSE(es.analyze("la contraseña")[1].stop);
}

TEST_CASE("invalid UTF-8 and empty input never throw") {
  Analyzer en("en");
  CHECK(en.analyze("").empty());
  std::string bad = "pass\xff\xfeword \xc3";
  CHECK_NOTHROW(en.analyze(bad));
  CHECK(words(en, bad).front() == "pass");
}

TEST_CASE("unsupported locales are refused by name") {
  CHECK_THROWS_WITH_AS(Analyzer("xx"), "unsupported locale 'xx'", std::invalid_argument);
}

TEST_CASE("the locale table says which locales read right to left (the widget draws what it says)") {
  for (const char* code : {"ar", "he", "fa", "ur"}) CHECK_MESSAGE(firstfix::text::find_locale(code)->right_to_left, code);
  for (const char* code : {"en", "es", "ja", "zh"}) CHECK_FALSE(firstfix::text::find_locale(code)->right_to_left);
}
