// The firstfix subcommands. Each returns the process exit code:
// 0 success, 1 the input has problems (reported), 2 usage or I/O error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace firstfix::cli {

// Flows are held to the demo back office's connectors and to the operations
// `connectors_file` (optional) declares.
int check_command(const std::string& content_dir, const std::string& connectors_file = "");
int build_command(const std::string& content_dir, const std::string& out_dir, bool quiet, const std::string& connectors_file = "");
// `firstfix publish`: compiles the content and stores it in the database as the version every server serves.
int publish_command(const std::string& content_dir, const std::string& database);

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
  std::string database = "sqlite:";
  std::string widget_dir;  // empty: build/widget beside the binary's build tree
  std::string connectors_file;  // optional: webhook endpoints (YAML)
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  bool demo = false;        // the demo back office, demo logins, demo events, /demo/outbox
  bool demo_events = true;  // with --demo: a month of demo events when the events store is empty
  std::string public_url;   // https://help.example.com: Secure cookies, the agent sockets' Origin
  std::vector<std::string> trust_proxy;  // peers whose X-Forwarded-For names the client
  std::vector<std::string> limits;       // NAME=PER_MINUTE[/BURST]
  std::size_t max_connections = 10000;
  std::string log_level = "info";
  bool print_routes = false;  // print the route table as JSON and exit
  bool watch = false;         // publish the content again whenever its folder changes (SIGHUP always does)
};
int serve_command(const ServeOptions& options, const std::string& program_path);

struct StaffOptions {
  std::string action;  // add, remove, list, passwd
  std::string data_dir = ".firstfix-data";
  std::string database = "sqlite:";
  std::string email, name, role = "agent";
};
// Staff accounts in the --database serve uses (DATA/firstfix.db by default); passwords are read from the terminal
// (without echo) or from stdin, never from the command line.
int staff_command(const StaffOptions& options);

int analyze_command(const std::string& locale, bool json);

struct ReportOptions {
  std::string data_dir = ".firstfix-data";
  std::string database = "sqlite:";
  std::string from, to;  // YYYY-MM-DD; default: the last 30 days
  std::string locale, category;
  bool json = false;
  bool csv = false;
};
// Prints the same figures as the reports page (and its CSV export).
int report_command(const ReportOptions& options);

struct SuggestOptions {
  std::string data_dir = ".firstfix-data";
  std::string database = "sqlite:";
  std::string content_dir = "content";
  std::string from, to, locale;  // default: the last 90 days, every language
  std::int64_t min_visitors = 5;
  double min_confidence = 0.35;
  bool json = false;
  std::vector<std::string> apply, dismiss, revert;
  std::string phrasing;  // the editor's wording, with one --apply
  bool force = false;    // accept even what would move a first-ranked phrasing off the top
  std::string editor;    // for the audit; default: cli:$USER
  // Off (0) unless set: accepts every question at least this confident that
  // ranks its target first and moves no phrasing customers find first off the top.
  double auto_accept = 0;
};
// Lists search-learning suggestions, or decides some: --apply edits the content files.
int suggest_command(const SuggestOptions& options);

struct DemoEventsOptions {
  std::string content_dir = "content";
  std::string data_dir = ".firstfix-data";
  std::string database = "sqlite:";
  int days = 30;
  unsigned seed = 20261125;
};
// Builds the content into DATA/dist and adds a realistic month of events.
int demo_events_command(const DemoEventsOptions& options);

}  // namespace firstfix::cli
