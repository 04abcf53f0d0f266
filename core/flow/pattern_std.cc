#include <regex>

#include "core/flow/pattern.h"

namespace firstfix::flow {

std::string pattern_error(const std::string& pattern) {
  try {
    std::regex(pattern, std::regex::ECMAScript);
    return "";
  } catch (const std::regex_error& e) {
    return e.what();
  }
}

bool matches_pattern(const std::string& pattern, const std::string& text) {
  return std::regex_match(text, std::regex(pattern, std::regex::ECMAScript));
}

}  // namespace firstfix::flow
