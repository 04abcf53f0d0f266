// core/flow/pattern.h in the browser: the JavaScript engine's RegExp, which
// reads the ECMAScript syntax std::regex::ECMAScript reads natively.
#include <emscripten.h>

#include <cstdlib>

#include "core/flow/pattern.h"

// Both return a malloc'd UTF-8 string ("" or a message) / 1 or 0.
EM_JS(char*, firstfix_pattern_error, (const char* pattern), {
  try {
    new RegExp(UTF8ToString(pattern));
    return 0;
  } catch (e) {
    const text = String(e && e.message || e);
    const size = lengthBytesUTF8(text) + 1;
    const out = _malloc(size);
    stringToUTF8(text, out, size);
    return out;
  }
});

EM_JS(int, firstfix_pattern_matches, (const char* pattern, const char* text), {
  try {
    return new RegExp('^(?:' + UTF8ToString(pattern) + ')$').test(UTF8ToString(text)) ? 1 : 0;
  } catch (e) {
    return 0;
  }
});

namespace firstfix::flow {

std::string pattern_error(const std::string& pattern) {
  char* message = firstfix_pattern_error(pattern.c_str());
  if (!message) return "";
  std::string out(message);
  std::free(message);
  return out;
}

bool matches_pattern(const std::string& pattern, const std::string& text) {
  return firstfix_pattern_matches(pattern.c_str(), text.c_str()) == 1;
}

}  // namespace firstfix::flow
