// Markdown -> sanitized HTML and plain text, with cmark-gfm (GitHub's
// CommonMark). Native only: the browser receives the compiled HTML.
//
// Safety comes from cmark-gfm's safe mode: raw HTML is dropped and links or
// images with javascript:, vbscript:, file: or non-image data: URLs are
// emptied. Nothing the author writes can add a script or an event handler.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace firstfix::render {

struct Rendered {
  std::string html;      // sanitized HTML fragment
  std::string text;      // plain text of the whole body, blocks separated by '\n'
  std::string headings;  // plain text of the headings only
};

// Called for every link and image destination, with its 1-based position
// relative to the Markdown passed in. Returns the URL to render; the caller
// reports broken links itself.
using LinkRewriter = std::function<std::string(const std::string& url, int line, int column)>;

Rendered render_markdown(std::string_view markdown, const LinkRewriter& rewrite_link);

}  // namespace firstfix::render
