// Writes a compiled help center as a single-file Xapian database. Native
// only: Xapian cannot open a writable database in WebAssembly.
#pragma once

#include <string>

#include "core/content/help_center.h"

namespace firstfix::search {

// Builds the index in `scratch_dir` (created, then left for the caller to
// remove) and compacts it into the single file `output_path`. The same help
// center gives the same bytes.
void write_index(const content::HelpCenter& help_center, const std::string& scratch_dir,
                 const std::string& output_path);

}  // namespace firstfix::search
