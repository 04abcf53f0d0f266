#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include "native_server/event_store.h"
#include "native_server/sqlite_schema.h"

namespace firstfix::server {
namespace {

using nlohmann::json;
constexpr std::int64_t kRepeatWindowMs = 7LL * 24 * 3600 * 1000;

const std::vector<std::string> kMigrations = {
    R"(-- A visit's events together (a visit is re-summed from all of them), and
       -- as few indexes as the queries need: at millions of rows, every index
       -- keyed by a random id costs a random page write per insert.
       CREATE TABLE events (
         visit TEXT NOT NULL,
         id TEXT NOT NULL,
         at_ms INTEGER NOT NULL,
         received_ms INTEGER NOT NULL,
         body TEXT NOT NULL,
         PRIMARY KEY (visit, id)) WITHOUT ROWID;
       -- The summaries are kept in day order (the primary keys start with the
       -- day), so a report reads one contiguous range of each table.
       CREATE TABLE visits (
         day TEXT NOT NULL,
         visit TEXT NOT NULL,
         visitor TEXT NOT NULL,
         locale TEXT NOT NULL,
         topic TEXT NOT NULL,
         start_ms INTEGER NOT NULL,
         end_ms INTEGER NOT NULL,
         searches INTEGER NOT NULL,
         self_service INTEGER NOT NULL,
         self_service_success INTEGER NOT NULL,
         offered INTEGER NOT NULL,
         escalated INTEGER NOT NULL,
         declined INTEGER NOT NULL,
         trigger TEXT NOT NULL,
         resolved INTEGER NOT NULL,
         resolution_ms INTEGER NOT NULL,
         repeat_contact INTEGER NOT NULL DEFAULT 0,
         satisfaction INTEGER NOT NULL,
         chat INTEGER NOT NULL,
         chat_disposition TEXT NOT NULL,
         PRIMARY KEY (day, visit)) WITHOUT ROWID;
       CREATE UNIQUE INDEX visits_by_id ON visits(visit);
       CREATE INDEX visits_by_visitor ON visits(visitor, start_ms);
       CREATE TABLE searches (
         day TEXT NOT NULL,
         visit TEXT NOT NULL,
         search_id TEXT NOT NULL,
         locale TEXT NOT NULL,
         topic TEXT NOT NULL,
         at_ms INTEGER NOT NULL,
         query TEXT NOT NULL,
         normalized TEXT NOT NULL,
         results INTEGER NOT NULL,
         click_position INTEGER NOT NULL,
         success INTEGER NOT NULL,
         PRIMARY KEY (day, visit, search_id)) WITHOUT ROWID;
       CREATE TABLE flows (
         day TEXT NOT NULL,
         visit TEXT NOT NULL,
         session TEXT NOT NULL,
         locale TEXT NOT NULL,
         topic TEXT NOT NULL,
         flow TEXT NOT NULL,
         done_state TEXT NOT NULL,
         failed_steps INTEGER NOT NULL,
         PRIMARY KEY (day, visit, session)) WITHOUT ROWID;
       CREATE TABLE articles (
         day TEXT NOT NULL,
         visit TEXT NOT NULL,
         article TEXT NOT NULL,
         locale TEXT NOT NULL,
         topic TEXT NOT NULL,
         views INTEGER NOT NULL,
         vote INTEGER NOT NULL,
         PRIMARY KEY (day, visit, article)) WITHOUT ROWID;)",
};

double ratio(std::int64_t part, std::int64_t whole) { return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0; }

// The previous period of the same length, for trends.
std::pair<std::string, std::string> previous_period(const std::string& from, const std::string& to) {
  const std::int64_t a = metrics::utc_day_start(from), b = metrics::utc_day_start(to);
  const std::int64_t length = b - a + metrics::kDayMs;
  return {metrics::utc_day(a - length), metrics::utc_day(a - metrics::kDayMs)};
}

class SqliteEventStore final : public EventStore {
 public:
  explicit SqliteEventStore(const std::string& path) : db_(open_sqlite(path, kMigrations)) {
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
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement& insert = cached("INSERT INTO events (id, visit, at_ms, received_ms, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    std::set<std::string> touched;
    for (const auto& e : events) {
      insert.bind(1, e.id);
      insert.bind(2, e.visit);
      insert.bind(3, static_cast<int64_t>(e.at_ms));
      insert.bind(4, static_cast<int64_t>(received_ms));
      insert.bind(5, metrics::to_json(e).dump());
      if (insert.exec() == 1) {
        ++r.accepted;
        touched.insert(e.visit);
      } else {
        ++r.duplicates;
      }
      insert.reset();
    }
    for (const auto& visit : touched) resum(visit, catalog);
    tx.commit();
    return r;
  }

  json report(const ReportFilter& f) override {
    std::lock_guard lock(mu_);
    json out;
    out["range"] = {{"from", f.from}, {"to", f.to}};
    out["filters"] = {{"locale", f.locale}, {"category", f.category}};
    {
      auto q = statement("SELECT count(*), coalesce(sum(self_service), 0), coalesce(sum(self_service_success), 0), coalesce(sum(offered), 0), "
                         "coalesce(sum(escalated), 0), coalesce(sum(declined), 0), coalesce(sum(resolved), 0), "
                         "coalesce(sum(resolved AND NOT repeat_contact), 0), coalesce(sum(visitor != '' AND topic != ''), 0), "
                         "coalesce(sum(repeat_contact), 0), coalesce(sum(satisfaction > 0), 0), coalesce(sum(satisfaction), 0), "
                         "coalesce(sum(satisfaction >= 4), 0), coalesce(sum(chat), 0) FROM visits WHERE " + where(), f);
      q.executeStep();
      const auto n = [&](int i) { return q.getColumn(i).getInt64(); };
      const std::int64_t visits = n(0), escalated = n(4);
      out["visits"] = visits;
      out["self_service_visits"] = n(1);
      out["self_service_success_rate"] = ratio(n(2), n(1));
      out["escalation_offered_rate"] = ratio(n(3), visits);
      out["escalation_rate"] = ratio(escalated, visits);
      out["escalations"] = escalated;
      out["offers_declined"] = n(5);
      out["deflection_rate"] = ratio(visits - escalated, visits);
      out["resolved_visits"] = n(7);
      out["resolution_rate"] = ratio(n(7), visits);
      out["repeat_contact_rate"] = ratio(n(9), n(8));
      out["satisfaction"] = {{"responses", n(10)}, {"average", ratio(n(11), n(10))}, {"csat", ratio(n(12), n(10))}};
      out["chats"] = n(13);
    }
    {
      auto q = statement("SELECT count(*), coalesce(sum(results = 0), 0), coalesce(sum(click_position > 0), 0), "
                         "coalesce(sum(click_position), 0), coalesce(sum(success), 0) FROM searches WHERE " + where(), f);
      q.executeStep();
      const auto n = [&](int i) { return q.getColumn(i).getInt64(); };
      out["searches"] = n(0);
      out["no_result_rate"] = ratio(n(1), n(0));
      out["click_through_rate"] = ratio(n(2), n(0));
      out["mean_click_position"] = ratio(n(3), n(2));
      out["search_success_rate"] = ratio(n(4), n(0));
    }
    {
      json triggers = json::object();
      auto q = statement("SELECT trigger, count(*) FROM visits WHERE " + where() + " AND escalated GROUP BY trigger ORDER BY trigger", f);
      while (q.executeStep()) triggers[q.getColumn(0).getString().empty() ? "contact" : q.getColumn(0).getString()] = q.getColumn(1).getInt64();
      out["escalation_triggers"] = triggers;
    }
    {
      // Time to resolution: the median and the 90th percentile of resolved visits, in one sorted pass.
      std::vector<std::int64_t> times;
      auto q = statement("SELECT resolution_ms FROM visits WHERE " + where() + " AND resolved ORDER BY resolution_ms", f);
      while (q.executeStep()) times.push_back(q.getColumn(0).getInt64());
      const size_t n = times.size();
      auto at = [&](size_t k) -> std::int64_t { return n ? times[std::min(k, n - 1)] : 0; };
      out["time_to_resolution"] = {{"resolved", n}, {"median_ms", at(n ? (n - 1) / 2 : 0)}, {"p90_ms", at(n ? (n * 9 + 9) / 10 - 1 : 0)}};
    }
    {
      json flows = json::array();
      std::map<std::string, size_t> at;
      auto q = statement("SELECT flow, count(*), coalesce(sum(done_state != ''), 0) FROM flows WHERE " + where() +
                         " GROUP BY flow ORDER BY count(*) DESC, flow", f);
      std::int64_t starts = 0, completed = 0;
      while (q.executeStep()) {
        at[q.getColumn(0).getString()] = flows.size();
        const std::int64_t s = q.getColumn(1).getInt64(), c = q.getColumn(2).getInt64();
        starts += s;
        completed += c;
        flows.push_back({{"flow", q.getColumn(0).getString()}, {"starts", s}, {"completed", c}, {"completion_rate", ratio(c, s)},
                         {"done_states", json::object()}});
      }
      auto states = statement("SELECT flow, done_state, count(*) FROM flows WHERE " + where() + " AND done_state != '' GROUP BY flow, done_state", f);
      while (states.executeStep()) flows[at[states.getColumn(0).getString()]]["done_states"][states.getColumn(1).getString()] = states.getColumn(2).getInt64();
      out["flows"] = flows;
      out["flow_starts"] = starts;
      out["flow_completion_rate"] = ratio(completed, starts);
    }
    {
      json articles = json::array();
      auto q = statement("SELECT article, sum(views), sum(vote = 1), sum(vote = -1) FROM articles WHERE " + where() +
                         " GROUP BY article ORDER BY sum(views) DESC, article LIMIT 100", f);
      while (q.executeStep()) {
        const std::int64_t yes = q.getColumn(2).getInt64(), no = q.getColumn(3).getInt64();
        articles.push_back({{"article", q.getColumn(0).getString()}, {"views", q.getColumn(1).getInt64()}, {"helpful", yes},
                            {"not_helpful", no}, {"helpfulness", yes + no > 0 ? json(ratio(yes, yes + no)) : json(nullptr)}});
      }
      out["articles"] = articles;
    }
    out["content_gaps"] = gaps(f);
    {
      json days = json::array();
      auto q = statement("SELECT day, count(*), coalesce(sum(escalated), 0), coalesce(sum(resolved AND NOT repeat_contact), 0) FROM visits WHERE " +
                         where() + " GROUP BY day ORDER BY day", f);
      std::map<std::string, size_t> at;
      while (q.executeStep()) {
        const std::int64_t v = q.getColumn(1).getInt64();
        at[q.getColumn(0).getString()] = days.size();
        days.push_back({{"day", q.getColumn(0).getString()}, {"visits", v}, {"deflection_rate", ratio(v - q.getColumn(2).getInt64(), v)},
                        {"resolution_rate", ratio(q.getColumn(3).getInt64(), v)}, {"searches", 0}, {"search_success_rate", 0.0}});
      }
      auto s = statement("SELECT day, count(*), coalesce(sum(success), 0) FROM searches WHERE " + where() + " GROUP BY day", f);
      while (s.executeStep())
        if (auto it = at.find(s.getColumn(0).getString()); it != at.end()) {
          days[it->second]["searches"] = s.getColumn(1).getInt64();
          days[it->second]["search_success_rate"] = ratio(s.getColumn(2).getInt64(), s.getColumn(1).getInt64());
        }
      out["daily"] = days;
    }
    return out;
  }

  json searches(const ReportFilter& f, const std::string& which, const std::string& normalized, size_t limit) override {
    std::lock_guard lock(mu_);
    std::string cond;
    if (which == "no_results") cond = " AND results = 0";
    else if (which == "no_clicks") cond = " AND click_position = 0";
    else if (which == "failed") cond = " AND NOT success";
    else if (which != "all") throw std::invalid_argument("which: must be all, no_results, no_clicks or failed");
    if (!normalized.empty()) cond += " AND normalized = ?5";
    auto q = statement("SELECT visit, search_id, day, locale, topic, at_ms, query, normalized, results, click_position, success FROM searches WHERE " +
                       where() + cond + " ORDER BY at_ms DESC LIMIT " + std::to_string(limit), f);
    if (!normalized.empty()) q.bind(5, normalized);
    json out = json::array();
    while (q.executeStep())
      out.push_back({{"visit", q.getColumn(0).getString()}, {"search_id", q.getColumn(1).getString()}, {"day", q.getColumn(2).getString()},
                     {"locale", q.getColumn(3).getString()}, {"topic", q.getColumn(4).getString()}, {"at", q.getColumn(5).getInt64()},
                     {"query", q.getColumn(6).getString()}, {"normalized", q.getColumn(7).getString()}, {"results", q.getColumn(8).getInt()},
                     {"click_position", q.getColumn(9).getInt()}, {"success", q.getColumn(10).getInt() != 0}});
    return out;
  }

  json visits(const ReportFilter& f, const std::string& which, size_t limit) override {
    std::lock_guard lock(mu_);
    std::string cond;
    if (which == "escalated") cond = " AND escalated";
    else if (which == "resolved") cond = " AND resolved AND NOT repeat_contact";
    else if (which == "unresolved") cond = " AND NOT resolved";
    else if (which == "repeat") cond = " AND repeat_contact";
    else if (which != "all") throw std::invalid_argument("which: must be all, escalated, resolved, unresolved or repeat");
    auto q = statement("SELECT visit, day, locale, topic, start_ms, end_ms, searches, escalated, trigger, resolved, repeat_contact, satisfaction "
                       "FROM visits WHERE " + where() + cond + " ORDER BY start_ms DESC LIMIT " + std::to_string(limit), f);
    json out = json::array();
    while (q.executeStep()) {
      json v = {{"visit", q.getColumn(0).getString()}, {"day", q.getColumn(1).getString()}, {"locale", q.getColumn(2).getString()},
                {"topic", q.getColumn(3).getString()}, {"start", q.getColumn(4).getInt64()}, {"end", q.getColumn(5).getInt64()},
                {"searches", q.getColumn(6).getInt()}, {"escalated", q.getColumn(7).getInt() != 0}, {"trigger", q.getColumn(8).getString()},
                {"resolved", q.getColumn(9).getInt() != 0}, {"repeat_contact", q.getColumn(10).getInt() != 0},
                {"satisfaction", q.getColumn(11).getInt()}};
      out.push_back(std::move(v));
    }
    // Each visit's events, in order: what the editor drills down to.
    for (auto& v : out) {
      SQLite::Statement e(db_, "SELECT body FROM events WHERE visit = ? ORDER BY at_ms");
      e.bind(1, v["visit"].get<std::string>());
      json events = json::array();
      while (e.executeStep()) events.push_back(json::parse(e.getColumn(0).getString()));
      v["events"] = std::move(events);
    }
    return out;
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
  // Parameters 1..4: from, to, locale ("" = any), category ("" = any).
  static std::string where() { return "day BETWEEN ?1 AND ?2 AND (?3 = '' OR locale = ?3) AND (?4 = '' OR topic = ?4)"; }

  SQLite::Statement statement(const std::string& sql, const ReportFilter& f) {
    SQLite::Statement q(db_, sql);
    q.bind(1, f.from);
    q.bind(2, f.to);
    q.bind(3, f.locale);
    q.bind(4, f.category);
    return q;
  }

  // The queries people did not find an answer to, grouped by their
  // normalized form: most unanswered first, with the previous period's count.
  json gaps(const ReportFilter& f) {
    json out = json::array();
    auto q = statement("SELECT normalized, max(query), count(*), sum(results = 0), sum(click_position = 0) FROM searches WHERE " + where() +
                       " GROUP BY normalized HAVING sum(click_position = 0) > 0 ORDER BY sum(click_position = 0) DESC, count(*) DESC, normalized LIMIT 25", f);
    while (q.executeStep())
      out.push_back({{"normalized", q.getColumn(0).getString()}, {"example", q.getColumn(1).getString()}, {"searches", q.getColumn(2).getInt64()},
                     {"no_results", q.getColumn(3).getInt64()}, {"no_clicks", q.getColumn(4).getInt64()}, {"previous_no_clicks", 0}});
    if (out.empty()) return out;
    const auto [from, to] = previous_period(f.from, f.to);
    ReportFilter before = f;
    before.from = from;
    before.to = to;
    std::string in;
    for (size_t i = 0; i < out.size(); ++i) in += std::string(i ? ", " : "") + "?" + std::to_string(5 + i);
    auto p = statement("SELECT normalized, sum(click_position = 0) FROM searches WHERE " + where() + " AND normalized IN (" + in +
                       ") GROUP BY normalized", before);
    for (size_t i = 0; i < out.size(); ++i) p.bind(static_cast<int>(5 + i), out[i]["normalized"].get<std::string>());
    std::map<std::string, std::int64_t> previous;
    while (p.executeStep()) previous[p.getColumn(0).getString()] = p.getColumn(1).getInt64();
    for (auto& g : out) {
      g["previous_no_clicks"] = previous[g["normalized"].get<std::string>()];
      g["trend"] = g["no_clicks"].get<std::int64_t>() - g["previous_no_clicks"].get<std::int64_t>();
    }
    return out;
  }

  // Re-makes a visit's summary from all its events, and the repeat-contact
  // marks of the visits around it. Call inside the ingest transaction.
  void resum(const std::string& visit, const metrics::Catalog& catalog) {
    std::vector<metrics::Event> events;
    {
      SQLite::Statement& q = cached("SELECT body FROM events WHERE visit = ?");
      q.bind(1, visit);
      while (q.executeStep()) events.push_back(metrics::parse_event(json::parse(q.getColumn(0).getString())));
    }
    const metrics::VisitSummary v = metrics::summarize_visit(std::move(events), catalog);
    // The rows of its earlier summary, found by (day, visit): the day it had then.
    SQLite::Statement& was = cached("SELECT day FROM visits WHERE visit = ?");
    was.bind(1, visit);
    if (was.executeStep()) {
      const std::string old_day = was.getColumn(0).getString();
      for (const char* table : {"visits", "searches", "flows", "articles"}) {
        SQLite::Statement& d = cached(std::string("DELETE FROM ") + table + " WHERE day = ? AND visit = ?");
        d.bind(1, old_day);
        d.bind(2, visit);
        d.exec();
      }
    }
    SQLite::Statement& ins = cached("INSERT INTO visits (visit, visitor, locale, topic, day, start_ms, end_ms, searches, self_service, self_service_success, "
                               "offered, escalated, declined, trigger, resolved, resolution_ms, satisfaction, chat, chat_disposition) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int i = 0;
    ins.bind(++i, v.visit);
    ins.bind(++i, v.visitor);
    ins.bind(++i, v.locale);
    ins.bind(++i, v.topic);
    ins.bind(++i, v.day);
    ins.bind(++i, static_cast<int64_t>(v.start_ms));
    ins.bind(++i, static_cast<int64_t>(v.end_ms));
    ins.bind(++i, static_cast<int>(v.searches.size()));
    ins.bind(++i, v.self_service);
    ins.bind(++i, v.self_service_success);
    ins.bind(++i, v.offered);
    ins.bind(++i, v.escalated);
    ins.bind(++i, v.declined);
    ins.bind(++i, v.trigger);
    ins.bind(++i, v.resolved);
    ins.bind(++i, static_cast<int64_t>(v.resolution_ms));
    ins.bind(++i, v.satisfaction);
    ins.bind(++i, v.chat);
    ins.bind(++i, v.chat_disposition);
    ins.exec();
    for (const auto& s : v.searches) {
      SQLite::Statement& q = cached("INSERT INTO searches (visit, search_id, day, locale, topic, at_ms, query, normalized, results, "
                                    "click_position, success) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      q.bind(1, v.visit);
      q.bind(2, s.search_id);
      q.bind(3, v.day);
      q.bind(4, v.locale);
      q.bind(5, v.topic);
      q.bind(6, static_cast<int64_t>(s.at_ms));
      q.bind(7, s.query);
      q.bind(8, s.normalized);
      q.bind(9, s.results);
      q.bind(10, s.click_position);
      q.bind(11, s.success);
      q.exec();
    }
    for (const auto& fl : v.flows) {
      SQLite::Statement& q = cached("INSERT INTO flows (visit, session, day, locale, topic, flow, done_state, failed_steps) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      q.bind(1, v.visit);
      q.bind(2, fl.session);
      q.bind(3, v.day);
      q.bind(4, v.locale);
      q.bind(5, v.topic);
      q.bind(6, fl.flow);
      q.bind(7, fl.done_state);
      q.bind(8, fl.failed_steps);
      q.exec();
    }
    for (const auto& a : v.articles) {
      SQLite::Statement& q = cached("INSERT INTO articles (visit, article, day, locale, topic, views, vote) VALUES (?, ?, ?, ?, ?, ?, ?)");
      q.bind(1, v.visit);
      q.bind(2, a.article);
      q.bind(3, v.day);
      q.bind(4, v.locale);
      q.bind(5, v.topic);
      q.bind(6, a.views);
      q.bind(7, a.vote);
      q.exec();
    }
    if (v.visitor.empty()) return;
    // Repeat contact: the same visitor on the same topic within 7 days after
    // a visit ended. This visit and the visitor's visits shortly before it
    // are judged again (this visit may be the repeat, or its topic may have moved).
    SQLite::Statement& around = cached("SELECT visit FROM visits WHERE visitor = ? AND start_ms >= ? AND start_ms <= ?");
    around.bind(1, v.visitor);
    around.bind(2, static_cast<int64_t>(v.start_ms - kRepeatWindowMs - 24LL * 3600 * 1000));
    around.bind(3, static_cast<int64_t>(v.end_ms));
    std::vector<std::string> judge;
    while (around.executeStep()) judge.push_back(around.getColumn(0).getString());
    SQLite::Statement& mark = cached("UPDATE visits SET repeat_contact = (topic != '' AND EXISTS (SELECT 1 FROM visits w WHERE w.visitor = visits.visitor "
                                "AND w.topic = visits.topic AND w.visit != visits.visit AND w.start_ms > visits.end_ms "
                                "AND w.start_ms <= visits.end_ms + ?)) WHERE visit = ?");
    for (const auto& id : judge) {
      mark.bind(1, static_cast<int64_t>(kRepeatWindowMs));
      mark.bind(2, id);
      mark.exec();
      mark.reset();
    }
  }

  // Prepared once, reused for every event and visit: ingestion is mostly these few statements.
  SQLite::Statement& cached(const std::string& sql) {
    auto& statement = cache_[sql];
    if (!statement) statement = std::make_unique<SQLite::Statement>(db_, sql);
    statement->reset();
    statement->clearBindings();
    return *statement;
  }

  SQLite::Database db_;
  std::map<std::string, std::unique_ptr<SQLite::Statement>> cache_;  // after db_: finalized before it closes
  std::mutex mu_;
};

}  // namespace

std::unique_ptr<EventStore> open_sqlite_event_store(const std::string& path) { return std::make_unique<SqliteEventStore>(path); }

}  // namespace firstfix::server
