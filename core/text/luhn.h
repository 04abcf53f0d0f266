// The Luhn check digit that every payment card number carries: how the
// demo back office refuses a mistyped card and how the reports' scrubber
// tells a card number from any other long number.
#pragma once

#include <string_view>

namespace firstfix::text {

// `digits` holds only '0'-'9'.
bool passes_luhn(std::string_view digits);

}  // namespace firstfix::text
