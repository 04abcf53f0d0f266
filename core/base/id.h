// Ids of articles and flows: lower-case ASCII letters, digits and single
// hyphens, as they appear in URLs. Shared by both builds.
#pragma once

#include <string_view>

namespace firstfix::base {

bool is_valid_id(std::string_view id);

}  // namespace firstfix::base
