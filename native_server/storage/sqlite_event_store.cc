#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <chrono>
#include <list>
#include <map>
#include <mutex>
#include <set>

#include "native_server/storage/event_store.h"
#include "native_server/storage/report_queries.h"
#include "native_server/storage/sqlite_event_schema.h"
#include "native_server/storage/sqlite_schema.h"
#include "native_server/storage/sqlite_statements.h"
#include "native_server/storage/visit_rows.h"

namespace firstfix::server {
namespace {

using nlohmann::json;
constexpr std::int64_t kRepeatWindowMs = 7LL * 24 * 3600 * 1000;

class SqliteEventStore final : public EventStore {
 public:
  explicit SqliteEventStore(const std::string& path) : db_(open_sqlite(path, event_store_migrations())) {
    // Reports scan a range of days across tables of millions of rows: read
    // them through memory maps and a large page cache, not a syscall per page.
    db_.exec("PRAGMA mmap_size = 1073741824");
    db_.exec("PRAGMA cache_size = -131072");  // 128 MB
    db_.exec("PRAGMA temp_store = MEMORY");
    // Ingestion commits often (a batch per request): checkpoint the WAL into
    // the database every 64 MB rather than every 4 MB, so fewer fsyncs.
    db_.exec("PRAGMA wal_autocheckpoint = 16384");
  }

  IngestResult ingest(const std::vector<metrics::Event>& events, std::int64_t received_ms, const metrics::Catalog& catalog) override {
    std::lock_guard lock(mu_);
    IngestResult r;
    try {
      SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement& insert = statement_("INSERT INTO events (id, visit, at_ms, received_ms, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
      std::map<std::string, std::vector<metrics::Event>> added;  // by visit
      std::map<std::string, std::size_t> stored;                // events each touched visit has
      for (const auto& e : events) {
        auto [count, fresh] = stored.try_emplace(e.visit, 0);
        if (fresh) count->second = stored_events(e.visit);
        if (count->second >= kMaxEventsPerVisit) {
          SQLite::Statement& known = statement_("SELECT 1 FROM events WHERE visit = ? AND id = ?");
          known.bind(1, e.visit);
          known.bind(2, e.id);
          ++(known.executeStep() ? r.duplicates : r.over_cap);
          known.reset();
          continue;
        }
        insert.reset();
        insert.clearBindings();
        insert.bind(1, e.id);
        insert.bind(2, e.visit);
        insert.bind(3, static_cast<int64_t>(e.at_ms));
        insert.bind(4, static_cast<int64_t>(received_ms));
        insert.bind(5, metrics::to_json(e).dump());
        if (insert.exec() == 1) {
          ++r.accepted;
          ++count->second;
          added[e.visit].push_back(e);
        } else {
          ++r.duplicates;
        }
      }
      for (auto& [visit, list] : added) summarize(visit, std::move(list), catalog);
      tx.commit();
    } catch (...) {
      // The summaries kept in memory may be ahead of what was rolled back.
      summaries_.clear();
      summarized_events_ = 0;
      throw;
    }
    return r;
  }

  json report(const ReportFilter& f) override {
    std::lock_guard lock(mu_);
    return report_figures(runner(), f);
  }

  json searches(const ReportFilter& f, const std::string& which, const std::string& normalized, size_t limit) override {
    std::lock_guard lock(mu_);
    return report_searches(runner(), f, which, normalized, limit);
  }

  json visits(const ReportFilter& f, const std::string& which, size_t limit) override {
    std::lock_guard lock(mu_);
    return report_visits(runner(), f, which, limit);
  }

  bool has_events() override {
    std::lock_guard lock(mu_);
    return db_.execAndGet("SELECT EXISTS (SELECT 1 FROM events)").getInt() != 0;
  }

  std::int64_t event_count() override {
    std::lock_guard lock(mu_);
    return db_.execAndGet("SELECT count(*) FROM events").getInt64();
  }

 private:
  // Runs the reports' shared SQL (report_queries.h) on this database.
  SqlRunner runner() {
    return [this](const std::string& sql, const std::vector<std::string>& params) {
      SQLite::Statement q(db_, sql);
      for (size_t i = 0; i < params.size(); ++i) q.bind(static_cast<int>(i + 1), params[i]);
      SqlRows rows;
      while (q.executeStep()) {
        std::vector<std::string> row;
        for (int c = 0; c < q.getColumnCount(); ++c) row.push_back(q.getColumn(c).getString());
        rows.push_back(std::move(row));
      }
      return rows;
    };
  }

  // The summaries of the visits most recently written, so the next batch of
  // a visit adds to its summary instead of re-reading its events; the least
  // recent are forgotten beyond kSummarizedEventsKept events in all (a
  // forgotten visit is re-made from its events if more arrive).
  struct Summary {
    metrics::VisitSummarizer summarizer;
    metrics::VisitSummary written;  // what its rows hold
    std::list<std::string>::iterator recent;
  };
  static constexpr std::size_t kSummarizedEventsKept = 200000;

  // The events a visit has stored (at most kMaxEventsPerVisit).
  std::size_t stored_events(const std::string& visit) {
    if (auto it = summaries_.find(visit); it != summaries_.end()) return it->second.summarizer.events();
    SQLite::Statement& q = statement_("SELECT count(*) FROM events WHERE visit = ?");
    q.bind(1, visit);
    q.executeStep();
    const auto n = static_cast<std::size_t>(q.getColumn(0).getInt64());
    q.reset();  // a statement left on a row keeps its read transaction open
    return n;
  }

  // Brings a visit's summary rows up to date with `added`, its events just
  // stored. In order after what was summed up before (the usual case: the
  // widget sends a visit's events in order), only the new events are added
  // and only the rows that changed are written; otherwise (the first batch
  // seen of it, or an event from before the latest) the visit is re-made
  // from all its events. Then the repeat-contact marks of the visits around
  // it are judged again. Call inside the ingest transaction.
  void summarize(const std::string& visit, std::vector<metrics::Event> added, const metrics::Catalog& catalog) {
    metrics::sort_events(added);
    auto it = summaries_.find(visit);
    if (it != summaries_.end() && it->second.summarizer.in_order(added.front())) {
      Summary& kept = it->second;
      for (const auto& e : added) kept.summarizer.add(e);
      metrics::VisitSummary now = kept.summarizer.summary();
      rows_.update(kept.written, now);
      kept.written = std::move(now);
      summarized_events_ += added.size();
      recent_.splice(recent_.begin(), recent_, kept.recent);
    } else {
      if (it != summaries_.end()) forget(it);
      std::vector<metrics::Event> events;
      SQLite::Statement& q = statement_("SELECT body FROM events WHERE visit = ?");
      q.bind(1, visit);
      while (q.executeStep()) events.push_back(metrics::parse_event(json::parse(q.getColumn(0).getString())));
      metrics::sort_events(events);
      recent_.push_front(visit);
      it = summaries_.emplace(visit, Summary{metrics::VisitSummarizer(catalog), {}, recent_.begin()}).first;
      for (const auto& e : events) it->second.summarizer.add(e);
      it->second.written = it->second.summarizer.summary();
      rows_.replace(it->second.written);
      summarized_events_ += events.size();
    }
    const metrics::VisitSummary& v = it->second.written;
    judge_repeat_contact(v);
    while (summarized_events_ > kSummarizedEventsKept && recent_.size() > 1) forget(summaries_.find(recent_.back()));
  }

  void forget(std::map<std::string, Summary>::iterator it) {
    summarized_events_ -= it->second.summarizer.events();
    recent_.erase(it->second.recent);
    summaries_.erase(it);
  }

  void judge_repeat_contact(const metrics::VisitSummary& v) {
    if (v.visitor.empty()) return;
    // Repeat contact: the same visitor on the same topic within 7 days after
    // a visit ended. This visit and the visitor's visits shortly before it
    // are judged again (this visit may be the repeat, or its topic may have moved).
    SQLite::Statement& around = statement_("SELECT visit FROM visits WHERE visitor = ? AND start_ms >= ? AND start_ms <= ?");
    around.bind(1, v.visitor);
    around.bind(2, static_cast<int64_t>(v.start_ms - kRepeatWindowMs - 24LL * 3600 * 1000));
    around.bind(3, static_cast<int64_t>(v.end_ms));
    std::vector<std::string> judge;
    while (around.executeStep()) judge.push_back(around.getColumn(0).getString());
    SQLite::Statement& mark = statement_("UPDATE visits SET repeat_contact = (topic != '' AND EXISTS (SELECT 1 FROM visits w WHERE w.visitor = visits.visitor "
                                "AND w.topic = visits.topic AND w.visit != visits.visit AND w.start_ms > visits.end_ms "
                                "AND w.start_ms <= visits.end_ms + ?)) WHERE visit = ?");
    for (const auto& id : judge) {
      mark.bind(1, static_cast<int64_t>(kRepeatWindowMs));
      mark.bind(2, id);
      mark.exec();
      mark.reset();
    }
  }

  SQLite::Database db_;
  StatementCache statement_{db_};  // after db_: finalized before it closes
  VisitRows rows_{statement_};
  std::map<std::string, Summary> summaries_;
  std::list<std::string> recent_;  // most recent first
  std::size_t summarized_events_ = 0;
  std::mutex mu_;
};

}  // namespace

std::unique_ptr<EventStore> open_sqlite_event_store(const std::string& path) { return std::make_unique<SqliteEventStore>(path); }

}  // namespace firstfix::server
