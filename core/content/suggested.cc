#include "core/content/suggested.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "core/base/page_pattern.h"

namespace firstfix::content {
namespace {

using nlohmann::json;

std::vector<std::string> id_list(const json& site, const char* which) {
  std::vector<std::string> ids;
  if (const auto s = site.find("suggestions"); s != site.end() && s->is_object())
    if (const auto list = s->find(which); list != s->end() && list->is_array())
      for (const auto& id : *list) ids.push_back(id.get<std::string>());
  return ids;
}

json item(const json& entry, const char* kind) {
  return {{"id", entry["id"]}, {"kind", kind}, {"title", entry["title"]}, {"url", entry["url"]}};
}

}  // namespace

json compile_suggested(const json& manifest, const std::vector<Resolutions>& resolutions) {
  const json& site = manifest["site"];
  const std::vector<std::string> pinned = id_list(site, "pinned");
  const std::vector<std::string> hidden_list = id_list(site, "hidden");
  const std::set<std::string> hidden(hidden_list.begin(), hidden_list.end());

  struct Entry {
    const json* manifest_entry;
    const char* kind;
  };
  std::map<std::string, Entry> by_id;
  // Flows first throughout: on a page about orders, "Track an order" beats reading about it.
  std::vector<std::pair<const char*, const json*>> kinds = {{"flow", &manifest["flows"]}, {"article", &manifest["articles"]}};
  json pages = json::array();
  for (const auto& [kind, entries] : kinds)
    for (const auto& e : *entries) {
      by_id[e["id"].get<std::string>()] = {&e, kind};
      if (!e["pages"].empty() && !hidden.count(e["id"].get<std::string>())) {
        json p = item(e, kind);
        p["locale"] = e["locale"];
        p["pages"] = e["pages"];
        pages.push_back(std::move(p));
      }
    }

  std::map<std::string, std::int64_t> count;
  for (const auto& r : resolutions)
    if (by_id.count(r.id) && r.count > 0) count[r.id] += r.count;

  json popular = json::object();
  for (const auto& locale_value : manifest["locales"]) {
    const std::string locale = locale_value.get<std::string>();
    auto in_locale = [&](const std::string& id) {
      auto it = by_id.find(id);
      return it != by_id.end() && (*it->second.manifest_entry)["locale"] == locale;
    };
    json items = json::array();
    std::set<std::string> listed;
    for (const auto& id : pinned)
      if (in_locale(id) && !hidden.count(id) && listed.insert(id).second) {
        json i = item(*by_id[id].manifest_entry, by_id[id].kind);
        i["pinned"] = true;
        items.push_back(std::move(i));
      }
    std::int64_t total = 0;
    std::vector<std::pair<std::int64_t, std::string>> ranked;  // (count, id)
    for (const auto& [id, n] : count)
      if (in_locale(id)) {
        total += n;
        if (!hidden.count(id)) ranked.emplace_back(n, id);
      }
    const bool from_reports = total >= kSuggestedMinResolutions;
    std::vector<std::string> rest;
    if (from_reports) {
      std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
      for (const auto& [n, id] : ranked) rest.push_back(id);
    } else {
      // Until the reports know better: what customers can get done here, then what editors tied to pages.
      for (const auto& f : manifest["flows"])
        if (f["locale"] == locale) rest.push_back(f["id"].get<std::string>());
      for (const auto& a : manifest["articles"])
        if (a["locale"] == locale && !a["pages"].empty()) rest.push_back(a["id"].get<std::string>());
    }
    // Room for the page's own suggestions to take some places without leaving the list short.
    const std::size_t room = items.size() + kSuggestedLimit;
    for (const auto& id : rest) {
      if (items.size() >= room) break;
      if (hidden.count(id) || !listed.insert(id).second) continue;
      items.push_back(item(*by_id[id].manifest_entry, by_id[id].kind));
    }
    popular[locale] = {{"source", from_reports ? "reports" : "static"}, {"items", std::move(items)}};
  }
  return {{"pages", std::move(pages)}, {"popular", std::move(popular)}, {"default_locale", site.value("default_locale", "en")}};
}

json suggested_for_page(const json& compiled, std::string_view page_url, std::string_view locale_in, std::size_t limit) {
  if (!compiled.is_object() || !compiled.contains("pages") || !compiled.contains("popular") || !compiled["popular"].is_object())
    throw std::invalid_argument("suggested: not a compiled list (compile_suggested)");
  const json& popular = compiled["popular"];
  std::string locale(locale_in);
  if (!popular.contains(locale)) locale = compiled.value("default_locale", "en");
  json items = json::array();
  std::set<std::string> listed;
  for (const auto& p : compiled["pages"]) {
    if (items.size() >= limit) break;
    if (p["locale"] != locale) continue;
    const bool matches = std::any_of(p["pages"].begin(), p["pages"].end(),
                                     [&](const json& pattern) { return base::page_matches(pattern.get<std::string>(), page_url); });
    if (!matches || !listed.insert(p["id"].get<std::string>()).second) continue;
    items.push_back({{"id", p["id"]}, {"kind", p["kind"]}, {"title", p["title"]}, {"url", p["url"]}, {"reason", "page"}});
  }
  std::string source = "static";
  if (auto it = popular.find(locale); it != popular.end()) {
    source = (*it)["source"].get<std::string>();
    for (const auto& i : (*it)["items"]) {
      if (items.size() >= limit) break;
      if (!listed.insert(i["id"].get<std::string>()).second) continue;
      items.push_back({{"id", i["id"]}, {"kind", i["kind"]}, {"title", i["title"]}, {"url", i["url"]},
                       {"reason", i.value("pinned", false) ? "pinned" : source}});
    }
  }
  return {{"locale", locale}, {"source", source}, {"items", std::move(items)}};
}

}  // namespace firstfix::content
