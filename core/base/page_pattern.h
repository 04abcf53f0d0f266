// Page patterns: where the widget suggests an article or a flow. A pattern
// is a path ("/orders*") or a full URL ("https://shop.example/orders/*");
// `*` matches any run of characters. One definition for the compiler (which
// checks them), the server and the Worker (which matches them), so articles
// and flows follow the same rules everywhere.
#pragma once

#include <string>
#include <string_view>

namespace firstfix::base {

// Empty when `pattern` is a valid page pattern, else why not.
std::string page_pattern_error(std::string_view pattern);

// Whether the page at `url` (a full URL, as location.href gives it)
// matches: a path pattern is held to the URL's path, a full-URL pattern to
// the URL without its fragment. Query strings count only where a pattern
// names one.
bool page_matches(std::string_view pattern, std::string_view url);

}  // namespace firstfix::base
