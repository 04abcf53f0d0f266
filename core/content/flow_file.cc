#include "core/content/flow_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/flow/flow.h"

namespace firstfix::content {
namespace {

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
                                        base::Diagnostics& out, const flow::ConnectorCatalog* catalog) {
  try {
    const auto checked = nlohmann::json::parse(text);  // for the error position only
    (void)checked;
  } catch (const nlohmann::json::parse_error& e) {
    auto [line, column] = base::line_column(text, token_start(text, e.byte));
    std::string what = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line L, column C: "
    auto colon = what.find(": ", what.find("parse error"));
    out.push_back({source, line, column,
                   "malformed JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2))});
    return std::nullopt;
  } catch (const nlohmann::json::out_of_range& e) {
    // A number too large for a double ("1e999"): nlohmann names the literal, not its byte.
    std::string what = e.what();
    size_t at = 0;
    const auto open = what.find('\'');
    if (open != std::string::npos) {
      const auto close = what.find('\'', open + 1);
      const auto literal = what.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
      at = std::min(text.find(literal), text.size());
    }
    auto [line, column] = base::line_column(text, at);
    out.push_back({source, line, column, "malformed JSON: a number too large to represent"});
    return std::nullopt;
  }
  auto flow = flow::parse_flow(source, text, out, catalog);
  if (!flow) return std::nullopt;
  FlowFile f;
  f.source = source;
  f.id = flow->id;
  f.title = flow->title;
  f.locale = flow->locale;
  f.requires_identity = flow->requires_identity();
  f.subflow = flow->subflow;
  f.category = flow->category;
  f.intents = flow->intents;
  f.pages = flow->pages;
  f.json = text;
  return f;
}

}  // namespace firstfix::content
