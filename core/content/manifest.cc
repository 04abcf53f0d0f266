#include "core/content/manifest.h"

#include <cstdio>
#include <map>

namespace firstfix::content {

std::string content_hash(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string article_html_path(const std::string& id) { return "articles/" + id + ".html"; }
std::string flow_json_path(const std::string& id) { return "flows/" + id + ".json"; }

nlohmann::json make_manifest(const HelpCenter& hc, uint64_t index_bytes, const std::string& index_hash) {
  nlohmann::json articles = nlohmann::json::array();
  std::map<std::string, std::map<std::string, int>> categories;  // locale -> category -> count
  std::map<std::string, int> locales;
  for (const auto& c : hc.articles) {
    const auto& a = c.article;
    articles.push_back({{"id", a.id},
                        {"title", a.title},
                        {"locale", a.locale},
                        {"category", a.category},
                        {"tags", a.tags},
                        {"pages", a.pages},
                        {"url", c.url},
                        {"html", article_html_path(a.id)},
                        {"hash", content_hash(c.html)}});
    ++categories[a.locale][a.category];
    ++locales[a.locale];
  }
  nlohmann::json flows = nlohmann::json::array();
  for (const auto& f : hc.flows) {
    flows.push_back({{"id", f.id}, {"title", f.title}, {"locale", f.locale}, {"category", f.category}, {"intents", f.intents},
                     {"url", flow_url(f.id)}, {"file", flow_json_path(f.id)}, {"hash", content_hash(f.json)}, {"pages", f.pages},
                     {"requires_identity", f.requires_identity}});
    ++locales[f.locale];
  }
  nlohmann::json cats = nlohmann::json::object();
  for (const auto& [locale, counts] : categories) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [name, count] : counts) list.push_back({{"name", name}, {"articles", count}});
    cats[locale] = list;
  }
  auto ids = [](const std::vector<SiteReference>& refs) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : refs) list.push_back(r.id);
    return list;
  };
  nlohmann::json locale_list = nlohmann::json::array();
  for (const auto& [code, count] : locales) locale_list.push_back(code);
  return {{"format", 1},
          {"site", {{"name", hc.site.name},
                    {"default_locale", hc.site.default_locale},
                    {"contact_email", hc.site.contact_email},
                    {"contact_hours", hc.site.contact_hours},
                    {"chat_hours", hc.site.chat_hours},
                    {"timezone", hc.site.timezone},
                    {"escalation_failures", hc.site.escalation_failures},
                    {"suggestions", {{"pinned", ids(hc.site.suggestions_pinned)}, {"hidden", ids(hc.site.suggestions_hidden)}}}}},
          {"locales", locale_list},
          {"index", {{"file", kIndexFile}, {"bytes", index_bytes}, {"hash", index_hash}}},
          {"categories", cats},
          {"articles", articles},
          {"flows", flows}};
}

}  // namespace firstfix::content
