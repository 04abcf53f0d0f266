#include "core/base/page_pattern.h"
#include "core/content/article.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "core/text/analyzer.h"

namespace firstfix::content {
namespace {

// Splits "---\n<yaml>---\n<body>". Returns false if there is no header.
struct Split {
  std::string yaml;
  std::string body;
  int body_line = 1;
};

bool is_delimiter(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  return line == "---";
}

std::optional<Split> split_front_matter(const std::string& text, const std::string& source,
                                        base::Diagnostics& out) {
  size_t pos = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;  // UTF-8 byte order mark
  size_t eol = text.find('\n', pos);
  if (eol == std::string::npos || !is_delimiter(std::string_view(text).substr(pos, eol - pos))) {
    out.push_back({source, 1, 1, "missing front matter: the file must start with a line '---'"});
    return std::nullopt;
  }
  int line = 2;
  size_t start = eol + 1;
  for (size_t p = start; p < text.size(); ++line) {
    size_t e = text.find('\n', p);
    size_t end = e == std::string::npos ? text.size() : e;
    if (is_delimiter(std::string_view(text).substr(p, end - p))) {
      Split s;
      s.yaml = text.substr(start, p - start);
      s.body = e == std::string::npos ? std::string() : text.substr(e + 1);
      s.body_line = line + 1;
      return s;
    }
    if (e == std::string::npos) break;
    p = e + 1;
  }
  out.push_back({source, 1, 1, "front matter is not closed: expected a line '---' after the header"});
  return std::nullopt;
}

class FieldReader {
 public:
  FieldReader(const std::string& source, base::Diagnostics& out) : source_(source), out_(out) {}

  void error(const YAML::Mark& mark, std::string message) {
    // +2: YAML lines are 0-based and the header starts after the first '---'.
    out_.push_back({source_, mark.line + 2, mark.column + 1, std::move(message)});
    ok_ = false;
  }

  std::string string(const YAML::Node& node, const std::string& field) {
    if (!node.IsScalar()) {
      error(node.Mark(), "field '" + field + "' must be a string");
      return {};
    }
    std::string value = node.as<std::string>();
    if (value.empty()) error(node.Mark(), "field '" + field + "' must not be empty");
    return value;
  }

  std::vector<std::string> list(const YAML::Node& node, const std::string& field) {
    std::vector<std::string> values;
    if (!node.IsSequence()) {
      error(node.Mark(), "field '" + field + "' must be a list of strings");
      return values;
    }
    for (const auto& item : node) {
      if (!item.IsScalar() || item.as<std::string>().empty()) {
        error(item.Mark(), "field '" + field + "' must contain only non-empty strings");
        continue;
      }
      values.push_back(item.as<std::string>());
    }
    return values;
  }

  bool ok() const { return ok_; }

 private:
  const std::string& source_;
  base::Diagnostics& out_;
  bool ok_ = true;
};

}  // namespace


std::optional<Article> parse_article(const std::string& source, const std::string& text,
                                     base::Diagnostics& out) {
  auto split = split_front_matter(text, source, out);
  if (!split) return std::nullopt;

  YAML::Node root;
  try {
    root = YAML::Load(split->yaml);
  } catch (const YAML::ParserException& e) {
    out.push_back({source, e.mark.line + 2, e.mark.column + 1, "malformed front matter: " + e.msg});
    return std::nullopt;
  }
  if (!root.IsMap()) {
    out.push_back({source, 2, 1, "front matter must be a mapping of fields (id: ..., title: ...)"});
    return std::nullopt;
  }

  Article a;
  a.source = source;
  a.body = std::move(split->body);
  a.body_line = split->body_line;
  FieldReader r(source, out);
  std::set<std::string> seen;
  for (const auto& kv : root) {
    const std::string key = kv.first.IsScalar() ? kv.first.as<std::string>() : std::string();
    const YAML::Node& value = kv.second;
    seen.insert(key);
    if (key == "id") {
      a.id = r.string(value, key);
      a.id_line = value.Mark().line + 2;
      a.id_column = value.Mark().column + 1;
      if (!a.id.empty() && !base::is_valid_id(a.id))
        r.error(value.Mark(), "invalid id '" + a.id + "': use lower-case letters, digits and single hyphens");
    } else if (key == "title") {
      a.title = r.string(value, key);
    } else if (key == "locale") {
      a.locale = r.string(value, key);
      if (!a.locale.empty() && !text::find_locale(a.locale))
        r.error(value.Mark(), "unknown locale '" + a.locale + "'");
    } else if (key == "category") {
      a.category = r.string(value, key);
    } else if (key == "tags") {
      a.tags = r.list(value, key);
    } else if (key == "questions") {
      a.questions = r.list(value, key);
    } else if (key == "synonyms") {
      a.synonyms = r.list(value, key);
    } else if (key == "pages") {
      a.pages = r.list(value, key);
      for (const auto& p : a.pages)
        if (const std::string why = base::page_pattern_error(p); !why.empty()) r.error(value.Mark(), why);
    } else {
      r.error(kv.first.Mark(), "unknown field '" + key +
                                   "' (expected id, title, locale, category, tags, questions, synonyms, pages)");
    }
  }
  for (const char* required : {"id", "title", "locale", "category"})
    if (!seen.count(required)) r.error(root.Mark(), std::string("missing required field '") + required + "'");
  if (!r.ok()) return std::nullopt;
  return a;
}

}  // namespace firstfix::content
