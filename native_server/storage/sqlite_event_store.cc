#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
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
#include "native_server/storage/visit_summaries.h"

namespace firstfix::server {
namespace {

using nlohmann::json;
constexpr std::int64_t kRepeatWindowMs = 7LL * 24 * 3600 * 1000;

// Writes a visit's rows one statement at a time (the statements are
// prepared once), inside the ingest transaction.
class SqliteVisitRows final : public VisitRowWriter {
 public:
  explicit SqliteVisitRows(StatementCache& statements) : statement_(statements) {}

  void erase_visit(const std::string& visit) override {
    SQLite::Statement& was = statement_("SELECT day FROM visits WHERE visit = ?");
    was.bind(1, visit);
    if (!was.executeStep()) return was.reset();
    const std::string day = was.getColumn(0).getString();
    was.reset();  // a statement left on a row keeps its read transaction open
    for (const char* table : {"visits", "searches", "flows", "articles"}) {
      SQLite::Statement& d = statement_(std::string("DELETE FROM ") + table + " WHERE day = ? AND visit = ?");
      SQLite::bind(d, day, visit);
      d.exec();
    }
  }

  void erase_row(VisitTable table, const std::string& day, const std::string& visit, const std::string& key) override {
    if (table == VisitTable::kVisits) {
      SQLite::Statement& d = statement_("DELETE FROM visits WHERE day = ? AND visit = ?");
      SQLite::bind(d, day, visit);
      d.exec();
      return;
    }
    SQLite::Statement& d = statement_(std::string("DELETE FROM ") + visit_table_name(table) + " WHERE day = ? AND visit = ? AND " +
                                      visit_table_key(table) + " = ?");
    SQLite::bind(d, day, visit, key);
    d.exec();
  }

  void insert_visit(const metrics::VisitSummary& v) override {
    SQLite::Statement& q = statement_("INSERT INTO visits (visit, visitor, locale, topic, day, start_ms, end_ms, searches, self_service, "
                                      "self_service_success, offered, escalated, declined, trigger, resolved, resolution_ms, satisfaction, "
                                      "chat, chat_disposition) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SQLite::bind(q, v.visit, v.visitor, v.locale, v.topic, v.day, static_cast<int64_t>(v.start_ms), static_cast<int64_t>(v.end_ms),
                 static_cast<int>(v.searches.size()), v.self_service, v.self_service_success, v.offered, v.escalated, v.declined,
                 v.trigger, v.resolved, static_cast<int64_t>(v.resolution_ms), v.satisfaction, v.chat, v.chat_disposition);
    q.exec();
  }

  void insert_search(const metrics::VisitSummary& v, const metrics::SearchSummary& s) override {
    SQLite::Statement& q = statement_("INSERT INTO searches (visit, search_id, day, locale, topic, at_ms, query, normalized, results, "
                                      "click_position, success, resolved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SQLite::bind(q, v.visit, s.search_id, v.day, v.locale, v.topic, static_cast<int64_t>(s.at_ms), s.query, s.normalized, s.results,
                 s.click_position, s.success, s.resolved_by);
    q.exec();
  }

  void insert_flow(const metrics::VisitSummary& v, const metrics::FlowSummary& f) override {
    SQLite::Statement& q = statement_("INSERT INTO flows (visit, session, day, locale, topic, flow, done_state, failed_steps, identity) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SQLite::bind(q, v.visit, f.session, v.day, v.locale, v.topic, f.flow, f.done_state, f.failed_steps, f.identity);
    q.exec();
  }

  void insert_article(const metrics::VisitSummary& v, const metrics::ArticleSummary& a) override {
    SQLite::Statement& q = statement_("INSERT INTO articles (visit, article, day, locale, topic, views, vote) VALUES (?, ?, ?, ?, ?, ?, ?)");
    SQLite::bind(q, v.visit, a.article, v.day, v.locale, v.topic, a.views, a.vote);
    q.exec();
  }

 private:
  StatementCache& statement_;
};

class SqliteEventStore final : public EventStore {
 public:
  explicit SqliteEventStore(const std::string& path) : path_(path), db_(open_sqlite(path, event_store_migrations())) {
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
      std::map<std::string, std::size_t> stored, stored_before;  // events each touched visit has (now, before this batch)
      for (const auto& e : events) {
        auto [count, fresh] = stored.try_emplace(e.visit, 0);
        if (fresh) stored_before[e.visit] = count->second = stored_events(e.visit);
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
      for (auto& [visit, list] : added) summarize(visit, std::move(list), stored_before[visit], catalog);
      tx.commit();
    } catch (...) {
      // The summaries kept in memory may be ahead of what was rolled back.
      summaries_.clear();
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

  std::vector<content::Resolutions> resolutions(const ReportFilter& f) override {
    std::lock_guard lock(mu_);
    return report_resolutions(runner(), f);
  }

  void record_decision(const SuggestionDecision& d) override {
    std::lock_guard lock(mu_);
    store_decision(runner(), d);
  }

  std::vector<SuggestionDecision> decisions() override {
    std::lock_guard lock(mu_);
    return stored_decisions(runner());
  }

  SearchOutcomes search_outcomes(const ReportFilter& f) override {
    std::lock_guard lock(mu_);
    return report_search_outcomes(runner(), f);
  }

  json visits(const ReportFilter& f, const std::string& which, size_t limit, const std::string& normalized) override {
    std::lock_guard lock(mu_);
    return report_visits(runner(), f, which, limit, normalized);
  }

  bool has_events() override {
    std::lock_guard lock(mu_);
    return db_.execAndGet("SELECT EXISTS (SELECT 1 FROM events)").getInt() != 0;
  }

  // Made once per data folder, in a file readable by this user only.
  std::string visitor_key(const std::function<std::string()>& make) override {
    namespace fs = std::filesystem;
    const std::string path = path_ + ".key";
    if (std::ifstream in(path); in) {
      std::string key;
      std::getline(in, key);
      if (key.size() == 64) return key;
      throw std::runtime_error(path + ": not a key firstfix wrote (64 hex digits); remove it to make a new one");
    }
    const std::string key = make(), tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << key << "\n";
      if (!out) throw std::runtime_error("cannot write " + tmp);
    }
    fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write);
    fs::rename(tmp, path);
    return key;
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

  // The events a visit has stored (at most kMaxEventsPerVisit). One
  // process writes events.db, so a kept summary's count is the store's.
  std::size_t stored_events(const std::string& visit) {
    if (auto n = summaries_.events_of(visit)) return *n;
    SQLite::Statement& q = statement_("SELECT count(*) FROM events WHERE visit = ?");
    q.bind(1, visit);
    q.executeStep();
    const auto n = static_cast<std::size_t>(q.getColumn(0).getInt64());
    q.reset();  // a statement left on a row keeps its read transaction open
    return n;
  }

  // Brings a visit's summary rows up to date with `added`, its events just
  // stored (visit_summaries.h), then judges again the repeat-contact marks
  // of the visits around it. Call inside the ingest transaction, after the
  // events are stored.
  void summarize(const std::string& visit, std::vector<metrics::Event> added, std::size_t stored_before, const metrics::Catalog& catalog) {
    SummedVisit s = sum_up_visit(summaries_.take(visit, stored_before), std::move(added), catalog, [&] {
      std::vector<metrics::Event> events;
      SQLite::Statement& q = statement_("SELECT body FROM events WHERE visit = ?");
      q.bind(1, visit);
      while (q.executeStep()) events.push_back(metrics::parse_event(json::parse(q.getColumn(0).getString())));
      return events;
    });
    SqliteVisitRows rows(statement_);
    write_visit_rows(rows, s.before ? &*s.before : nullptr, s.state.written);
    judge_repeat_contact(s.state.written);
    summaries_.put(visit, std::move(s.state));
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

  std::string path_;
  SQLite::Database db_;
  StatementCache statement_{db_};  // after db_: finalized before it closes
  VisitSummaries summaries_;
  std::mutex mu_;
};

}  // namespace

std::unique_ptr<EventStore> open_sqlite_event_store(const std::string& path) { return std::make_unique<SqliteEventStore>(path); }

}  // namespace firstfix::server
