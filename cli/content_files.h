// Reading a content folder from disk for the compiler.
#pragma once

#include <string>
#include <vector>

#include "core/content/help_center.h"

namespace firstfix::cli {

// Every regular file under `root`, with '/'-separated relative paths, sorted.
// Throws std::runtime_error naming the path that could not be read.
std::vector<content::SourceFile> read_content_dir(const std::string& root);

std::string read_file(const std::string& path);

}  // namespace firstfix::cli
