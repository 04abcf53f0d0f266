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
  bool demo_events = true;  // a month of demo events when the events store is empty
};
int serve_command(const ServeOptions& options, const std::string& program_path);

int analyze_command(const std::string& locale, bool json);

struct ReportOptions {
  std::string data_dir = ".firstfix-data";
  std::string from, to;  // YYYY-MM-DD; default: the last 30 days
  std::string locale, category;
  bool json = false;
  bool csv = false;
};
// Prints the same figures as the reports page (and its CSV export).
int report_command(const ReportOptions& options);

struct DemoEventsOptions {
  std::string content_dir = "content";
  std::string data_dir = ".firstfix-data";
  int days = 30;
  unsigned seed = 20261125;
};
// Builds the content into DATA/dist and adds a realistic month of events.
int demo_events_command(const DemoEventsOptions& options);

}  // namespace firstfix::cli
