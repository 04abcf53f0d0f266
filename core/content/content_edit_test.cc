#include "core/content/content_edit.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/content/article.h"

namespace firstfix::content {
namespace {

const std::string kHead = "---\nid: track-order\ntitle: Track your order\nlocale: en\ncategory: Orders\n";
const std::string kBody = "---\nOpen **Orders**.\n\n## Late?\nWait a day.\n";

std::vector<std::string> questions_of(const std::string& text) {
  base::Diagnostics d;
  const auto a = parse_article("a.md", text, d);
  REQUIRE(d.empty());
  return a->questions;
}

}  // namespace

TEST_CASE("content edit: a question joins a block list after its last item, indented the same, and nothing else changes") {
  const std::string text = kHead + "tags: [order]\nquestions:\n    - where is my parcel\n    # a comment stays\n    - has it shipped\npages: [\"/orders/*\"]\n" + kBody;
  const std::string out = with_article_question("a.md", text, "my package never came");
  CHECK(out == kHead + "tags: [order]\nquestions:\n    - where is my parcel\n    # a comment stays\n    - has it shipped\n    - my package never came\npages: [\"/orders/*\"]\n" + kBody);
  CHECK(without_article_question("a.md", out, "my package never came") == text);
  CHECK(article_questions("a.md", out) == std::vector<std::string>{"where is my parcel", "has it shipped", "my package never came"});
  CHECK_THROWS_AS(article_questions("a.md", "no front matter"), EditError);
}

TEST_CASE("content edit: a one-line list gains it at its end, and an article without questions gets a list at the end of its header") {
  const std::string inline_list = kHead + "questions: [where is my parcel]  # a comment\n" + kBody;
  const std::string out = with_article_question("a.md", inline_list, "where's my stuff?");
  CHECK(out == kHead + "questions: [where is my parcel, \"where's my stuff?\"]  # a comment\n" + kBody);
  CHECK(without_article_question("a.md", out, "where's my stuff?") == inline_list);
  const std::string empty = kHead + "questions: []\n" + kBody;
  CHECK(with_article_question("a.md", empty, "parcel") == kHead + "questions: [parcel]\n" + kBody);

  const std::string none = kHead + kBody;
  const std::string added = with_article_question("a.md", none, "where is it");
  CHECK(added == kHead + "questions:\n  - where is it\n" + kBody);
  CHECK(without_article_question("a.md", added, "where is it") == none);
}

TEST_CASE("content edit: what YAML would read otherwise is quoted, and reads back as typed") {
  const std::string none = kHead + kBody;
  for (const std::string q : {"order #123: late", "yes", "no", "null", "2026 order", "[weird]", "a, b", "- dash first", "emoji 📦 parcel",
                              "quote \" inside", "back\\slash", "  padded  ", "100%", "{brace}", "*star", "&anchor", "!tag", "|pipe", ">fold",
                              "@at", "`tick`", "ends with colon:", "it's late", "where is it?"}) {
    CAPTURE(q);
    CHECK(questions_of(with_article_question("a.md", none, q)) == std::vector<std::string>{q});
    const std::string in_list = kHead + "questions: [first]\n" + kBody;
    CHECK(questions_of(with_article_question("a.md", in_list, q)) == std::vector<std::string>{"first", q});
    const std::string block = kHead + "questions:\n  - first\n" + kBody;
    CHECK(questions_of(with_article_question("a.md", block, q)) == std::vector<std::string>{"first", q});
  }
}

TEST_CASE("content edit: CRLF files stay CRLF") {
  std::string text = kHead + "questions:\n  - first\n" + kBody;
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const std::string out = with_article_question("a.md", crlf, "second");
  CHECK(out.find("  - first\r\n  - second\r\n---") != std::string::npos);
  CHECK(questions_of(out) == std::vector<std::string>{"first", "second"});
}

TEST_CASE("content edit: refused with the file's name: a repeat, a broken article, a file edited since") {
  const std::string text = kHead + "questions: [where is my parcel]\n" + kBody;
  CHECK_THROWS_WITH_AS(with_article_question("articles/en/t.md", text, "where is my parcel"),
                       "articles/en/t.md: already has the question \"where is my parcel\"", EditError);
  CHECK_THROWS_WITH_AS(with_article_question("articles/en/t.md", "no front matter", "x"),
                       "articles/en/t.md: the article does not compile as it is; fix it first", EditError);
  CHECK_THROWS_AS(without_article_question("articles/en/t.md", text, "something else"), EditError);
  // A multi-line flow list is not edited by guesswork.
  const std::string multi = kHead + "questions: [\n  a,\n  b]\n" + kBody;
  CHECK_THROWS_AS(with_article_question("articles/en/t.md", multi, "c"), EditError);
}

TEST_CASE("content edit: a flow's intents gain one, one per line or on one line, and the JSON says nothing else new") {
  const std::string flow = "{\n  \"id\": \"track\",\n  \"intents\": [\n    \"where is my order\",\n    \"track \\\"it\\\"\"\n  ],\n  \"steps\": {}\n}\n";
  const std::string out = with_flow_intent("flows/en/track.json", flow, "parcel, late");
  CHECK(out == "{\n  \"id\": \"track\",\n  \"intents\": [\n    \"where is my order\",\n    \"track \\\"it\\\"\",\n    \"parcel, late\"\n  ],\n  \"steps\": {}\n}\n");
  CHECK(without_flow_intent("flows/en/track.json", out, "parcel, late") == flow);
  CHECK(flow_intents("flows/en/track.json", out) == std::vector<std::string>{"where is my order", "track \"it\"", "parcel, late"});
  const std::string one_line = "{\"id\": \"t\", \"intents\": [\"a\"], \"x\": [1]}";
  CHECK(with_flow_intent("t.json", one_line, "b") == "{\"id\": \"t\", \"intents\": [\"a\", \"b\"], \"x\": [1]}");
  CHECK(with_flow_intent("t.json", "{\"intents\": []}", "b") == "{\"intents\": [\"b\"]}");
  CHECK(without_flow_intent("t.json", "{\"intents\": [\"b\"]}", "b") == "{\"intents\": []}");
  CHECK_THROWS_AS(with_flow_intent("t.json", "{\"intents\": [\"a\"]}", "a"), EditError);
  CHECK_THROWS_AS(with_flow_intent("t.json", "{\"id\": 1}", "a"), EditError);
  CHECK_THROWS_AS(with_flow_intent("t.json", "not json", "a"), EditError);
  CHECK_THROWS_AS(without_flow_intent("t.json", "{\"intents\": [\"a\", \"b\"]}", "a"), EditError);
}

TEST_CASE("content edit: a synonym group is one line at the end of the file, line ends kept, and comes out again") {
  const std::string file = "# Groups of words.\nsign in, log in\npackage, parcel\n";
  const std::string out = with_synonym_line("synonyms/en.txt", file, {"box", "package"});
  CHECK(out == file + "box, package\n");
  CHECK(has_synonym_group("synonyms/en.txt", out, {"box", "package"}));
  CHECK_FALSE(has_synonym_group("synonyms/en.txt", file, {"box", "package"}));
  CHECK(without_synonym_line("synonyms/en.txt", out, {"box", "package"}) == file);
  CHECK(with_synonym_line("synonyms/en.txt", "a, b", {"c", "d"}) == "a, b\nc, d\n");  // no final line end: one is added
  CHECK(with_synonym_line("synonyms/en.txt", "a, b\r\n", {"c", "d"}) == "a, b\r\nc, d\r\n");
  CHECK(with_synonym_line("synonyms/es.txt", "", {"caja", "paquete"}) == "caja, paquete\n");  // a new file
  CHECK_THROWS_AS(with_synonym_line("synonyms/en.txt", file, {"parcel", "package"}), EditError);  // a group has them
  CHECK_THROWS_AS(with_synonym_line("synonyms/en.txt", file, {"a,b", "c"}), EditError);
  CHECK_THROWS_AS(with_synonym_line("synonyms/en.txt", file, {"a#", "c"}), EditError);
  CHECK_THROWS_AS(with_synonym_line("synonyms/en.txt", "a, , b\n", {"c", "d"}), EditError);  // the file is broken
  CHECK_THROWS_AS(without_synonym_line("synonyms/en.txt", out + "x, y\n", {"box", "package"}), EditError);  // not the last line
}

}  // namespace firstfix::content
