// A locale's synonyms file: one group of equivalent words or phrases per
// line, comma-separated; '#' starts a comment.
//
//   sign in, log in, login
#pragma once

#include <string>
#include <vector>

#include "core/base/diagnostic.h"

namespace firstfix::content {

struct SynonymGroup {
  std::vector<std::string> terms;  // as written
  int line = 0;
};

struct SynonymFile {
  std::string source;
  std::string locale;
  std::vector<SynonymGroup> groups;
};

SynonymFile parse_synonyms(const std::string& source, const std::string& locale,
                           const std::string& text, base::Diagnostics& diagnostics);

}  // namespace firstfix::content
