// firstfix: compile, check and search a help center; serve it.
#include <CLI/CLI.hpp>
#include <xapian.h>

#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"firstfix: self-service help that resolves problems on first contact.\n"
               "Compile a content folder (Markdown articles, JSON flows, synonyms) into a search\n"
               "index, check it for problems, and search it.",
               "firstfix"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "firstfix 0.1.0");

  std::string content_dir = "content";
  auto* check = app.add_subcommand("check", "Validate a content folder; print each problem as file:line:col: message.\n"
                                            "Exit status 1 if there is any problem, 0 otherwise.");
  check->add_option("CONTENT_DIR", content_dir, "content folder")->capture_default_str();
  std::string check_connectors;
  check->add_option("--connectors", check_connectors,
                    "connectors file: flows are also held to the outcomes its webhooks' operations declare (secrets not needed)")
      ->check(CLI::ExistingFile);

  std::string out_dir;
  bool quiet = false;
  auto* build = app.add_subcommand("build", "Compile a content folder into OUT_DIR: a single-file Xapian index,\n"
                                            "sanitized article HTML and a manifest. The same input gives the same\n"
                                            "bytes; a failed build leaves the previous OUT_DIR untouched.");
  build->add_option("CONTENT_DIR", content_dir, "content folder")->capture_default_str();
  build->add_option("-o,--output", out_dir, "output folder")->required();
  build->add_flag("-q,--quiet", quiet, "print nothing on success");

  firstfix::cli::SearchOptions so;
  auto* search = app.add_subcommand("search", "Search a built index.\n"
                                              "Query syntax: words, \"quoted phrases\", -excluded words.");
  search->add_option("--index", so.index_dir, "folder written by `firstfix build`")->required();
  search->add_option("--locale", so.locale, "locale to search (default: the help center's default)");
  search->add_option("--category", so.categories, "only these categories (repeatable)");
  search->add_option("--limit", so.limit, "results to show (1-100)")->check(CLI::Range(1, 100))->capture_default_str();
  search->add_flag("--json", so.json, "print the full response as JSON");
  search->add_flag("--prefix", so.as_you_type, "treat the last word as a prefix, as the widget does while typing");
  search->add_flag("--batch", so.batch,
                   "read ID<TAB>QUERY lines from stdin; write one JSON line per query:\n"
                   "{\"id\": ID, \"results\": [{\"id\": ..., \"score\": ...}], \"corrected\": ...}");
  search->add_option("QUERY", so.query, "the query (not with --batch)");

  firstfix::cli::ServeOptions serve_options;
  auto* serve = app.add_subcommand("serve", "Build CONTENT and serve it: the demo help center with the widget, the\n"
                                            "widget's files and the search API. Stops cleanly on SIGTERM or Ctrl-C.");
  serve->add_option("--content", serve_options.content_dir, "content folder")->capture_default_str();
  serve->add_option("--data", serve_options.data_dir, "folder for the compiled content and the database")->capture_default_str();
  serve->add_option("--database", serve_options.database,
                    "where sessions, chat, staff and the outbox live: sqlite: (firstfix.db in --data) or a postgresql://\n"
                    "URL that several servers share")->capture_default_str();
  serve->add_option("--widget", serve_options.widget_dir, "built widget files (default: build/widget)");
  serve->add_flag("--watch", serve_options.watch,
                  "publish the content again, without a restart, whenever the --content folder changes (SIGHUP always does)");
  serve->add_option("--connectors", serve_options.connectors_file,
                    "YAML file of webhook endpoints that flows' actions call (webhook.<endpoint>.<operation>)")->check(CLI::ExistingFile);
  serve->add_option("--host", serve_options.host, "address to listen on")->capture_default_str();
  serve->add_option("--port", serve_options.port, "port to listen on (0: any free port)")->capture_default_str();

  serve->add_flag("--demo", serve_options.demo,
                  "the demo: its back office (the sample flows' demo.* connector), the README's demo logins, a month of\n"
                  "demo events for the reports page and /demo/outbox. Never on a real deployment.");
  serve->add_flag("!--no-demo-events", serve_options.demo_events,
                  "with --demo: do not add a month of demo events to an empty events store");
  serve->add_option("--public-url", serve_options.public_url,
                    "where customers reach this server, e.g. https://help.example.com (https: Secure staff cookies;\n"
                    "the only Origin agent sockets accept)");
  serve->add_option("--trust-proxy", serve_options.trust_proxy,
                    "address of a reverse proxy whose X-Forwarded-For names the client (repeatable)");
  serve->add_option("--limit", serve_options.limits,
                    "a per-client rate limit, NAME=PER_MINUTE[/BURST] (repeatable); names: search, login, conversations,\n"
                    "messages, uploads, events (defaults in the README)");
  serve->add_option("--max-connections", serve_options.max_connections, "open connections at most")
      ->check(CLI::Range(16, 1000000))->capture_default_str();
  serve->add_flag("--print-routes", serve_options.print_routes, "print the route table as JSON and exit");
  serve->add_option("--log-level", serve_options.log_level, "debug, info, warn, error or off (JSON lines on stderr)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}))->capture_default_str();

  firstfix::cli::StaffOptions staff_options;
  auto* staff = app.add_subcommand("staff", "Staff accounts that log in to the agent console (agent) and the reports (editor).\n"
                                            "Passwords are read from the terminal, or from stdin when it is not one.");
  staff->require_subcommand(1);
  for (const char* action : {"add", "remove", "list", "passwd"}) {
    auto* sub = staff->add_subcommand(action, std::string(action) == "add"      ? "add an account, or replace one with the same email"
                                              : std::string(action) == "remove" ? "remove an account and end its sessions"
                                              : std::string(action) == "list"   ? "list the accounts: email, role, name"
                                                                                : "set a new password and end the account's sessions");
    sub->add_option("--data", staff_options.data_dir, "the data folder `firstfix serve` uses")->capture_default_str();
    sub->add_option("--database", staff_options.database, "the --database `firstfix serve` uses")->capture_default_str();
    if (std::string(action) != "list") sub->add_option("--email", staff_options.email, "the account's email")->required();
    if (std::string(action) == "add") {
      sub->add_option("--role", staff_options.role, "agent or editor")->check(CLI::IsMember({"agent", "editor"}))->capture_default_str();
      sub->add_option("--name", staff_options.name, "the name customers and colleagues see (default: the email)");
    }
    sub->callback([&staff_options, action] { staff_options.action = action; });
  }

  firstfix::cli::ReportOptions ro;
  auto* report = app.add_subcommand("report", "Print the search-success and resolution figures for a date range: the same\n"
                                              "figures as the reports page (/reports) and its CSV export.");
  report->add_option("--data", ro.data_dir, "the data folder `firstfix serve` uses")->capture_default_str();
  report->add_option("--database", ro.database, "the --database `firstfix serve` uses")->capture_default_str();
  report->add_option("--from", ro.from, "first day, YYYY-MM-DD (default: 29 days before --to)");
  report->add_option("--to", ro.to, "last day, YYYY-MM-DD (default: today, UTC)");
  report->add_option("--locale", ro.locale, "only visits in this language");
  report->add_option("--category", ro.category, "only visits about this category");
  report->add_flag("--json", ro.json, "print the full report as JSON (as GET /api/v1/reports)");
  report->add_flag("--csv", ro.csv, "print the CSV export (as GET /api/v1/reports.csv)");

  firstfix::cli::SuggestOptions sg;
  auto* suggest = app.add_subcommand("suggest", "Search learning: list what the customers' resolved searches suggest (a question\n"
                                                "to add to an article or flow, with its rank today and with it; a gap to write\n"
                                                "for), or decide: --apply edits the content files, --revert undoes that.");
  suggest->add_option("--data", sg.data_dir, "the data folder `firstfix serve` uses")->capture_default_str();
  suggest->add_option("--database", sg.database, "the --database `firstfix serve` uses")->capture_default_str();
  suggest->add_option("--content", sg.content_dir, "the content folder (accepted questions are written there)")->capture_default_str();
  suggest->add_option("--from", sg.from, "first day of evidence, YYYY-MM-DD (default: 89 days before --to)");
  suggest->add_option("--to", sg.to, "last day, YYYY-MM-DD (default: today, UTC)");
  suggest->add_option("--locale", sg.locale, "only searches in this language");
  suggest->add_option("--min-visitors", sg.min_visitors, "distinct visitors a suggestion needs (k)")->check(CLI::Range(1, 1000000))->capture_default_str();
  suggest->add_option("--min-confidence", sg.min_confidence, "lower bound of the share of the query's searches the target resolved")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  suggest->add_flag("--json", sg.json, "print JSON (the Suggestions tab's API answer)");
  suggest->add_option("--apply", sg.apply, "accept these suggestions (ids): their questions join the content files");
  suggest->add_option("--phrasing", sg.phrasing, "with one --apply: the editor's wording of the question");
  suggest->add_flag("--force", sg.force, "with --apply: accept even a question that would move a phrasing customers already find first off the top");
  suggest->add_option("--dismiss", sg.dismiss, "dismiss these suggestions (ids)");
  suggest->add_option("--revert", sg.revert, "undo these accepted suggestions (ids)");
  suggest->add_option("--editor", sg.editor, "who decides, for the audit (default: cli:$USER)");
  suggest->add_option("--auto-accept", sg.auto_accept,
                      "accept, without an editor, every question at least this confident (0-1) that ranks its target first and "
                      "moves no phrasing customers already find first (off unless given; audited as auto-accept)")
      ->check(CLI::Range(0.01, 1.0));

  firstfix::cli::DemoEventsOptions deo;
  auto* demo = app.add_subcommand("demo-events", "Add a realistic month of widget events for the content, so the reports page\n"
                                                 "has figures at once. Visit ids start with demo-.");
  demo->add_option("--content", deo.content_dir, "content folder")->capture_default_str();
  demo->add_option("--data", deo.data_dir, "the data folder `firstfix serve` uses")->capture_default_str();
  demo->add_option("--database", deo.database, "the --database `firstfix serve` uses")->capture_default_str();
  demo->add_option("--days", deo.days, "days of events, ending today")->check(CLI::Range(1, 3660))->capture_default_str();
  demo->add_option("--seed", deo.seed, "random seed (the same seed gives the same events)")->capture_default_str();

  std::string publish_content = "content", publish_database;
  auto* publish = app.add_subcommand("publish", "Compile a content folder and publish it to every server sharing a PostgreSQL\n"
                                                "database: each takes it within moments, without a restart; a server that\n"
                                                "starts later serves it too.");
  publish->add_option("--content", publish_content, "content folder")->capture_default_str();
  publish->add_option("--database", publish_database, "the postgresql:// URL the servers use (--database)")->required();

  std::string locale = "en";
  bool analyze_json = false;
  auto* analyze = app.add_subcommand("analyze", "Print the search terms the analyzer makes of each line of stdin.");
  analyze->add_option("--locale", locale, "locale of the text")->capture_default_str();
  analyze->add_flag("--json", analyze_json, "one JSON array per line: [word, stem, begin, end, stop]");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (*check) return firstfix::cli::check_command(content_dir, check_connectors);
    if (*build) return firstfix::cli::build_command(content_dir, out_dir, quiet);
    if (*search) {
      if (so.batch == !so.query.empty()) {
        std::cerr << "firstfix search: give either a QUERY or --batch\n";
        return 2;
      }
      return firstfix::cli::search_command(so);
    }
    if (*analyze) return firstfix::cli::analyze_command(locale, analyze_json);
    if (*serve) return firstfix::cli::serve_command(serve_options, argv[0]);
    if (*report) {
      if (ro.json && ro.csv) {
        std::cerr << "firstfix report: give --json or --csv, not both\n";
        return 2;
      }
      return firstfix::cli::report_command(ro);
    }
    if (*demo) return firstfix::cli::demo_events_command(deo);
    if (*suggest) return firstfix::cli::suggest_command(sg);
    if (*staff) return firstfix::cli::staff_command(staff_options);
    if (*publish) return firstfix::cli::publish_command(publish_content, publish_database);
  } catch (const Xapian::Error& e) {
    std::cerr << "firstfix: " << e.get_description() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "firstfix: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
