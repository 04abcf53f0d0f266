// `firstfix search`: one query for people, or --batch for tools.
#include <unistd.h>

#include <iostream>
#include <regex>

#include "cli/commands.h"
#include "core/content/manifest.h"
#include "core/search/json.h"
#include "core/search/searcher.h"

namespace firstfix::cli {
namespace {

// Turns snippet HTML into terminal text: <mark> becomes bold on a terminal.
std::string terminal_text(const std::string& html, bool tty) {
  std::string s = std::regex_replace(html, std::regex("<mark>"), tty ? "\x1b[1m" : "");
  s = std::regex_replace(s, std::regex("</mark>"), tty ? "\x1b[0m" : "");
  for (auto [from, to] : {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}})
    s = std::regex_replace(s, std::regex(from), to);
  return s;
}

search::Searcher open_searcher(const std::string& index_dir) {
  std::string path = index_dir + "/" + std::string(content::kIndexFile);
  return search::Searcher(Xapian::Database(path));
}

}  // namespace

int search_command(const SearchOptions& o) {
  search::Searcher searcher = open_searcher(o.index_dir);
  search::SearchRequest base;
  base.locale = o.locale;
  base.categories = o.categories;
  base.limit = o.limit;
  base.as_you_type = o.as_you_type;

  if (o.batch) {
    std::string line;
    int line_no = 0;
    while (std::getline(std::cin, line)) {
      ++line_no;
      auto tab = line.find('\t');
      if (tab == std::string::npos) {
        std::cerr << "stdin:" << line_no << ": expected ID<TAB>QUERY\n";
        return 2;
      }
      search::SearchRequest req = base;
      req.query = line.substr(tab + 1);
      req.facets = false;
      auto resp = searcher.search(req);
      nlohmann::json results = nlohmann::json::array();
      for (const auto& h : resp.hits) results.push_back({{"id", h.id}, {"score", h.score}});
      nlohmann::json out = {{"id", line.substr(0, tab)}, {"results", results},
                            {"corrected", resp.corrected.empty() ? nlohmann::json(nullptr) : nlohmann::json(resp.corrected)}};
      std::cout << out.dump() << '\n';
    }
    return 0;
  }

  search::SearchRequest req = base;
  req.query = o.query;
  auto resp = searcher.search(req);
  if (o.json) {
    std::cout << search::to_json(resp).dump(2) << '\n';
    return 0;
  }
  const bool tty = isatty(STDOUT_FILENO);
  if (!resp.corrected.empty())
    std::cout << "Showing results for \"" << resp.corrected << "\" (searched for \"" << resp.query << "\")\n";
  if (resp.hits.empty()) {
    std::cout << "No results for \"" << o.query << "\" in locale " << resp.locale << ".\n";
    return 0;
  }
  std::cout << resp.total << (resp.total == 1 ? " result" : " results") << ":\n";
  int n = static_cast<int>(resp.offset);
  for (const auto& h : resp.hits) {
    std::cout << "\n" << ++n << ". " << terminal_text(h.title_html, tty) << "  [" << (h.category.empty() ? h.kind : h.category)
              << "]  " << h.id << "  (" << h.score << ")\n   " << terminal_text(h.snippet_html, tty) << '\n';
  }
  return 0;
}

}  // namespace firstfix::cli
