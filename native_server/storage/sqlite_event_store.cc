#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include "native_server/storage/event_store.h"
#include "native_server/storage/sqlite_schema.h"

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
    R"(-- Day totals per language and topic, kept by triggers whenever a summary
       -- row is added, removed or re-judged, so a report over a year reads a
       -- row per day, language and topic (and per flow, article or query form)
       -- instead of millions of summaries. Rows that fall to zero stay; the
       -- report queries skip them.
       CREATE TABLE visit_days (
         day TEXT NOT NULL, locale TEXT NOT NULL, topic TEXT NOT NULL,
         visits INTEGER NOT NULL, self_service INTEGER NOT NULL, self_service_success INTEGER NOT NULL,
         offered INTEGER NOT NULL, escalated INTEGER NOT NULL, declined INTEGER NOT NULL,
         resolved INTEGER NOT NULL, resolved_kept INTEGER NOT NULL, known INTEGER NOT NULL, repeat_contact INTEGER NOT NULL,
         rated INTEGER NOT NULL, rating_sum INTEGER NOT NULL, satisfied INTEGER NOT NULL, chats INTEGER NOT NULL,
         PRIMARY KEY (day, locale, topic)) WITHOUT ROWID;
       CREATE TABLE trigger_days (
         day TEXT NOT NULL, locale TEXT NOT NULL, topic TEXT NOT NULL, trigger TEXT NOT NULL, escalations INTEGER NOT NULL,
         PRIMARY KEY (day, locale, topic, trigger)) WITHOUT ROWID;
       CREATE TABLE search_days (
         day TEXT NOT NULL, locale TEXT NOT NULL, topic TEXT NOT NULL,
         searches INTEGER NOT NULL, no_results INTEGER NOT NULL, clicked INTEGER NOT NULL,
         click_positions INTEGER NOT NULL, successes INTEGER NOT NULL,
         PRIMARY KEY (day, locale, topic)) WITHOUT ROWID;
       CREATE TABLE gap_days (
         day TEXT NOT NULL, locale TEXT NOT NULL, topic TEXT NOT NULL, normalized TEXT NOT NULL,
         searches INTEGER NOT NULL, no_results INTEGER NOT NULL, no_clicks INTEGER NOT NULL, example TEXT NOT NULL,
         PRIMARY KEY (day, locale, topic, normalized)) WITHOUT ROWID;
       CREATE TABLE flow_days (
         day TEXT NOT NULL, locale TEXT NOT NULL, topic TEXT NOT NULL, flow TEXT NOT NULL, done_state TEXT NOT NULL,
         sessions INTEGER NOT NULL,
         PRIMARY KEY (day, locale, topic, flow, done_state)) WITHOUT ROWID;
       CREATE TABLE article_days (
         day TEXT NOT NULL, locale TEXT NOT NULL, topic TEXT NOT NULL, article TEXT NOT NULL,
         entries INTEGER NOT NULL, views INTEGER NOT NULL, helpful INTEGER NOT NULL, not_helpful INTEGER NOT NULL,
         PRIMARY KEY (day, locale, topic, article)) WITHOUT ROWID;
       -- Time to resolution needs the resolved visits themselves (a median is
       -- not a sum): a narrow index of just those.
       CREATE INDEX resolved_visits ON visits(day, locale, topic, resolution_ms) WHERE resolved;

       INSERT INTO visit_days SELECT day, locale, topic, count(*), sum(self_service), sum(self_service_success), sum(offered),
         sum(escalated), sum(declined), sum(resolved), sum(resolved AND NOT repeat_contact), sum(visitor != '' AND topic != ''),
         sum(repeat_contact), sum(satisfaction > 0), sum(satisfaction), sum(satisfaction >= 4), sum(chat)
         FROM visits GROUP BY day, locale, topic;
       INSERT INTO trigger_days SELECT day, locale, topic, trigger, count(*) FROM visits WHERE escalated GROUP BY day, locale, topic, trigger;
       INSERT INTO search_days SELECT day, locale, topic, count(*), sum(results = 0), sum(click_position > 0), sum(click_position), sum(success)
         FROM searches GROUP BY day, locale, topic;
       INSERT INTO gap_days SELECT day, locale, topic, normalized, count(*), sum(results = 0), sum(click_position = 0), max(query)
         FROM searches GROUP BY day, locale, topic, normalized;
       INSERT INTO flow_days SELECT day, locale, topic, flow, done_state, count(*) FROM flows GROUP BY day, locale, topic, flow, done_state;
       INSERT INTO article_days SELECT day, locale, topic, article, count(*), sum(views), sum(vote = 1), sum(vote = -1)
         FROM articles GROUP BY day, locale, topic, article;

       CREATE TRIGGER visit_added AFTER INSERT ON visits BEGIN
         INSERT INTO visit_days VALUES (NEW.day, NEW.locale, NEW.topic, 1, NEW.self_service, NEW.self_service_success, NEW.offered,
           NEW.escalated, NEW.declined, NEW.resolved, NEW.resolved AND NOT NEW.repeat_contact, NEW.visitor != '' AND NEW.topic != '',
           NEW.repeat_contact, NEW.satisfaction > 0, NEW.satisfaction, NEW.satisfaction >= 4, NEW.chat)
         ON CONFLICT DO UPDATE SET visits = visits + 1, self_service = self_service + excluded.self_service,
           self_service_success = self_service_success + excluded.self_service_success, offered = offered + excluded.offered,
           escalated = escalated + excluded.escalated, declined = declined + excluded.declined, resolved = resolved + excluded.resolved,
           resolved_kept = resolved_kept + excluded.resolved_kept, known = known + excluded.known,
           repeat_contact = repeat_contact + excluded.repeat_contact, rated = rated + excluded.rated,
           rating_sum = rating_sum + excluded.rating_sum, satisfied = satisfied + excluded.satisfied, chats = chats + excluded.chats;
         INSERT INTO trigger_days SELECT NEW.day, NEW.locale, NEW.topic, NEW.trigger, 1 WHERE NEW.escalated
         ON CONFLICT DO UPDATE SET escalations = escalations + 1;
       END;
       CREATE TRIGGER visit_removed AFTER DELETE ON visits BEGIN
         UPDATE visit_days SET visits = visits - 1, self_service = self_service - OLD.self_service,
           self_service_success = self_service_success - OLD.self_service_success, offered = offered - OLD.offered,
           escalated = escalated - OLD.escalated, declined = declined - OLD.declined, resolved = resolved - OLD.resolved,
           resolved_kept = resolved_kept - (OLD.resolved AND NOT OLD.repeat_contact), known = known - (OLD.visitor != '' AND OLD.topic != ''),
           repeat_contact = repeat_contact - OLD.repeat_contact, rated = rated - (OLD.satisfaction > 0),
           rating_sum = rating_sum - OLD.satisfaction, satisfied = satisfied - (OLD.satisfaction >= 4), chats = chats - OLD.chat
         WHERE day = OLD.day AND locale = OLD.locale AND topic = OLD.topic;
         UPDATE trigger_days SET escalations = escalations - 1
         WHERE OLD.escalated AND day = OLD.day AND locale = OLD.locale AND topic = OLD.topic AND trigger = OLD.trigger;
       END;
       CREATE TRIGGER visit_rejudged AFTER UPDATE OF repeat_contact ON visits WHEN OLD.repeat_contact != NEW.repeat_contact BEGIN
         UPDATE visit_days SET repeat_contact = repeat_contact + NEW.repeat_contact - OLD.repeat_contact,
           resolved_kept = resolved_kept + (NEW.resolved AND NOT NEW.repeat_contact) - (OLD.resolved AND NOT OLD.repeat_contact)
         WHERE day = NEW.day AND locale = NEW.locale AND topic = NEW.topic;
       END;
       CREATE TRIGGER search_added AFTER INSERT ON searches BEGIN
         INSERT INTO search_days VALUES (NEW.day, NEW.locale, NEW.topic, 1, NEW.results = 0, NEW.click_position > 0, NEW.click_position, NEW.success)
         ON CONFLICT DO UPDATE SET searches = searches + 1, no_results = no_results + excluded.no_results, clicked = clicked + excluded.clicked,
           click_positions = click_positions + excluded.click_positions, successes = successes + excluded.successes;
         INSERT INTO gap_days VALUES (NEW.day, NEW.locale, NEW.topic, NEW.normalized, 1, NEW.results = 0, NEW.click_position = 0, NEW.query)
         ON CONFLICT DO UPDATE SET searches = searches + 1, no_results = no_results + excluded.no_results,
           no_clicks = no_clicks + excluded.no_clicks, example = max(example, excluded.example);
       END;
       CREATE TRIGGER search_removed AFTER DELETE ON searches BEGIN
         UPDATE search_days SET searches = searches - 1, no_results = no_results - (OLD.results = 0), clicked = clicked - (OLD.click_position > 0),
           click_positions = click_positions - OLD.click_position, successes = successes - OLD.success
         WHERE day = OLD.day AND locale = OLD.locale AND topic = OLD.topic;
         UPDATE gap_days SET searches = searches - 1, no_results = no_results - (OLD.results = 0), no_clicks = no_clicks - (OLD.click_position = 0)
         WHERE day = OLD.day AND locale = OLD.locale AND topic = OLD.topic AND normalized = OLD.normalized;
       END;
       CREATE TRIGGER flow_added AFTER INSERT ON flows BEGIN
         INSERT INTO flow_days VALUES (NEW.day, NEW.locale, NEW.topic, NEW.flow, NEW.done_state, 1)
         ON CONFLICT DO UPDATE SET sessions = sessions + 1;
       END;
       CREATE TRIGGER flow_removed AFTER DELETE ON flows BEGIN
         UPDATE flow_days SET sessions = sessions - 1
         WHERE day = OLD.day AND locale = OLD.locale AND topic = OLD.topic AND flow = OLD.flow AND done_state = OLD.done_state;
       END;
       CREATE TRIGGER article_added AFTER INSERT ON articles BEGIN
         INSERT INTO article_days VALUES (NEW.day, NEW.locale, NEW.topic, NEW.article, 1, NEW.views, NEW.vote = 1, NEW.vote = -1)
         ON CONFLICT DO UPDATE SET entries = entries + 1, views = views + excluded.views, helpful = helpful + excluded.helpful,
           not_helpful = not_helpful + excluded.not_helpful;
       END;
       CREATE TRIGGER article_removed AFTER DELETE ON articles BEGIN
         UPDATE article_days SET entries = entries - 1, views = views - OLD.views, helpful = helpful - (OLD.vote = 1),
           not_helpful = not_helpful - (OLD.vote = -1)
         WHERE day = OLD.day AND locale = OLD.locale AND topic = OLD.topic AND article = OLD.article;
       END;)",
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
