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

// Compiles the content folder `dir` into `out`; prints every problem as
// file:line:col and returns false if there was any.
bool compile_content_dir(const std::string& dir, content::HelpCenter& out, const std::string& connectors_file = "");

}  // namespace firstfix::cli
