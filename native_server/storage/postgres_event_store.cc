// The reports' store in PostgreSQL. A batch is one transaction of a few
// statements whatever its size: the batch's visits are locked (their rows
// in visit_event_counts, in one order, so two servers never deadlock on
// them) with their visitors (whose repeat contacts are judged), the events
// go in with one INSERT, the summary rows that changed with one DELETE and
// one INSERT per table (arrays through unnest), and the day totals follow
// by statement triggers. A deadlock on a day total (two batches touching
// the same days in another order) runs the batch again.
#include "native_server/storage/postgres_event_store.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <regex>
#include <set>

#include "native_server/storage/event_store.h"
#include "native_server/storage/pg_connection.h"
#include "native_server/storage/report_queries.h"
#include "native_server/storage/visit_rows.h"
#include "native_server/storage/visit_summaries.h"

namespace firstfix::server {
namespace {

using nlohmann::json;
constexpr std::int64_t kRepeatWindowMs = 7LL * 24 * 3600 * 1000;

std::int64_t flag(bool b) { return b ? 1 : 0; }

// A table's rows, column by column, sent as one array per column.
struct Columns {
  std::vector<std::vector<std::string>> text;
  std::vector<std::vector<std::int64_t>> numbers;
  Columns(size_t texts, size_t ints) : text(texts), numbers(ints) {}
  bool empty() const { return text.empty() ? numbers.at(0).empty() : text[0].empty(); }
  std::vector<PgParam> params() const {
    std::vector<PgParam> p;
    for (const auto& c : text) p.emplace_back(pg_array(c));
    for (const auto& c : numbers) p.emplace_back(pg_array(c));
    return p;
  }
};

// Collects a batch's row changes, then writes them: erasures first (a
// visit's rows go before its new ones), then insertions, a statement per
// table.
class PostgresVisitRows final : public VisitRowWriter {
 public:
  void erase_visit(const std::string& visit) override { erased_visits_.push_back(visit); }

  void erase_row(VisitTable table, const std::string& day, const std::string& visit, const std::string& key) override {
    Columns& c = erased_[static_cast<size_t>(table)];
    c.text[0].push_back(day);
    c.text[1].push_back(visit);
    c.text[2].push_back(key);
  }

  void insert_visit(const metrics::VisitSummary& v) override {
    push(visits_, {v.visit, v.visitor, v.locale, v.topic, v.day, v.trigger, v.chat_disposition},
         {v.start_ms, v.end_ms, static_cast<std::int64_t>(v.searches.size()), flag(v.self_service), flag(v.self_service_success),
          flag(v.offered), flag(v.escalated), flag(v.declined), flag(v.resolved), v.resolution_ms, v.satisfaction, flag(v.chat)});
  }

  void insert_search(const metrics::VisitSummary& v, const metrics::SearchSummary& s) override {
    push(searches_, {v.visit, s.search_id, v.day, v.locale, v.topic, s.query, s.normalized, s.resolved_by},
         {s.at_ms, s.results, s.click_position, flag(s.success)});
  }

  void insert_flow(const metrics::VisitSummary& v, const metrics::FlowSummary& f) override {
    push(flows_, {v.visit, f.session, v.day, v.locale, v.topic, f.flow, f.done_state, f.identity}, {f.failed_steps});
  }

  void insert_article(const metrics::VisitSummary& v, const metrics::ArticleSummary& a) override {
    push(articles_, {v.visit, a.article, v.day, v.locale, v.topic}, {a.views, a.vote});
  }

  void write(PgConnection& c) {
    if (!erased_visits_.empty()) {
      const std::string visits = pg_array(erased_visits_);
      for (const char* table : {"searches", "flows", "articles"})
        c.exec(std::string("DELETE FROM ") + table + " t USING visits v WHERE v.visit = ANY($1::text[]) AND t.day = v.day AND t.visit = v.visit",
               {visits});
      c.exec("DELETE FROM visits WHERE visit = ANY($1::text[])", {visits});
    }
    for (VisitTable t : {VisitTable::kVisits, VisitTable::kSearches, VisitTable::kFlows, VisitTable::kArticles}) {
      const Columns& e = erased_[static_cast<size_t>(t)];
      if (e.empty()) continue;
      if (t == VisitTable::kVisits)
        c.exec("DELETE FROM visits WHERE (day, visit) IN (SELECT * FROM unnest($1::text[], $2::text[]))", {pg_array(e.text[0]), pg_array(e.text[1])});
      else
        c.exec(std::string("DELETE FROM ") + visit_table_name(t) + " WHERE (day, visit, " + visit_table_key(t) +
                   ") IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))",
               e.params());
    }
    if (!visits_.empty())
      c.exec("INSERT INTO visits (visit, visitor, locale, topic, day, trigger, chat_disposition, start_ms, end_ms, searches, self_service, "
             "self_service_success, offered, escalated, declined, resolved, resolution_ms, satisfaction, chat) "
             "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], "
             "$9::bigint[], $10::int[], $11::int[], $12::int[], $13::int[], $14::int[], $15::int[], $16::int[], $17::bigint[], $18::int[], $19::int[])",
             visits_.params());
    if (!searches_.empty())
      c.exec("INSERT INTO searches (visit, search_id, day, locale, topic, query, normalized, resolved_by, at_ms, results, click_position, success) "
             "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], "
             "$10::int[], $11::int[], $12::int[])",
             searches_.params());
    if (!flows_.empty())
      c.exec("INSERT INTO flows (visit, session, day, locale, topic, flow, done_state, identity, failed_steps) "
             "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[])",
             flows_.params());
    if (!articles_.empty())
      c.exec("INSERT INTO articles (visit, article, day, locale, topic, views, vote) "
             "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[])",
             articles_.params());
  }

 private:
  static void push(Columns& c, const std::vector<std::string>& texts, const std::vector<std::int64_t>& numbers) {
    for (size_t i = 0; i < texts.size(); ++i) c.text[i].push_back(texts[i]);
    for (size_t i = 0; i < numbers.size(); ++i) c.numbers[i].push_back(numbers[i]);
  }

  std::vector<std::string> erased_visits_;
  std::vector<Columns> erased_{Columns(3, 0), Columns(3, 0), Columns(3, 0), Columns(3, 0)};
  Columns visits_{7, 12}, searches_{8, 4}, flows_{8, 1}, articles_{5, 2};
};

class PostgresEventStore final : public EventStore {
 public:
  PostgresEventStore(const std::string& conninfo, std::size_t connections) : pool_(conninfo, connections) {
    pool_.acquire()->migrate("events", postgres_event_store_migrations());
  }

  IngestResult ingest(const std::vector<metrics::Event>& events, std::int64_t received_ms, const metrics::Catalog& catalog) override {
    for (int attempt = 1;; ++attempt) {
      std::map<std::string, VisitSummaryState> summed;
      try {
        IngestResult r = pool_.transaction([&](PgConnection& c) { return ingest_batch(c, events, received_ms, catalog, summed); });
        {
          std::lock_guard lock(mu_);
          for (auto& [visit, state] : summed) summaries_.put(visit, std::move(state));
        }
        analyze_as_tables_grow(r.accepted);
        return r;
      } catch (const PgError& e) {
        if (!e.retryable() || attempt == 5) throw;
      }
    }
  }

  json report(const ReportFilter& f) override { return report_figures(runner(), f); }

  json searches(const ReportFilter& f, const std::string& which, const std::string& normalized, size_t limit) override {
    return report_searches(runner(), f, which, normalized, limit);
  }

  json visits(const ReportFilter& f, const std::string& which, size_t limit, const std::string& normalized) override {
    return report_visits(runner(), f, which, limit, normalized);
  }

  std::vector<content::Resolutions> resolutions(const ReportFilter& f) override { return report_resolutions(runner(), f); }
  SearchOutcomes search_outcomes(const ReportFilter& f) override { return report_search_outcomes(runner(), f); }
  void record_decision(const SuggestionDecision& d) override { store_decision(runner(), d); }
  std::vector<SuggestionDecision> decisions() override { return stored_decisions(runner()); }

  bool has_events() override { return pool_.acquire()->exec("SELECT EXISTS (SELECT 1 FROM events)").text(0, 0) == "t"; }

  std::int64_t event_count() override { return pool_.acquire()->exec("SELECT count(*) FROM events").int64(0, 0); }

  std::string visitor_key(const std::function<std::string()>& make) override {
    auto c = pool_.acquire();
    c->exec("INSERT INTO event_store_settings (name, value) VALUES ('visitor_key', $1) ON CONFLICT (name) DO NOTHING", {make()});
    return c->exec("SELECT value FROM event_store_settings WHERE name = 'visitor_key'").text(0, 0);
  }

 private:
  // The reports' shared SQL (?N parameters) in PostgreSQL's words ($N).
  SqlRunner runner() {
    return [this](const std::string& sql, const std::vector<std::string>& params) {
      static const std::regex numbered(R"(\?(\d+))");
      std::vector<PgParam> p(params.begin(), params.end());
      const PgResult r = pool_.acquire()->exec(std::regex_replace(sql, numbered, "$$$1"), p);
      SqlRows rows(static_cast<size_t>(r.rows()));
      const int columns = PQnfields(r.raw());
      for (int i = 0; i < r.rows(); ++i)
        for (int k = 0; k < columns; ++k) rows[static_cast<size_t>(i)].push_back(r.text(i, k));
      return rows;
    };
  }

  IngestResult ingest_batch(PgConnection& c, const std::vector<metrics::Event>& events, std::int64_t received_ms,
                            const metrics::Catalog& catalog, std::map<std::string, VisitSummaryState>& summed) {
    IngestResult r;
    if (events.empty()) return r;
    // Lock the visits (and learn how many events each has), then their visitors.
    std::set<std::string> visit_set, visitor_set;
    for (const auto& e : events) {
      visit_set.insert(e.visit);
      if (!e.visitor.empty()) visitor_set.insert(e.visitor);
    }
    const std::vector<std::string> visits(visit_set.begin(), visit_set.end());
    // One statement: a visit's row is made if it is new, and locked (in the array's order) with its count read.
    std::map<std::string, std::size_t> stored;
    const PgResult counts = c.exec("INSERT INTO visit_event_counts AS c (visit, events) SELECT v, 0 FROM unnest($1::text[]) v "
                                   "ON CONFLICT (visit) DO UPDATE SET events = c.events RETURNING visit, events",
                                   {pg_array(visits)});
    for (int i = 0; i < counts.rows(); ++i) stored[counts.text(i, 0)] = static_cast<std::size_t>(counts.int64(i, 1));
    if (!visitor_set.empty())
      c.exec("SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(v, 20261203) AS h FROM unnest($1::text[]) v ORDER BY h) s",
             {pg_array(std::vector<std::string>(visitor_set.begin(), visitor_set.end()))});

    // The events, at most kMaxEventsPerVisit a visit: a visit with room for the whole batch takes it in one go.
    std::map<std::string, std::size_t> in_batch;
    for (const auto& e : events) ++in_batch[e.visit];
    const std::map<std::string, std::size_t> stored_before = stored;
    std::map<std::string, std::vector<metrics::Event>> added;
    std::vector<const metrics::Event*> roomy;
    for (const auto& e : events)
      if (stored[e.visit] + in_batch[e.visit] <= kMaxEventsPerVisit) roomy.push_back(&e);
    if (!roomy.empty()) {
      Columns rows(3, 2);
      for (const auto* e : roomy) {
        rows.text[0].push_back(e->visit);
        rows.text[1].push_back(e->id);
        rows.text[2].push_back(metrics::to_json(*e).dump());
        rows.numbers[0].push_back(e->at_ms);
        rows.numbers[1].push_back(received_ms);
      }
      const PgResult in = c.exec("INSERT INTO events (visit, id, body, at_ms, received_ms) "
                                 "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) ON CONFLICT DO NOTHING "
                                 "RETURNING visit, id",
                                 rows.params());
      std::set<std::pair<std::string, std::string>> accepted;
      for (int i = 0; i < in.rows(); ++i) accepted.emplace(in.text(i, 0), in.text(i, 1));
      for (const auto* e : roomy) {
        if (accepted.erase({e->visit, e->id})) {
          ++r.accepted;
          ++stored[e->visit];
          added[e->visit].push_back(*e);
        } else {
          ++r.duplicates;
        }
      }
    }
    for (const auto& e : events) {  // the visits near their cap, one event at a time
      if (stored_before.at(e.visit) + in_batch[e.visit] <= kMaxEventsPerVisit) continue;
      if (stored[e.visit] >= kMaxEventsPerVisit) {
        ++(c.exec("SELECT 1 FROM events WHERE visit = $1 AND id = $2", {e.visit, e.id}).rows() ? r.duplicates : r.over_cap);
        continue;
      }
      const PgResult in = c.exec("INSERT INTO events (visit, id, body, at_ms, received_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                                 {e.visit, e.id, metrics::to_json(e).dump(), e.at_ms, received_ms});
      if (in.affected() == 1) {
        ++r.accepted;
        ++stored[e.visit];
        added[e.visit].push_back(e);
      } else {
        ++r.duplicates;
      }
    }
    if (added.empty()) return r;
    {
      std::vector<std::string> v;
      std::vector<std::int64_t> n;
      for (const auto& [visit, list] : added) {
        v.push_back(visit);
        n.push_back(static_cast<std::int64_t>(stored[visit]));
      }
      c.exec("UPDATE visit_event_counts SET events = t.n FROM unnest($1::text[], $2::int[]) t(visit, n) WHERE visit_event_counts.visit = t.visit",
             {pg_array(v), pg_array(n)});
    }

    // The summaries: kept ones still current go on; the others are re-made from every event, read in one query.
    std::map<std::string, std::optional<VisitSummaryState>> kept;
    std::vector<std::string> remake;
    {
      std::lock_guard lock(mu_);
      for (const auto& [visit, list] : added) {
        auto k = summaries_.take(visit, stored_before.at(visit));
        if (needs_all_events(k, list)) remake.push_back(visit);
        kept.emplace(visit, std::move(k));
      }
    }
    std::map<std::string, std::vector<metrics::Event>> all;
    if (!remake.empty()) {
      const PgResult rows = c.exec("SELECT visit, body FROM events WHERE visit = ANY($1::text[])", {pg_array(remake)});
      for (int i = 0; i < rows.rows(); ++i) all[rows.text(i, 0)].push_back(metrics::parse_event(json::parse(rows.text(i, 1))));
    }
    PostgresVisitRows rows;
    std::vector<std::string> judge_visitors;
    std::vector<std::int64_t> judge_from, judge_to;
    for (auto& [visit, list] : added) {
      const std::string& id = visit;
      SummedVisit s = sum_up_visit(std::move(kept[visit]), std::move(list), catalog, [&] { return std::move(all[id]); });
      write_visit_rows(rows, s.before ? &*s.before : nullptr, s.state.written);
      const metrics::VisitSummary& v = s.state.written;
      if (!v.visitor.empty()) {
        judge_visitors.push_back(v.visitor);
        judge_from.push_back(v.start_ms - kRepeatWindowMs - 24LL * 3600 * 1000);
        judge_to.push_back(v.end_ms);
      }
      summed.emplace(visit, std::move(s.state));
    }
    rows.write(c);
    // Repeat contact: the same visitor on the same topic within 7 days after a visit ended. These
    // visits and their visitors' visits shortly before them are judged again.
    if (!judge_visitors.empty())
      c.exec("WITH around AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t(visitor, lo, hi)), "
             "judged AS (SELECT DISTINCT v.visit FROM visits v JOIN around a ON v.visitor = a.visitor AND v.start_ms BETWEEN a.lo AND a.hi), "
             "marks AS (SELECT v.visit, CASE WHEN v.topic != '' AND EXISTS (SELECT 1 FROM visits w WHERE w.visitor = v.visitor AND "
             "w.topic = v.topic AND w.visit != v.visit AND w.start_ms > v.end_ms AND w.start_ms <= v.end_ms + $4) THEN 1 ELSE 0 END AS mark "
             "FROM visits v JOIN judged USING (visit)) "
             "UPDATE visits SET repeat_contact = m.mark FROM marks m WHERE visits.visit = m.visit AND visits.repeat_contact != m.mark",
             {pg_array(judge_visitors), pg_array(judge_from), pg_array(judge_to), kRepeatWindowMs});
    return r;
  }

  // The statements are prepared once per connection, and their plans follow
  // the tables' statistics: plans made while the tables were nearly empty
  // read them whole. Autovacuum re-counts them only now and then, so this
  // store does too, each time as many events again have arrived through
  // it (5 k, 10 k, 20 k, ...): ANALYZE samples, so it stays cheap at any size.
  void analyze_as_tables_grow(std::size_t accepted) {
    const std::size_t total = accepted_ += accepted;
    std::size_t due = next_analyze_.load();
    if (total < due || !next_analyze_.compare_exchange_strong(due, due * 2)) return;
    pool_.acquire()->exec("ANALYZE events, visit_event_counts, visits, searches, flows, articles");
  }

  PgPool pool_;
  std::atomic<std::size_t> accepted_{0}, next_analyze_{5000};
  std::mutex mu_;  // guards summaries_
  VisitSummaries summaries_;
};

}  // namespace

std::unique_ptr<EventStore> open_postgres_event_store(const std::string& conninfo, std::size_t connections) {
  return std::make_unique<PostgresEventStore>(conninfo, connections);
}

}  // namespace firstfix::server
