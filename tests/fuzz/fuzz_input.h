// What the fuzz targets share: the input as text, split in parts at a
// separator line (so one input can carry, say, a flow and its answers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace firstfix::fuzz {

inline std::string_view text(const uint8_t* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

// `input` split at each "\n----\n".
inline std::vector<std::string_view> parts(std::string_view input) {
  std::vector<std::string_view> out;
  constexpr std::string_view kSeparator = "\n----\n";
  for (size_t at; (at = input.find(kSeparator)) != std::string_view::npos; input.remove_prefix(at + kSeparator.size()))
    out.push_back(input.substr(0, at));
  out.push_back(input);
  return out;
}

}  // namespace firstfix::fuzz
