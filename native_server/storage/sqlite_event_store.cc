#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <chrono>
#include <list>
#include <map>
#include <mutex>
#include <set>

#include "native_server/storage/event_store.h"
#include "native_server/storage/sqlite_event_schema.h"
#include "native_server/storage/sqlite_schema.h"
#include "native_server/storage/sqlite_statements.h"
#include "native_server/storage/visit_rows.h"

namespace firstfix::server {
namespace {

using nlohmann::json;
constexpr std::int64_t kRepeatWindowMs = 7LL * 24 * 3600 * 1000;

double ratio(std::int64_t part, std::int64_t whole) { return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0; }

// The previous period of the same length, for trends.
std::pair<std::string, std::string> previous_period(const std::string& from, const std::string& to) {
  const std::int64_t a = metrics::utc_day_start(from), b = metrics::utc_day_start(to);
  const std::int64_t length = b - a + metrics::kDayMs;
  return {metrics::utc_day(a - length), metrics::utc_day(a - metrics::kDayMs)};
}

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
    json out;
    out["range"] = {{"from", f.from}, {"to", f.to}};
    out["filters"] = {{"locale", f.locale}, {"category", f.category}};
    {
      // The day totals (visit_days and the like, kept by triggers): a year is a few thousand rows.
      auto q = statement("SELECT coalesce(sum(visits), 0), coalesce(sum(self_service), 0), coalesce(sum(self_service_success), 0), "
                         "coalesce(sum(offered), 0), coalesce(sum(escalated), 0), coalesce(sum(declined), 0), coalesce(sum(resolved), 0), "
                         "coalesce(sum(resolved_kept), 0), coalesce(sum(known), 0), coalesce(sum(repeat_contact), 0), coalesce(sum(rated), 0), "
                         "coalesce(sum(rating_sum), 0), coalesce(sum(satisfied), 0), coalesce(sum(chats), 0) FROM visit_days WHERE " + where(), f);
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
      auto q = statement("SELECT coalesce(sum(searches), 0), coalesce(sum(no_results), 0), coalesce(sum(clicked), 0), "
                         "coalesce(sum(click_positions), 0), coalesce(sum(successes), 0) FROM search_days WHERE " + where(), f);
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
      auto q = statement("SELECT trigger, sum(escalations) FROM trigger_days WHERE " + where() +
                         " GROUP BY trigger HAVING sum(escalations) > 0 ORDER BY trigger", f);
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
      auto q = statement("SELECT flow, sum(sessions), sum(CASE WHEN done_state != '' THEN sessions ELSE 0 END) FROM flow_days WHERE " + where() +
                         " GROUP BY flow HAVING sum(sessions) > 0 ORDER BY sum(sessions) DESC, flow", f);
      std::int64_t starts = 0, completed = 0;
      while (q.executeStep()) {
        at[q.getColumn(0).getString()] = flows.size();
        const std::int64_t s = q.getColumn(1).getInt64(), c = q.getColumn(2).getInt64();
        starts += s;
        completed += c;
        flows.push_back({{"flow", q.getColumn(0).getString()}, {"starts", s}, {"completed", c}, {"completion_rate", ratio(c, s)},
                         {"done_states", json::object()}});
      }
      auto states = statement("SELECT flow, done_state, sum(sessions) FROM flow_days WHERE " + where() +
                              " AND done_state != '' GROUP BY flow, done_state HAVING sum(sessions) > 0", f);
      while (states.executeStep()) flows[at[states.getColumn(0).getString()]]["done_states"][states.getColumn(1).getString()] = states.getColumn(2).getInt64();
      out["flows"] = flows;
      out["flow_starts"] = starts;
      out["flow_completion_rate"] = ratio(completed, starts);
    }
    {
      json articles = json::array();
      auto q = statement("SELECT article, sum(views), sum(helpful), sum(not_helpful) FROM article_days WHERE " + where() +
                         " GROUP BY article HAVING sum(entries) > 0 ORDER BY sum(views) DESC, article LIMIT 100", f);
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
      auto q = statement("SELECT day, sum(visits), sum(escalated), sum(resolved_kept) FROM visit_days WHERE " + where() +
                         " GROUP BY day HAVING sum(visits) > 0 ORDER BY day", f);
      std::map<std::string, size_t> at;
      while (q.executeStep()) {
        const std::int64_t v = q.getColumn(1).getInt64();
        at[q.getColumn(0).getString()] = days.size();
        days.push_back({{"day", q.getColumn(0).getString()}, {"visits", v}, {"deflection_rate", ratio(v - q.getColumn(2).getInt64(), v)},
                        {"resolution_rate", ratio(q.getColumn(3).getInt64(), v)}, {"searches", 0}, {"search_success_rate", 0.0}});
      }
      auto s = statement("SELECT day, sum(searches), sum(successes) FROM search_days WHERE " + where() + " GROUP BY day", f);
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
    // The example is the greatest query of the form (as max(query) over the searches would give), from days that still have one.
    auto q = statement("SELECT normalized, max(CASE WHEN searches > 0 THEN example END), sum(searches), sum(no_results), sum(no_clicks) FROM gap_days WHERE " +
                       where() + " GROUP BY normalized HAVING sum(no_clicks) > 0 ORDER BY sum(no_clicks) DESC, sum(searches) DESC, normalized LIMIT 25", f);
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
    auto p = statement("SELECT normalized, sum(no_clicks) FROM gap_days WHERE " + where() + " AND normalized IN (" + in +
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
