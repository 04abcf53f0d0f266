#include "core/render/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <memory>

namespace firstfix::render {
namespace {

struct ParserDeleter { void operator()(cmark_parser* p) const { cmark_parser_free(p); } };
struct NodeDeleter { void operator()(cmark_node* n) const { cmark_node_free(n); } };
struct IterDeleter { void operator()(cmark_iter* i) const { cmark_iter_free(i); } };

// Every block ends a line of the plain text, extensions' blocks too: a
// table's cells and rows would otherwise run together ("ShippedWe send").
bool is_block(cmark_node_type t) { return (t & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK; }

}  // namespace

Rendered render_markdown(std::string_view markdown, const LinkRewriter& rewrite_link) {
  cmark_gfm_core_extensions_ensure_registered();
  const int options = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
  std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(options));
  for (const char* name : {"table", "strikethrough", "autolink", "tagfilter"})
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser.get(), ext);
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  std::unique_ptr<cmark_node, NodeDeleter> root(cmark_parser_finish(parser.get()));

  Rendered out;
  int heading_depth = 0;
  std::unique_ptr<cmark_iter, IterDeleter> it(cmark_iter_new(root.get()));
  for (cmark_event_type ev; (ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE;) {
    cmark_node* node = cmark_iter_get_node(it.get());
    cmark_node_type type = cmark_node_get_type(node);
    if (ev == CMARK_EVENT_ENTER) {
      if (type == CMARK_NODE_HEADING) ++heading_depth;
      if ((type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE) && rewrite_link) {
        const char* url = cmark_node_get_url(node);
        std::string rewritten = rewrite_link(url ? url : "", cmark_node_get_start_line(node),
                                             cmark_node_get_start_column(node));
        cmark_node_set_url(node, rewritten.c_str());
      }
      const char* literal = nullptr;
      if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE || type == CMARK_NODE_CODE_BLOCK)
        literal = cmark_node_get_literal(node);
      if (literal) {
        out.text += literal;
        if (heading_depth) out.headings += literal;
      } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
        out.text += ' ';
        if (heading_depth) out.headings += ' ';
      }
    } else if (ev == CMARK_EVENT_EXIT) {
      if (type == CMARK_NODE_HEADING) {
        --heading_depth;
        out.headings += '\n';
      }
      if (is_block(type) && !out.text.empty() && out.text.back() != '\n') out.text += '\n';
    }
  }
  char* html = cmark_render_html(root.get(), options, cmark_parser_get_syntax_extensions(parser.get()));
  out.html = html;
  std::free(html);
  while (!out.text.empty() && out.text.back() == '\n') out.text.pop_back();
  return out;
}

}  // namespace firstfix::render
