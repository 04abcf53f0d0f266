#include "native_server/base/json_fields.h"

#include <stdexcept>

namespace firstfix::server {

std::string text_field(const nlohmann::json& j, const char* key, std::size_t max_bytes, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw std::invalid_argument(std::string("field '") + key + "' is required");
    return "";
  }
  if (!it->is_string()) throw std::invalid_argument(std::string("field '") + key + "' must be text");
  const std::string& text = it->get_ref<const std::string&>();
  if (text.size() > max_bytes)
    throw std::invalid_argument(std::string("field '") + key + "' is longer than " + std::to_string(max_bytes) + " bytes");
  // Nothing shows a NUL, and PostgreSQL cannot store one in text: refused on every engine alike.
  if (text.find('\0') != std::string::npos) throw std::invalid_argument(std::string("field '") + key + "' contains a NUL character");
  return text;
}

}  // namespace firstfix::server
