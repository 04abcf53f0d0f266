#include "core/search/json.h"

#include <stdexcept>

namespace firstfix::search {
namespace {

std::string string_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string()) throw std::invalid_argument(std::string("field '") + key + "' must be a string");
  return it->get<std::string>();
}

std::vector<std::string> list_field(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (it->is_string()) return {it->get<std::string>()};
  if (!it->is_array()) throw std::invalid_argument(std::string("field '") + key + "' must be a list of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) throw std::invalid_argument(std::string("field '") + key + "' must be a list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

bool bool_field(const nlohmann::json& j, const char* key, bool fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw std::invalid_argument(std::string("field '") + key + "' must be true or false");
  return it->get<bool>();
}

uint32_t count_field(const nlohmann::json& j, const char* key, uint32_t fallback, uint32_t max) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > max)
    throw std::invalid_argument(std::string("field '") + key + "' must be an integer from 0 to " + std::to_string(max));
  return static_cast<uint32_t>(it->get<int64_t>());
}

}  // namespace

SearchRequest request_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("a search request must be a JSON object");
  SearchRequest r;
  r.query = string_field(j, "q");
  r.locale = string_field(j, "locale");
  r.categories = list_field(j, "category");
  r.tags = list_field(j, "tag");
  r.kind = string_field(j, "kind");
  if (!r.kind.empty() && r.kind != "article" && r.kind != "flow")
    throw std::invalid_argument("field 'kind' must be \"article\" or \"flow\"");
  r.as_you_type = bool_field(j, "as_you_type", false);
  r.spelling = bool_field(j, "spelling", true);
  r.facets = bool_field(j, "facets", true);
  r.offset = count_field(j, "offset", 0, 100000);
  r.limit = count_field(j, "limit", 10, kMaxLimit);
  return r;
}

nlohmann::json to_json(const SearchResponse& r) {
  nlohmann::json hits = nlohmann::json::array();
  for (const auto& h : r.hits) {
    hits.push_back({{"id", h.id},
                    {"kind", h.kind},
                    {"title", h.title},
                    {"title_html", h.title_html},
                    {"locale", h.locale},
                    {"category", h.category},
                    {"url", h.url},
                    {"snippet_html", h.snippet_html},
                    {"score", h.score}});
  }
  nlohmann::json categories = nlohmann::json::array();
  for (const auto& [name, count] : r.categories) categories.push_back({{"name", name}, {"count", count}});
  return {{"query", r.query},
          {"locale", r.locale},
          {"corrected", r.corrected.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.corrected)},
          {"total", r.total},
          {"offset", r.offset},
          {"limit", r.limit},
          {"results", hits},
          {"categories", categories}};
}

}  // namespace firstfix::search
