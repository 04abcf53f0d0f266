#include "core/content/synonyms.h"

#include <string_view>

namespace firstfix::content {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

SynonymFile parse_synonyms(const std::string& source, const std::string& locale,
                           const std::string& text, base::Diagnostics& out) {
  SynonymFile file{source, locale, {}};
  int line = 0;
  for (size_t p = 0; p <= text.size();) {
    ++line;
    size_t e = text.find('\n', p);
    if (e == std::string::npos) e = text.size();
    std::string_view row(text.data() + p, e - p);
    if (auto hash = row.find('#'); hash != std::string_view::npos) row = row.substr(0, hash);
    if (!trim(row).empty()) {
      SynonymGroup group{{}, line};
      size_t col = 0;
      bool ok = true;
      while (col <= row.size()) {
        size_t comma = row.find(',', col);
        if (comma == std::string_view::npos) comma = row.size();
        std::string_view term = trim(row.substr(col, comma - col));
        if (term.empty()) {
          out.push_back({source, line, static_cast<int>(col) + 1, "empty synonym between commas"});
          ok = false;
        } else {
          group.terms.emplace_back(term);
        }
        col = comma + 1;
      }
      if (ok && group.terms.size() < 2) {
        out.push_back({source, line, 1, "a synonym group needs at least two terms separated by commas"});
        ok = false;
      }
      if (ok) file.groups.push_back(std::move(group));
    }
    p = e + 1;
  }
  return file;
}

}  // namespace firstfix::content
