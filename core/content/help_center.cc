#include "core/content/help_center.h"

#include <unicode/timezone.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <memory>

#include "core/escalation/business_hours.h"
#include "core/flow/link.h"
#include "core/render/markdown.h"
#include "core/text/analyzer.h"

namespace firstfix::content {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Joins a relative path onto a directory, resolving "." and "..". Returns ""
// when the path climbs above the content root.
std::string resolve_path(const std::string& dir, const std::string& relative) {
  std::vector<std::string> parts;
  auto push = [&](const std::string& path) -> bool {
    size_t p = 0;
    while (p <= path.size()) {
      size_t e = path.find('/', p);
      if (e == std::string::npos) e = path.size();
      std::string part = path.substr(p, e - p);
      if (part == "..") {
        if (parts.empty()) return false;
        parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      p = e + 1;
    }
    return true;
  };
  if (!push(dir) || !push(relative)) return {};
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

SiteConfig parse_site(const SourceFile& f, base::Diagnostics& out) {
  SiteConfig site;
  YAML::Node root;
  try {
    root = YAML::Load(f.text);
  } catch (const YAML::ParserException& e) {
    out.push_back({f.path, e.mark.line + 1, e.mark.column + 1, "malformed YAML: " + e.msg});
    return site;
  }
  if (!root.IsMap()) {
    out.push_back({f.path, 1, 1, "site settings must be a mapping of fields"});
    return site;
  }
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>("");
    const YAML::Node& v = kv.second;
    auto where = [&](const YAML::Node& n) { return std::pair{n.Mark().line + 1, n.Mark().column + 1}; };
    auto scalar = [&](std::string& into) {
      if (!v.IsScalar()) {
        auto [l, c] = where(v);
        out.push_back({f.path, l, c, "field '" + key + "' must be a string"});
      } else {
        into = v.as<std::string>();
      }
    };
    if (key == "name") {
      scalar(site.name);
    } else if (key == "default_locale") {
      scalar(site.default_locale);
      if (!text::find_locale(site.default_locale)) {
        auto [l, c] = where(v);
        out.push_back({f.path, l, c, "unknown locale '" + site.default_locale + "'"});
      }
    } else if (key == "locales") {
      if (!v.IsSequence()) {
        auto [l, c] = where(v);
        out.push_back({f.path, l, c, "field 'locales' must be a list of locale codes"});
        continue;
      }
      for (const auto& item : v) {
        std::string code = item.IsScalar() ? item.as<std::string>() : "";
        if (!text::find_locale(code)) {
          auto [l, c] = where(item);
          out.push_back({f.path, l, c, "unknown locale '" + code + "'"});
        } else {
          site.locales.push_back(code);
        }
      }
    } else if (key == "contact_email") {
      scalar(site.contact_email);
    } else if (key == "contact_hours") {
      scalar(site.contact_hours);
    } else if (key == "chat_hours") {
      scalar(site.chat_hours);
      std::string why;
      if (!escalation::parse_business_hours(site.chat_hours, why)) {
        auto [l, c] = where(v);
        out.push_back({f.path, l, c, "chat_hours: " + why});
      }
    } else if (key == "escalation_failures") {
      const std::string value = v.IsScalar() ? v.as<std::string>() : "";
      if (value.size() != 1 || value[0] < '1' || value[0] > '9') {
        auto [l, c] = where(v);
        out.push_back({f.path, l, c, "escalation_failures must be a whole number from 1 to 9"});
      } else {
        site.escalation_failures = static_cast<unsigned>(value[0] - '0');
      }
    } else if (key == "chat_timezone") {
      auto [l, c] = where(kv.first);
      out.push_back({f.path, l, c, "'chat_timezone' is now 'timezone': the help center's time zone, for chat hours and flows' dates"});
    } else if (key == "timezone") {
      scalar(site.timezone);
      std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(site.timezone)));
      icu::UnicodeString id;
      if (*zone == icu::TimeZone::getUnknown() || zone->getID(id) == UNICODE_STRING_SIMPLE("Etc/Unknown")) {
        auto [l, c] = where(v);
        out.push_back({f.path, l, c, "unknown time zone '" + site.timezone + "' (use an IANA name like Europe/Madrid)"});
      }
    } else if (key == "suggestions") {
      if (!v.IsMap()) {
        auto [l, c] = where(v);
        out.push_back({f.path, l, c, "field 'suggestions' must be a mapping with 'pinned' and/or 'hidden' lists of article or flow ids"});
        continue;
      }
      for (const auto& list : v) {
        const std::string name = list.first.as<std::string>("");
        std::vector<SiteReference>* into = name == "pinned" ? &site.suggestions_pinned : name == "hidden" ? &site.suggestions_hidden : nullptr;
        if (!into) {
          auto [l, c] = where(list.first);
          out.push_back({f.path, l, c, "unknown field 'suggestions." + name + "' (expected pinned, hidden)"});
          continue;
        }
        if (!list.second.IsSequence()) {
          auto [l, c] = where(list.second);
          out.push_back({f.path, l, c, "suggestions." + name + " must be a list of article or flow ids"});
          continue;
        }
        for (const auto& item : list.second) {
          auto [l, c] = where(item);
          if (!item.IsScalar()) out.push_back({f.path, l, c, "suggestions." + name + " must be a list of article or flow ids"});
          else into->push_back({item.as<std::string>(), l, c});
        }
      }
    } else {
      auto [l, c] = where(kv.first);
      out.push_back({f.path, l, c, "unknown field '" + key +
                                       "' (expected name, default_locale, locales, contact_email, contact_hours, chat_hours, timezone, "
                                       "escalation_failures, suggestions)"});
    }
  }
  return site;
}

}  // namespace

std::string article_url(const std::string& id) { return "/articles/" + id; }
std::string flow_url(const std::string& id) { return "/flows/" + id; }

namespace {

// Every id site.yaml's suggestions name is an article or a flow a customer
// can open (a sub-flow runs only inside its callers), and none is both
// pinned and hidden.
void check_suggestions(const SiteConfig& site, const std::vector<Article>& articles, const std::vector<FlowFile>& flows,
                       const std::map<std::string, std::string>& owner, base::Diagnostics& out) {
  std::set<std::string> openable;
  for (const auto& a : articles) openable.insert(a.id);
  for (const auto& f : flows) openable.insert(f.id);
  std::set<std::string> pinned;
  for (const auto& r : site.suggestions_pinned) pinned.insert(r.id);
  for (const auto* list : {&site.suggestions_pinned, &site.suggestions_hidden})
    for (const auto& r : *list) {
      const std::string which = list == &site.suggestions_pinned ? "pinned" : "hidden";
      if (!owner.count(r.id))
        out.push_back({"site.yaml", r.line, r.column, "suggestions." + which + ": no article or flow with id '" + r.id + "'"});
      else if (!openable.count(r.id))
        out.push_back({"site.yaml", r.line, r.column, "suggestions." + which + ": '" + r.id + "' is a sub-flow, run only inside the flows that call it"});
      else if (which == "hidden" && pinned.count(r.id))
        out.push_back({"site.yaml", r.line, r.column, "suggestions: '" + r.id + "' is both pinned and hidden"});
    }
}

// Inlines every flow's calls (core/flow/link.h) and checks the result as
// the server will run it; sub-flows, only ever run inside their callers,
// are not compiled on their own.
void link_flows(HelpCenter& hc, base::Diagnostics& out, const flow::ConnectorCatalog* catalog) {
  std::map<std::string, flow::FlowSource> sources;
  for (const auto& f : hc.flows) sources.emplace(f.id, flow::FlowSource{f.source, f.json});
  std::vector<FlowFile> compiled;
  for (auto& f : hc.flows) {
    if (f.subflow) continue;
    auto linked = flow::link_flow(f.id, sources, out);
    if (!linked) continue;
    if (*linked != f.json) {
      base::Diagnostics problems;
      if (!flow::parse_flow(f.source, *linked, problems, catalog))
        for (const auto& p : problems) out.push_back({f.source, 1, 1, "with its calls inlined: " + p.message});
      f.json = std::move(*linked);
    }
    compiled.push_back(std::move(f));
  }
  hc.flows = std::move(compiled);
}

}  // namespace

HelpCenter compile_help_center(const std::vector<SourceFile>& files, base::Diagnostics& out, const flow::ConnectorCatalog* catalog) {
  HelpCenter hc;
  std::vector<const SourceFile*> sorted;
  for (const auto& f : files) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->path < b->path; });

  for (const SourceFile* f : sorted)
    if (f->path == "site.yaml") hc.site = parse_site(*f, out);
  auto locale_allowed = [&](const std::string& locale) {
    return hc.site.locales.empty() ||
           std::find(hc.site.locales.begin(), hc.site.locales.end(), locale) != hc.site.locales.end();
  };

  std::vector<Article> articles;
  for (const SourceFile* f : sorted) {
    const std::string& p = f->path;
    if (p == "site.yaml" || starts_with(p.substr(p.rfind('/') + 1), ".")) continue;
    if (starts_with(p, "articles/")) {
      if (!ends_with(p, ".md")) {
        out.push_back({p, 1, 1, "unexpected file in articles/: articles are Markdown files ending in .md"});
      } else if (auto a = parse_article(p, f->text, out)) {
        articles.push_back(std::move(*a));
      }
    } else if (starts_with(p, "flows/")) {
      if (!ends_with(p, ".json")) {
        out.push_back({p, 1, 1, "unexpected file in flows/: flows are JSON files ending in .json"});
      } else if (auto flow = parse_flow_file(p, f->text, out, catalog)) {
        if (!locale_allowed(flow->locale))
          out.push_back({p, 1, 1, "locale '" + flow->locale + "' is not among the site's locales"});
        hc.flows.push_back(std::move(*flow));
      }
    } else if (starts_with(p, "synonyms/")) {
      std::string name = p.substr(9);
      std::string locale = ends_with(name, ".txt") ? name.substr(0, name.size() - 4) : "";
      if (locale.empty() || !text::find_locale(locale)) {
        out.push_back({p, 1, 1, "synonyms files are named synonyms/<locale>.txt with a known locale"});
      } else {
        hc.synonyms.push_back(parse_synonyms(p, locale, f->text, out));
      }
    }
  }

  // Unique ids across articles and flows: both appear in search results.
  std::map<std::string, std::string> owner;  // id -> source
  for (const auto& a : articles) {
    if (!locale_allowed(a.locale))
      out.push_back({a.source, 1, 1, "locale '" + a.locale + "' is not among the site's locales"});
    auto [it, fresh] = owner.emplace(a.id, a.source);
    if (!fresh) out.push_back({a.source, a.id_line, a.id_column, "duplicate id '" + a.id + "' (also in " + it->second + ")"});
  }
  std::map<std::string, std::set<std::string>> categories;  // locale -> the articles' categories
  for (const auto& a : articles) categories[a.locale].insert(a.category);
  for (const auto& flow : hc.flows) {
    auto [it, fresh] = owner.emplace(flow.id, flow.source);
    if (!fresh) out.push_back({flow.source, 1, 1, "duplicate id '" + flow.id + "' (also in " + it->second + ")"});
    if (!flow.category.empty() && !categories[flow.locale].count(flow.category)) {
      std::string known;
      for (const auto& c : categories[flow.locale]) known += (known.empty() ? "" : ", ") + c;
      out.push_back({flow.source, 1, 1, "category '" + flow.category + "' is not a category of any " + flow.locale + " article (" +
                                            (known.empty() ? "there are none" : "known: " + known) + ")"});
    }
  }

  link_flows(hc, out, catalog);
  check_suggestions(hc.site, articles, hc.flows, owner, out);

  std::map<std::string, std::string> id_by_path;
  for (const auto& a : articles) id_by_path[a.source] = a.id;

  for (auto& a : articles) {
    CompiledArticle c;
    c.url = article_url(a.id);
    const std::string dir = directory_of(a.source);
    auto rewrite = [&](const std::string& url, int line, int column) -> std::string {
      auto broken = [&](const std::string& why) {
        out.push_back({a.source, a.body_line + line - 1, column, "broken link '" + url + "': " + why});
        return url;
      };
      if (url.empty() || url[0] == '#' || url.find("://") != std::string::npos ||
          starts_with(url, "mailto:") || starts_with(url, "tel:"))
        return url;
      std::string path = url, anchor;
      if (auto hash = url.find('#'); hash != std::string::npos) {
        path = url.substr(0, hash);
        anchor = url.substr(hash);
      }
      if (starts_with(path, "/articles/")) {
        if (!owner.count(path.substr(10))) return broken("no article with id '" + path.substr(10) + "'");
        return url;
      }
      if (!ends_with(path, ".md") || path[0] == '/') return url;
      auto target = id_by_path.find(resolve_path(dir, path));
      if (target == id_by_path.end()) return broken("no article at " + resolve_path(dir, path));
      return article_url(target->second) + anchor;
    };
    render::Rendered r = render::render_markdown(a.body, rewrite);
    c.html = std::move(r.html);
    c.text = std::move(r.text);
    c.headings = std::move(r.headings);
    c.article = std::move(a);
    hc.articles.push_back(std::move(c));
  }
  std::sort(hc.articles.begin(), hc.articles.end(),
            [](const auto& x, const auto& y) { return x.article.id < y.article.id; });
  std::sort(hc.flows.begin(), hc.flows.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  return hc;
}

}  // namespace firstfix::content
