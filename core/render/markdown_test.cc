#include "core/render/markdown.h"

#include <doctest/doctest.h>

namespace firstfix::render {

TEST_CASE("plain text ends a line at every block, tables' cells and rows included") {
  const auto r = render_markdown(
      "# Track it\n\nFirst *this*.\n\n| Status | Meaning |\n|---|---|\n| Shipped | We send it. |\n| Delivered | It is there. |\n\n"
      "- one\n- two\n",
      nullptr);
  CHECK(r.text == "Track it\nFirst this.\nStatus\nMeaning\nShipped\nWe send it.\nDelivered\nIt is there.\none\ntwo");
  CHECK(r.headings == "Track it\n");
  CHECK(r.html.find("<table>") != std::string::npos);
}

TEST_CASE("raw HTML and script URLs never reach the HTML") {
  const auto r = render_markdown("Hi <script>alert(1)</script> [x](javascript:alert(1))\n", nullptr);
  CHECK(r.html.find("<script") == std::string::npos);
  CHECK(r.html.find("javascript:") == std::string::npos);
}

}  // namespace firstfix::render
