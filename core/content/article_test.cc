#include "core/content/article.h"
#include "core/base/id.h"

#include <doctest/doctest.h>

using namespace firstfix::content;
namespace base = firstfix::base;

namespace {
// Parses and returns the single diagnostic, formatted.
std::string problem(const std::string& text) {
  base::Diagnostics d;
  auto a = parse_article("a.md", text, d);
  CHECK_FALSE(a.has_value());
  REQUIRE(d.size() >= 1);
  return d[0].to_string();
}
}  // namespace

TEST_CASE("a complete article parses with every field") {
  base::Diagnostics d;
  auto a = parse_article("articles/en/x.md",
                         "---\nid: reset-password\ntitle: Reset your password\nlocale: en\ncategory: Account\n"
                         "tags: [password, login]\nquestions:\n  - I forgot my password\nsynonyms: [passcode]\n"
                         "pages: [\"/account/*\"]\n---\n# Steps\nBody text.\n",
                         d);
  REQUIRE(a.has_value());
  CHECK(d.empty());
  CHECK(a->id == "reset-password");
  CHECK(a->title == "Reset your password");
  CHECK(a->tags == std::vector<std::string>{"password", "login"});
  CHECK(a->questions == std::vector<std::string>{"I forgot my password"});
  CHECK(a->synonyms == std::vector<std::string>{"passcode"});
  CHECK(a->pages == std::vector<std::string>{"/account/*"});
  CHECK(a->body == "# Steps\nBody text.\n");
  CHECK(a->body_line == 12);
}

TEST_CASE("every front-matter error names file, line and column") {
  CHECK(problem("no header\n") == "a.md:1:1: missing front matter: the file must start with a line '---'");
  CHECK(problem("---\nid: x\n") == "a.md:1:1: front matter is not closed: expected a line '---' after the header");
  CHECK(problem("---\nid: [unclosed\n---\n").rfind("a.md:", 0) == 0);
  CHECK(problem("---\nid: [unclosed\n---\n").find("malformed front matter") != std::string::npos);
  CHECK(problem("---\n- a\n- b\n---\n") == "a.md:2:1: front matter must be a mapping of fields (id: ..., title: ...)");
  CHECK(problem("---\nid: x\ntitle: T\nlocale: en\n---\n") == "a.md:2:1: missing required field 'category'");
  CHECK(problem("---\nid: Bad_Id\ntitle: T\nlocale: en\ncategory: C\n---\n") ==
        "a.md:2:5: invalid id 'Bad_Id': use lower-case letters, digits and single hyphens");
  CHECK(problem("---\nid: x\ntitle: T\nlocale: xx\ncategory: C\n---\n") == "a.md:4:9: unknown locale 'xx'");
  CHECK(problem("---\nid: x\ntitle: T\nlocale: en\ncategory: C\ntilte: oops\n---\n") ==
        "a.md:6:1: unknown field 'tilte' (expected id, title, locale, category, tags, questions, synonyms, pages)");
  CHECK(problem("---\nid: x\ntitle: [a, b]\nlocale: en\ncategory: C\n---\n") == "a.md:3:8: field 'title' must be a string");
  CHECK(problem("---\nid: x\ntitle: T\nlocale: en\ncategory: C\ntags: solo\n---\n") ==
        "a.md:6:7: field 'tags' must be a list of strings");
  CHECK(problem("---\nid: x\ntitle: T\nlocale: en\ncategory: C\npages: [account]\n---\n") ==
        "a.md:6:8: page pattern 'account' must be a path starting with '/' or a full URL (https://...)");
  CHECK(problem("---\nid: x\ntitle: \"\"\nlocale: en\ncategory: C\n---\n") == "a.md:3:8: field 'title' must not be empty");
}

TEST_CASE("ids are lower-case words joined by single hyphens") {
  CHECK(base::is_valid_id("reset-password-2"));
  CHECK_FALSE(base::is_valid_id("Reset"));
  CHECK_FALSE(base::is_valid_id("a--b"));
  CHECK_FALSE(base::is_valid_id("-a"));
  CHECK_FALSE(base::is_valid_id(""));
}

TEST_CASE("a byte order mark and CRLF line ends are accepted") {
  base::Diagnostics d;
  auto a = parse_article("a.md", "\xEF\xBB\xBF---\r\nid: x\r\ntitle: T\r\nlocale: en\r\ncategory: C\r\n---\r\nBody\r\n", d);
  REQUIRE(a.has_value());
  CHECK(a->id == "x");
}
