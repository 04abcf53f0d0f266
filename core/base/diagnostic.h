// A problem found in content, located as file:line:col (1-based), the form
// compilers use so editors and terminals can jump to it.
#pragma once

#include <string>
#include <vector>

namespace firstfix::base {

struct Diagnostic {
  std::string file;
  int line = 1;
  int column = 1;
  std::string message;

  std::string to_string() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
  }
};

using Diagnostics = std::vector<Diagnostic>;

// 1-based line and column of a byte offset in text (column counts bytes).
inline std::pair<int, int> line_column(const std::string& text, size_t offset) {
  int line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') { ++line; column = 1; } else { ++column; }
  }
  return {line, column};
}

}  // namespace firstfix::base
