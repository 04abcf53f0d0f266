#include "core/content/suggested.h"

#include <doctest/doctest.h>

#include "core/content/manifest.h"
#include "tests/support/temp_index.h"

using namespace firstfix::content;
namespace base = firstfix::base;
using firstfix::testing::article;

namespace {

std::string flow(const std::string& id, const std::string& extra = "", const std::string& locale = "en") {
  return R"({"id": ")" + id + R"(", "title": "Do )" + id + R"(", "locale": ")" + locale + R"(", )" + extra +
         R"("start": "d", "steps": {"d": {"kind": "done", "state": "resolved", "message": "ok"}}})";
}

const std::string kSubflow = R"({"id": "sub", "title": "Sub", "locale": "en", "subflow": true,
  "start": "d", "steps": {"d": {"kind": "done", "state": "resolved", "outcome": "ok", "message": "ok"}}})";

std::vector<SourceFile> sample(const std::string& site_yaml) {
  return {{"site.yaml", "name: Test\ndefault_locale: en\nlocales: [en, es]\n" + site_yaml},
          {"articles/en/orders.md", article("orders", "Where is my order", "x", "pages: [\"/orders*\"]\n")},
          {"articles/en/login.md", article("login", "Can't log in", "x", "pages: [\"https://shop.example/login*\"]\n")},
          {"articles/en/wifi.md", article("wifi", "Wi-Fi", "x")},
          {"articles/en/battery.md", article("battery", "Battery", "x")},
          {"articles/es/pedido.md", article("pedido", "Dónde está mi pedido", "x", "pages: [\"/es/orders*\"]\n", "es")},
          {"flows/en/track.json", flow("track", R"("pages": ["/orders/*"], )")},
          {"flows/en/refund.json", flow("refund")},
          {"flows/en/sub.json", kSubflow}};
}

nlohmann::json manifest_of(const std::string& site_yaml) {
  base::Diagnostics d;
  auto hc = compile_help_center(sample(site_yaml), d);
  for (const auto& x : d) MESSAGE(x.to_string());
  REQUIRE(d.empty());
  return make_manifest(hc, 0, "");
}

std::vector<std::string> ids(const nlohmann::json& list) {
  std::vector<std::string> out;
  for (const auto& i : list["items"]) out.push_back(i["id"].get<std::string>() + ":" + i["reason"].get<std::string>());
  return out;
}

std::vector<std::string> problems(const std::string& site_yaml) {
  base::Diagnostics d;
  compile_help_center(sample(site_yaml), d);
  std::vector<std::string> out;
  for (const auto& x : d) out.push_back(x.to_string());
  return out;
}

}  // namespace

TEST_CASE("suggested: the page's own first (flows first), then a static list until the reports know enough") {
  const auto compiled = compile_suggested(manifest_of(""), {});
  // A path pattern holds against any host; the flow's pattern needs a path below /orders/.
  CHECK(ids(suggested_for_page(compiled, "https://help.example/orders/123?x=1#top", "en")) ==
        std::vector<std::string>{"track:page", "orders:page", "refund:static", "login:static"});
  // A full-URL pattern only on its own site.
  CHECK(ids(suggested_for_page(compiled, "https://shop.example/login?next=/", "en")) ==
        std::vector<std::string>{"login:page", "refund:static", "track:static", "orders:static"});
  CHECK(ids(suggested_for_page(compiled, "https://other.example/login", "en")) ==
        std::vector<std::string>{"refund:static", "track:static", "login:static", "orders:static"});
  // Never empty, even on a page nothing names; a language with no content falls back to the default.
  CHECK(suggested_for_page(compiled, "https://help.example/", "en")["items"].size() == 4);
  const auto fallback = suggested_for_page(compiled, "https://help.example/", "fr");
  CHECK(fallback["locale"] == "en");
  CHECK(ids(suggested_for_page(compiled, "https://help.example/es/orders", "es")) == std::vector<std::string>{"pedido:page"});
  CHECK(suggested_for_page(compiled, "https://help.example/", "en", 2)["items"].size() == 2);
  // Sub-flows are never offered: they run only inside their callers.
  CHECK(compiled.dump().find("\"sub\"") == std::string::npos);
}

TEST_CASE("suggested: what resolved most, once a language has enough resolutions; pinned first, hidden never") {
  const std::vector<Resolutions> few = {{"wifi", 5}, {"battery", 3}, {"pedido", 40}};
  auto compiled = compile_suggested(manifest_of(""), few);
  CHECK(compiled["popular"]["en"]["source"] == "static");  // 8 < kSuggestedMinResolutions
  CHECK(compiled["popular"]["es"]["source"] == "reports");  // counted per language
  const std::vector<Resolutions> enough = {{"wifi", 15}, {"battery", 9}, {"refund", 9}, {"unknown-id", 100}, {"orders", 0}};
  compiled = compile_suggested(manifest_of(""), enough);
  CHECK(ids(suggested_for_page(compiled, "https://help.example/", "en")) ==
        std::vector<std::string>{"wifi:reports", "battery:reports", "refund:reports"});
  // On a page with its own suggestions they come first, and nothing is listed twice.
  CHECK(ids(suggested_for_page(compiled, "https://help.example/orders/1", "en")) ==
        std::vector<std::string>{"track:page", "orders:page", "wifi:reports", "battery:reports", "refund:reports"});

  compiled = compile_suggested(manifest_of("suggestions:\n  pinned: [refund, orders]\n  hidden: [wifi, track]\n"), enough);
  CHECK(ids(suggested_for_page(compiled, "https://help.example/orders/1", "en")) ==
        std::vector<std::string>{"orders:page", "refund:pinned", "battery:reports"});
  CHECK(ids(suggested_for_page(compiled, "https://help.example/", "en")) ==
        std::vector<std::string>{"refund:pinned", "orders:pinned", "battery:reports"});
  CHECK_THROWS_AS(suggested_for_page(nlohmann::json::array(), "https://help.example/", "en"), std::invalid_argument);
}

TEST_CASE("suggested: site.yaml's lists are checked where they are written") {
  CHECK(problems("suggestions:\n  pinned: [refund, nope]\n") ==
        std::vector<std::string>{"site.yaml:5:20: suggestions.pinned: no article or flow with id 'nope'"});
  CHECK(problems("suggestions:\n  hidden:\n    - sub\n") ==
        std::vector<std::string>{"site.yaml:6:7: suggestions.hidden: 'sub' is a sub-flow, run only inside the flows that call it"});
  CHECK(problems("suggestions:\n  pinned: [wifi]\n  hidden: [wifi]\n") ==
        std::vector<std::string>{"site.yaml:6:12: suggestions: 'wifi' is both pinned and hidden"});
  CHECK(problems("suggestions: [wifi]\n") ==
        std::vector<std::string>{"site.yaml:4:14: field 'suggestions' must be a mapping with 'pinned' and/or 'hidden' lists of article or flow ids"});
  CHECK(problems("suggestions:\n  featured: [wifi]\n") ==
        std::vector<std::string>{"site.yaml:5:3: unknown field 'suggestions.featured' (expected pinned, hidden)"});
}
