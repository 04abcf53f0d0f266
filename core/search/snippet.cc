#include "core/search/snippet.h"

#include <algorithm>
#include <bitset>

namespace firstfix::search {

bool Highlight::matches(const text::Token& t) const {
  if (stems.count(t.stem)) return true;
  for (const auto& p : prefixes)
    if (t.word.compare(0, p.size(), p) == 0) return true;
  return false;
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

std::string render(std::string_view text, size_t begin, size_t end, const std::vector<text::Token>& tokens,
                   const std::vector<bool>& matched, size_t first, size_t last) {
  std::string out;
  size_t at = begin;
  for (size_t i = first; i < last; ++i) {
    if (!matched[i]) continue;
    const auto& t = tokens[i];
    out += escape_html(text.substr(at, t.begin - at));
    out += "<mark>";
    out += escape_html(text.substr(t.begin, t.end - t.begin));
    out += "</mark>";
    at = t.end;
  }
  out += escape_html(text.substr(at, end - at));
  return out;
}

std::vector<bool> matches_of(const std::vector<text::Token>& tokens, const Highlight& h) {
  // Most words of a text match nothing: a table of the first bytes that can
  // match turns most of them away before any string comparison.
  std::bitset<256> first_bytes;
  for (const auto& s : h.stems) s.empty() ? first_bytes.set() : first_bytes.set(static_cast<unsigned char>(s[0]));
  for (const auto& p : h.prefixes) p.empty() ? first_bytes.set() : first_bytes.set(static_cast<unsigned char>(p[0]));
  std::vector<bool> matched(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    const auto& t = tokens[i];
    const unsigned char s0 = t.stem.empty() ? 0 : static_cast<unsigned char>(t.stem[0]);
    const unsigned char w0 = t.word.empty() ? 0 : static_cast<unsigned char>(t.word[0]);
    matched[i] = (first_bytes[s0] || first_bytes[w0]) && h.matches(t);
  }
  return matched;
}

}  // namespace

std::string highlight_html(std::string_view text, const std::vector<text::Token>& tokens, const Highlight& h) {
  return render(text, 0, text.size(), tokens, matches_of(tokens, h), 0, tokens.size());
}

std::string snippet_html(std::string_view text, const std::vector<text::Token>& tokens, const Highlight& h,
                         size_t max_bytes) {
  if (tokens.empty()) return escape_html(text.substr(0, max_bytes));
  const std::vector<bool> matched = matches_of(tokens, h);
  // Best window: most distinct matched stems, then most matches, then earliest.
  size_t best_first = 0, best_score = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!matched[i]) continue;
    size_t first = i >= 3 ? i - 3 : 0;  // a little context before the first match
    std::set<std::string_view> distinct;
    size_t hits = 0;
    for (size_t j = first; j < tokens.size() && tokens[j].end - tokens[first].begin <= max_bytes; ++j) {
      if (matched[j]) {
        ++hits;
        distinct.insert(tokens[j].stem);
      }
    }
    size_t score = distinct.size() * 16 + hits;
    if (score > best_score) {
      best_score = score;
      best_first = first;
    }
  }
  size_t last = best_first;
  while (last < tokens.size() && tokens[last].end - tokens[best_first].begin <= max_bytes) ++last;
  if (last == best_first) last = best_first + 1;
  size_t begin = best_first == 0 ? 0 : tokens[best_first].begin;
  size_t end = last == tokens.size() ? text.size() : tokens[last - 1].end;
  if (end - begin > max_bytes + 32) end = tokens[last - 1].end;
  std::string out;
  if (begin > 0) out += "… ";
  out += render(text, begin, end, tokens, matched, best_first, last);
  if (end < text.size()) out += " …";
  return out;
}

}  // namespace firstfix::search
