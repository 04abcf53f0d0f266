#include "core/text/luhn.h"

namespace firstfix::text {

bool passes_luhn(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice && (d *= 2) > 9) d -= 9;
    sum += d;
    twice = !twice;
  }
  return !digits.empty() && sum % 10 == 0;
}

}  // namespace firstfix::text
