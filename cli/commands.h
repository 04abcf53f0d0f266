// The firstfix subcommands. Each returns the process exit code:
// 0 success, 1 the input has problems (reported), 2 usage or I/O error.
#pragma once

#include <string>
#include <vector>

namespace firstfix::cli {

int check_command(const std::string& content_dir);
int build_command(const std::string& content_dir, const std::string& out_dir, bool quiet);

struct SearchOptions {
  std::string index_dir;
  std::string locale;
  std::vector<std::string> categories;
  unsigned limit = 10;
  bool json = false;
  bool batch = false;
  bool as_you_type = false;
  std::string query;
};
int search_command(const SearchOptions& options);

struct ServeOptions {
  std::string content_dir = "content";
  std::string data_dir = ".firstfix-data";
  std::string widget_dir;  // empty: build/widget beside the binary's build tree
  std::string connectors_file;  // optional: webhook endpoints (YAML)
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
};
int serve_command(const ServeOptions& options, const std::string& program_path);

int analyze_command(const std::string& locale, bool json);

}  // namespace firstfix::cli
