// A help-center article: Markdown with a YAML front-matter header.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/diagnostic.h"
#include "core/base/id.h"

namespace firstfix::content {

struct Article {
  std::string source;  // path relative to the content root
  std::string id;      // [a-z0-9-]+, unique across the help center
  std::string title;
  std::string locale;
  std::string category;
  std::vector<std::string> tags;
  std::vector<std::string> questions;  // phrasings customers use
  std::vector<std::string> synonyms;   // extra words this article should match
  std::vector<std::string> pages;      // URL patterns ("*" wildcard) to suggest it on
  std::string body;                    // the Markdown after the front matter
  int body_line = 1;                   // line of `source` where `body` starts
  int id_line = 1, id_column = 1;      // where the id is written, for diagnostics
};

// Parses one article. On any error appends diagnostics and returns nullopt.
std::optional<Article> parse_article(const std::string& source, const std::string& text,
                                     base::Diagnostics& diagnostics);

}  // namespace firstfix::content
