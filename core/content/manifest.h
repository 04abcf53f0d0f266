// The manifest of a compiled help center: what the widget and the server
// read to find articles, flows and the index without opening the index.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/content/help_center.h"

namespace firstfix::content {

// A short content hash (64-bit FNV-1a, hex) for cache-busting file names.
std::string content_hash(std::string_view bytes);

// Paths in the output folder.
inline constexpr std::string_view kIndexFile = "index.db";
inline constexpr std::string_view kManifestFile = "manifest.json";
std::string article_html_path(const std::string& id);  // "articles/<id>.html"
std::string flow_json_path(const std::string& id);     // "flows/<id>.json"

// Deterministic: no time stamps, keys and lists in a fixed order.
nlohmann::json make_manifest(const HelpCenter& hc, uint64_t index_bytes, const std::string& index_hash);

}  // namespace firstfix::content
