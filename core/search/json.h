// The JSON shape of search requests and responses, shared by the CLI, the
// HTTP API and the WebAssembly binding so all three answer alike.
#pragma once

#include <nlohmann/json.hpp>

#include "core/search/searcher.h"

namespace firstfix::search {

// Throws std::invalid_argument naming the offending field.
SearchRequest request_from_json(const nlohmann::json& j);
nlohmann::json to_json(const SearchResponse& r);

}  // namespace firstfix::search
