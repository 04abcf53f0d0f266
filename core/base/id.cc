#include "core/base/id.h"

namespace firstfix::base {

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 100 || id.front() == '-' || id.back() == '-') return false;
  char prev = 0;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

}  // namespace firstfix::base
