// An article as an editor writes it: YAML front matter, then Markdown,
// parsed and rendered (cmark-gfm) as the compiler does.
#include <cstdint>
#include <string>

#include "core/base/diagnostic.h"
#include "core/content/article.h"
#include "core/render/markdown.h"
#include "tests/fuzz/fuzz_input.h"

using namespace firstfix;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string source(fuzz::text(data, size));
  base::Diagnostics diagnostics;
  auto article = content::parse_article("fuzz.md", source, diagnostics);
  for (const auto& d : diagnostics) (void)d.to_string();
  const auto rewrite = [](const std::string& url, int, int) { return url; };
  render::render_markdown(article ? article->body : source, rewrite);
  return 0;
}
