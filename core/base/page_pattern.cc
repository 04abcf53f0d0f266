#include "core/base/page_pattern.h"

#include <vector>

namespace firstfix::base {
namespace {

// Glob with '*' only: iterative, with one backtrack point (linear enough for patterns and URLs of a few hundred bytes).
bool glob(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++pi;
      ++si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace

std::string page_pattern_error(std::string_view pattern) {
  if (pattern.empty()) return "a page pattern cannot be empty";
  if (pattern.size() > 2000) return "a page pattern is at most 2000 bytes";
  if (pattern.front() == '/') return "";
  if (pattern.rfind("https://", 0) == 0 || pattern.rfind("http://", 0) == 0) return "";
  return "page pattern '" + std::string(pattern) + "' must be a path starting with '/' or a full URL (https://...)";
}

bool page_matches(std::string_view pattern, std::string_view url) {
  if (auto hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  if (pattern.empty() || pattern.front() != '/') return glob(pattern, url);
  // A path pattern: the URL's path, and its query only if the pattern names one.
  std::string_view path = url;
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    const auto slash = url.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
  }
  if (pattern.find('?') == std::string_view::npos)
    if (auto query = path.find('?'); query != std::string_view::npos) path = path.substr(0, query);
  return glob(pattern, path);
}

}  // namespace firstfix::base
