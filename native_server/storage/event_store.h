// The reports' store: the widget's events as they arrived, and a summary of
// each visit (core/metrics/visit.h) kept up to date as its events arrive,
// so a report is a sum over summaries however many events there are. Kept
// apart from the conversation store (with SQLite, its own file, events.db)
// because it grows by millions of rows. Two engines: SQLite
// (sqlite_event_store.cc) and PostgreSQL (postgres_event_store.cc).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/content/suggested.h"
#include "core/metrics/event.h"
#include "core/metrics/learning.h"
#include "core/metrics/visit.h"

namespace firstfix::server {

struct ReportFilter {
  std::string from, to;  // YYYY-MM-DD, inclusive, by the visit's (UTC) day
  std::string locale;    // "" = all
  std::string category;  // "" = all; else the visits whose topic it is
};

// A visit has at most this many events; more are not stored. The widget
// sends a few dozen in a long visit: a thousand is a script, or a loop.
constexpr std::size_t kMaxEventsPerVisit = 1000;

struct IngestResult {
  size_t accepted = 0;
  size_t duplicates = 0;  // already stored under the same id: counted once
  size_t over_cap = 0;    // not stored: their visit has kMaxEventsPerVisit events already
};

// Search learning's evidence: per query form, what its searches came to and what was typed.
struct SearchOutcomes {
  std::vector<metrics::QueryOutcome> outcomes;
  std::vector<metrics::QueryPhrasing> phrasings;
};

// An editor's decision on a search-learning suggestion, kept for the audit
// and to undo it: every decision is a row, the latest per suggestion counts.
struct SuggestionDecision {
  std::string suggestion;  // its id
  std::string decision;    // accepted, dismissed, reverted
  std::string editor;
  std::int64_t at_ms = 0;
  nlohmann::json detail;   // the suggestion as shown, and for a change: the file, and the text before and after
};

class EventStore {
 public:
  virtual ~EventStore() = default;
  // Stores the events and re-sums every visit they touch, in one
  // transaction: a batch is stored whole or not at all.
  virtual IngestResult ingest(const std::vector<metrics::Event>& events, std::int64_t received_ms,
                              const metrics::Catalog& catalog) = 0;
  // Every figure of the reports page (README: "Reports" defines each).
  virtual nlohmann::json report(const ReportFilter& filter) = 0;
  // Drill-down. `which`: all, no_results, no_clicks, failed (searches that were not a success).
  virtual nlohmann::json searches(const ReportFilter& filter, const std::string& which, const std::string& normalized,
                                  size_t limit) = 0;
  // How often each article and flow resolved a problem: the panel's opening list follows them.
  virtual std::vector<content::Resolutions> resolutions(const ReportFilter& filter) = 0;
  // What the searches of each query form came to (search learning).
  virtual SearchOutcomes search_outcomes(const ReportFilter& filter) = 0;
  virtual void record_decision(const SuggestionDecision& decision) = 0;
  virtual std::vector<SuggestionDecision> decisions() = 0;  // oldest first
  // `which`: all, escalated, resolved, unresolved, repeat; `normalized`
  // (when not ""): only visits with a search of that query form.
  virtual nlohmann::json visits(const ReportFilter& filter, const std::string& which, size_t limit, const std::string& normalized = "") = 0;
  virtual std::int64_t event_count() = 0;
  virtual bool has_events() = 0;  // cheap at any size, unlike event_count()
  // The key that turns the widget's visitor ids into stored pseudonyms: one
  // per store, so every server sharing it makes the same pseudonyms. Made
  // with `make` the first time.
  virtual std::string visitor_key(const std::function<std::string()>& make) = 0;
};

// events.db at `path` (its visitor key beside it, in `path`.key, readable by this user only).
std::unique_ptr<EventStore> open_sqlite_event_store(const std::string& path);
std::unique_ptr<EventStore> open_postgres_event_store(const std::string& conninfo, std::size_t connections);
// `database` as `--database` takes it: sqlite: (events.db in `data_dir`) or a postgresql:// URL.
std::unique_ptr<EventStore> open_event_store(const std::string& database, const std::string& data_dir, std::size_t connections);

}  // namespace firstfix::server
