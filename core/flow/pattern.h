// A flow field's `pattern` (an ECMAScript regular expression the whole
// answer must match), checked by the platform's own regex engine: std::regex
// natively (pattern_std.cc), the browser's RegExp in WebAssembly
// (wasm/pattern_js.cc), where std::regex and the std::locale machinery it
// drags in would cost the widget about 30 KB compressed. The server is the
// one that decides; the widget's check is instant feedback, and `firstfix
// check` refuses any pattern std::regex cannot compile.
#pragma once

#include <string>

namespace firstfix::flow {

// Empty if `pattern` compiles, else why not.
std::string pattern_error(const std::string& pattern);

// Whether all of `text` matches `pattern` (which compiles).
bool matches_pattern(const std::string& pattern, const std::string& text);

}  // namespace firstfix::flow
