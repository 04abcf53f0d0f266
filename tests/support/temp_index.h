// Builds a real index from in-memory content files in a temporary folder,
// for tests of the compiler and the searcher.
#pragma once

#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/content/help_center.h"
#include "core/search/index_writer.h"

namespace firstfix::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("firstfix-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string article(const std::string& id, const std::string& title, const std::string& body,
                           const std::string& extra = "", const std::string& locale = "en",
                           const std::string& category = "General") {
  return "---\nid: " + id + "\ntitle: " + title + "\nlocale: " + locale + "\ncategory: " + category + "\n" +
         extra + "---\n" + body + "\n";
}

// Compiles `files` (which must have no problems) and writes the index.
inline std::string build_index(const TempDir& dir, const std::vector<content::SourceFile>& files) {
  base::Diagnostics diagnostics;
  auto hc = content::compile_help_center(files, diagnostics);
  if (!diagnostics.empty()) throw std::runtime_error("fixture has problems: " + diagnostics[0].to_string());
  std::filesystem::create_directories(dir.path() / "scratch");
  const std::string out = (dir.path() / "index.db").string();
  search::write_index(hc, (dir.path() / "scratch").string(), out);
  return out;
}

}  // namespace firstfix::testing
