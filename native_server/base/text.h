// Text from strangers: every byte of a request may be hostile. JSON output
// never throws on bad UTF-8 (nlohmann's dump() does by default, and an
// exception on the I/O thread is a crash); text taken from headers is made
// valid and bounded before anything stores or echoes it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace firstfix::server {

// `j` as compact JSON; invalid UTF-8 inside strings becomes U+FFFD.
inline std::string json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool is_valid_utf8(std::string_view text);
// At most `max_bytes` of `text`, invalid sequences replaced by U+FFFD and
// never cut inside a character; control characters become spaces.
std::string clean_text(std::string_view text, std::size_t max_bytes);
// For log lines and error messages: like clean_text, and marked when cut.
std::string printable(std::string_view text, std::size_t max_bytes = 200);
// A size for people: "5 MB", "256 KB", "100 bytes".
std::string byte_size(std::uint64_t bytes);

}  // namespace firstfix::server
