#include "core/content/help_center.h"
#include "core/base/id.h"

#include <doctest/doctest.h>

#include "tests/support/temp_index.h"

using namespace firstfix::content;
namespace base = firstfix::base;
using firstfix::testing::article;

namespace {
std::vector<std::string> problems(const std::vector<SourceFile>& files) {
  base::Diagnostics d;
  compile_help_center(files, d);
  std::vector<std::string> out;
  for (const auto& x : d) out.push_back(x.to_string());
  return out;
}
}  // namespace

TEST_CASE("duplicate ids are reported at the second id") {
  auto p = problems({{"articles/a.md", article("same", "A", "x")}, {"articles/b.md", article("same", "B", "y")}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "articles/b.md:2:5: duplicate id 'same' (also in articles/a.md)");
}

TEST_CASE("internal links resolve to article URLs; broken ones are reported where written") {
  base::Diagnostics d;
  auto hc = compile_help_center({{"articles/en/a.md", article("a", "A", "See [B](../en/b.md#steps) and\n[gone](c.md).")},
                                 {"articles/en/b.md", article("b", "B", "Back to [A](/articles/a).")}},
                                d);
  REQUIRE(d.size() == 1);
  CHECK(d[0].to_string() == "articles/en/a.md:8:1: broken link 'c.md': no article at articles/en/c.md");
  CHECK(hc.articles[0].html.find("href=\"/articles/b#steps\"") != std::string::npos);
  CHECK(hc.articles[1].html.find("href=\"/articles/a\"") != std::string::npos);
  auto p = problems({{"articles/a.md", article("a", "A", "[x](/articles/nope)")}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "articles/a.md:7:1: broken link '/articles/nope': no article with id 'nope'");
}

TEST_CASE("rendered HTML carries no script, event handler or javascript: URL") {
  base::Diagnostics d;
  auto hc = compile_help_center(
      {{"articles/a.md", article("a", "A",
                                 "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
                                 "[x](javascript:alert(1)) [y](JAVASCRIPT:alert(2)) [z](vbscript:x) "
                                 "![i](data:text/html;base64,xx)\n\n<a href=\"javascript:1\" onclick=\"x()\">a</a>\n\n"
                                 "| a | b |\n|---|---|\n| 1 | 2 |")}},
      d);
  REQUIRE(d.empty());
  const std::string& html = hc.articles[0].html;
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("onerror") == std::string::npos);
  CHECK(html.find("onclick") == std::string::npos);
  CHECK(html.find("javascript:") == std::string::npos);
  CHECK(html.find("JAVASCRIPT:") == std::string::npos);
  CHECK(html.find("vbscript:") == std::string::npos);
  CHECK(html.find("data:text/html") == std::string::npos);
  CHECK(html.find("<table>") != std::string::npos);  // GitHub tables still render
}

TEST_CASE("locales: unknown ones and ones the site does not list are errors") {
  auto p = problems({{"site.yaml", "name: Acme\nlocales: [en]\n"}, {"articles/a.md", article("a", "A", "x", "", "es")}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "articles/a.md:1:1: locale 'es' is not among the site's locales");
  p = problems({{"site.yaml", "locales: [en, klingon]\n"}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "site.yaml:1:15: unknown locale 'klingon'");
}

TEST_CASE("flows: malformed JSON, missing fields and graph problems are located") {
  auto p = problems({{"flows/f.json", "{\n  \"id\": \"f\",\n  \"title\": \"F\"\n  \"locale\": \"en\"\n}"}});
  REQUIRE(p.size() == 1);
  CHECK(p[0].rfind("flows/f.json:4:3: malformed JSON:", 0) == 0);
  // A number past a double's range is an out_of_range, not a parse_error (found by the flow fuzzer).
  p = problems({{"flows/f.json", "{\n  \"id\": \"f\",\n  \"n\": 5e99999\n}"}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/f.json:3:8: malformed JSON: a number too large to represent");
  const std::string steps = R"("start": "d", "steps": {"d": {"kind": "done", "state": "resolved", "message": "ok"}})";
  p = problems({{"flows/f.json", "{\"id\": \"f\", \"title\": \"F\", " + steps + "}"}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/f.json:1:1: missing required field 'locale' in the flow");
  p = problems({{"flows/f.json", "{\n\"id\": \"f\",\n\"title\": 3,\n\"locale\": \"en\", " + steps + "}"}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/f.json:3:10: field 'title' must be a non-empty string");
  p = problems({{"flows/f.json", "{\"id\": \"a\", \"title\": \"F\", \"locale\": \"en\", " + steps + "}"},
                {"articles/a.md", article("a", "A", "x")}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/f.json:1:1: duplicate id 'a' (also in articles/a.md)");
  p = problems({{"flows/f.json", R"({"id": "f", "title": "F", "locale": "en", "start": "x", "steps": {"d": {"kind": "done", "state": "resolved", "message": "ok"}}})"}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/f.json:1:52: start step 'x' does not exist");
  // A flow's category is one its locale's articles use (the reports group by it).
  p = problems({{"flows/f.json", "{\"id\": \"f\", \"title\": \"F\", \"locale\": \"en\", \"category\": \"Orders\", " + steps + "}"},
                {"articles/a.md", article("a", "A", "x")}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "flows/f.json:1:1: category 'Orders' is not a category of any en article (known: General)");
  CHECK(problems({{"flows/f.json", "{\"id\": \"f\", \"title\": \"F\", \"locale\": \"en\", \"category\": \"General\", " + steps + "}"},
                  {"articles/a.md", article("a", "A", "x")}}).empty());
}

TEST_CASE("synonym files: groups need two terms and no empty entries") {
  auto p = problems({{"synonyms/en.txt", "# comment\nsign in, log in\nlonely\nx,, y\n"}});
  REQUIRE(p.size() == 2);
  CHECK(p[0] == "synonyms/en.txt:3:1: a synonym group needs at least two terms separated by commas");
  CHECK(p[1] == "synonyms/en.txt:4:3: empty synonym between commas");
  p = problems({{"synonyms/english.txt", "a, b\n"}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "synonyms/english.txt:1:1: synonyms files are named synonyms/<locale>.txt with a known locale");
}

TEST_CASE("files of the wrong kind in articles/ or flows/ are reported") {
  auto p = problems({{"articles/a.markdown", "x"}, {"flows/f.yaml", "x"}});
  REQUIRE(p.size() == 2);
  CHECK(p[0] == "articles/a.markdown:1:1: unexpected file in articles/: articles are Markdown files ending in .md");
}

TEST_CASE("plain text and headings are extracted for the index") {
  base::Diagnostics d;
  auto hc = compile_help_center({{"articles/a.md", article("a", "A", "# Before you start\n\nCharge the **device**.\n\n- one\n- two")}}, d);
  REQUIRE(d.empty());
  CHECK(hc.articles[0].headings == "Before you start\n");
  CHECK(hc.articles[0].text == "Before you start\nCharge the device.\none\ntwo");
}
