// Reading fields of a JSON body a stranger sent: every handler reads text
// fields the same way, with the same reasons when they are wrong.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace firstfix::server {

// The text field `key` of `j`, at most `max_bytes`; "" when absent or null
// and not `required`. Throws std::invalid_argument naming the field (the
// router answers it as 400).
std::string text_field(const nlohmann::json& j, const char* key, std::size_t max_bytes, bool required = true);

}  // namespace firstfix::server
