#include "core/base/page_pattern.h"

#include <doctest/doctest.h>

using firstfix::base::page_matches;
using firstfix::base::page_pattern_error;

TEST_CASE("page patterns: paths against the URL's path, full URLs against the whole URL, * for any run") {
  struct Case {
    const char *pattern, *url;
    bool matches;
  };
  for (const Case& c : {
           Case{"/orders*", "https://shop.example/orders/BL-10422", true},
           Case{"/orders*", "https://shop.example/orders", true},
           Case{"/orders*", "https://shop.example/account/orders", false},
           Case{"/orders/*", "https://shop.example/orders/BL-1?tab=track#top", true},  // the query and fragment do not count
           Case{"/search?q=*", "https://shop.example/search?q=refund", true},          // unless the pattern names a query
           Case{"/account/*/billing", "https://shop.example/account/42/billing", true},
           Case{"/", "https://shop.example", true},
           Case{"/", "https://shop.example/", true},
           Case{"https://shop.example/orders/*", "https://shop.example/orders/BL-1", true},  // a full URL pattern: host and all
           Case{"https://shop.example/orders/*", "https://other.example/orders/BL-1", false},
           Case{"https://*.example/help*", "https://eu.example/help/returns#x", true},
           Case{"/a*b*c", "https://x.example/aXbYc", true},
           Case{"/a*b*c", "https://x.example/aXbYd", false},
       })
    CHECK_MESSAGE(page_matches(c.pattern, c.url) == c.matches, c.pattern, " ~ ", c.url);
  CHECK(page_pattern_error("/orders*").empty());
  CHECK(page_pattern_error("https://shop.example/*").empty());
  CHECK(page_pattern_error("orders") == "page pattern 'orders' must be a path starting with '/' or a full URL (https://...)");
  CHECK(page_pattern_error("javascript:alert(1)") != "");
  // A hostile pattern cannot make matching slow: many stars over a long URL.
  CHECK_FALSE(page_matches("/" + std::string(200, '*') + "x", "https://x.example/" + std::string(2000, 'a')));
}
