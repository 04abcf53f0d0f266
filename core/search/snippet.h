// Snippets and highlighted titles: HTML-escaped text with the words that
// matched the query wrapped in <mark>.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/text/analyzer.h"

namespace firstfix::search {

// Which words of a text count as matches of the query.
struct Highlight {
  std::set<std::string> stems;
  std::vector<std::string> prefixes;  // as-you-type: any word starting with these
  bool matches(const text::Token& t) const;
};

std::string escape_html(std::string_view text);

// `tokens` are the analyzer's tokens of `text` (callers may keep them: a
// document shown keystroke after keystroke is analyzed once).

// The whole text, escaped, with matches marked.
std::string highlight_html(std::string_view text, const std::vector<text::Token>& tokens, const Highlight& h);

// The passage of at most about `max_bytes` with the most distinct matches,
// escaped, matches marked, with "…" where text was cut.
std::string snippet_html(std::string_view text, const std::vector<text::Token>& tokens, const Highlight& h,
                         size_t max_bytes = 200);

}  // namespace firstfix::search
