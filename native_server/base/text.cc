#include "native_server/base/text.h"

#include <unicode/utf8.h>

namespace firstfix::server {

bool is_valid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(std::min<std::size_t>(text.size(), INT32_MAX));
  if (static_cast<std::size_t>(length) != text.size()) return false;
  int32_t i = 0;
  while (i < length) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return false;
  }
  return true;
}

std::string clean_text(std::string_view text, std::size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(std::min<std::size_t>(text.size(), INT32_MAX));
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    std::string_view piece = c < 0 ? kReplacement : text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start));
    if (c >= 0 && (c < 0x20 || c == 0x7f)) piece = " ";
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
  }
  return out;
}

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out = clean_text(text, max_bytes);
  if (out.size() < text.size() && text.size() > max_bytes) out += "…";
  return out;
}

std::string byte_size(std::uint64_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace firstfix::server
