#include "core/content/flow_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/content/article.h"
#include "core/text/analyzer.h"

namespace firstfix::content {
namespace {

// Position of a top-level key in the JSON text, for diagnostics: the first
// occurrence of "key" followed by ':'; the file start if not found.
std::pair<int, int> key_position(const std::string& text, const std::string& key) {
  const std::string quoted = "\"" + key + "\"";
  for (size_t p = text.find(quoted); p != std::string::npos; p = text.find(quoted, p + 1)) {
    size_t q = text.find_first_not_of(" \t\r\n", p + quoted.size());
    if (q != std::string::npos && text[q] == ':') return line_column(text, p);
  }
  return {1, 1};
}

// nlohmann reports the byte after the offending token; editors want its start.
size_t token_start(const std::string& text, size_t byte_after) {
  if (byte_after == 0 || byte_after > text.size()) return std::min(byte_after, text.size());
  size_t pos = byte_after - 1;
  if (text[pos] == '"') {
    while (pos > 0 && !(text[pos - 1] == '"' && (pos < 2 || text[pos - 2] != '\\'))) --pos;
    return pos > 0 ? pos - 1 : 0;
  }
  while (pos > 0 && std::isalnum(static_cast<unsigned char>(text[pos - 1]))) --pos;
  return pos;
}

}  // namespace

std::optional<FlowFile> parse_flow_file(const std::string& source, const std::string& text,
                                        Diagnostics& out) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    auto [line, column] = line_column(text, token_start(text, e.byte));
    std::string what = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line L, column C: "
    auto colon = what.find(": ", what.find("parse error"));
    out.push_back({source, line, column,
                   "malformed JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2))});
    return std::nullopt;
  }
  if (!doc.is_object()) {
    out.push_back({source, 1, 1, "a flow must be a JSON object"});
    return std::nullopt;
  }
  FlowFile f;
  f.source = source;
  f.json = text;
  bool ok = true;
  auto required_string = [&](const char* key, std::string& into) {
    auto it = doc.find(key);
    if (it == doc.end()) {
      out.push_back({source, 1, 1, std::string("missing required field '") + key + "'"});
      ok = false;
    } else if (!it->is_string() || it->get<std::string>().empty()) {
      auto [line, column] = key_position(text, key);
      out.push_back({source, line, column, std::string("field '") + key + "' must be a non-empty string"});
      ok = false;
    } else {
      into = it->get<std::string>();
    }
  };
  required_string("id", f.id);
  required_string("title", f.title);
  required_string("locale", f.locale);
  if (!f.id.empty() && !is_valid_id(f.id)) {
    auto [line, column] = key_position(text, "id");
    out.push_back({source, line, column, "invalid id '" + f.id + "': use lower-case letters, digits and single hyphens"});
    ok = false;
  }
  if (!f.locale.empty() && !text::find_locale(f.locale)) {
    auto [line, column] = key_position(text, "locale");
    out.push_back({source, line, column, "unknown locale '" + f.locale + "'"});
    ok = false;
  }
  if (auto it = doc.find("intents"); it != doc.end()) {
    if (!it->is_array()) {
      auto [line, column] = key_position(text, "intents");
      out.push_back({source, line, column, "field 'intents' must be a list of strings"});
      ok = false;
    } else {
      for (const auto& i : *it) {
        if (i.is_string()) {
          f.intents.push_back(i.get<std::string>());
        } else {
          auto [line, column] = key_position(text, "intents");
          out.push_back({source, line, column, "field 'intents' must contain only strings"});
          ok = false;
        }
      }
    }
  }
  if (!ok) return std::nullopt;
  return f;
}

}  // namespace firstfix::content
