// Where each value of a JSON text is written: JSON pointer -> line:column,
// so checks on parsed JSON can report file:line:col (nlohmann/json keeps no
// positions). Call only on text that parsed.
#pragma once

#include <map>
#include <string>
#include <utility>

namespace firstfix::base {

class JsonPositions {
 public:
  explicit JsonPositions(const std::string& text);
  // The position of the value at `pointer` ("/steps/ask/fields/0/type"), or
  // of the nearest enclosing value that exists; 1:1 for the root.
  std::pair<int, int> at(std::string pointer) const;

 private:
  std::map<std::string, std::pair<int, int>> positions_;
};

// "/a/b" + "c~d" -> "/a/b/c~0d" (RFC 6901 escaping).
std::string json_pointer_child(const std::string& parent, const std::string& key);

}  // namespace firstfix::base
