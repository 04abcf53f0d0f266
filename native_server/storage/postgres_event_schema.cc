// The reports' tables in PostgreSQL: events.db's (sqlite_event_schema.cc)
// in PostgreSQL's words, with two changes for several servers writing at
// once. Each visit has a row in visit_event_counts, locked by the server
// summing it up (so a visit is summed by one server at a time, and its
// count says whether a summary kept in memory is still current); and the
// day totals are kept by statement-level triggers over transition tables,
// so a batch of rows costs one aggregated upsert per total table, not one
// per row. Text is compared byte by byte (COLLATE "C"), as SQLite does, so
// both engines sort and pick examples alike. Appended to, never edited.
#include "native_server/storage/postgres_event_store.h"

namespace firstfix::server {
namespace {

// Adds the grouped rows of `changed` (times `sign`: 1 inserted, -1 deleted) to a day-total table.
std::string add_totals(const std::string& table, const std::string& keys, const std::string& columns, const std::string& sums,
                       const std::string& where = "") {
  std::string set;
  size_t start = 0;
  while (start <= columns.size()) {
    size_t comma = columns.find(',', start);
    if (comma == std::string::npos) comma = columns.size();
    std::string c = columns.substr(start, comma - start);
    c.erase(0, c.find_first_not_of(' '));
    set += (set.empty() ? "" : ", ") + c + " = d." + c + " + excluded." + c;
    start = comma + 1;
  }
  return "INSERT INTO " + table + " AS d (" + keys + ", " + columns + ") SELECT " + keys + ", " + sums + " FROM changed " + where +
         " GROUP BY " + keys + " ORDER BY " + keys + " ON CONFLICT (" + keys + ") DO UPDATE SET " + set + ";\n";
}

std::string flag(const std::string& condition) { return "CASE WHEN " + condition + " THEN 1 ELSE 0 END"; }

std::string trigger_function(const std::string& name, const std::string& body) {
  return "CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
         "DECLARE s integer := CASE TG_OP WHEN 'DELETE' THEN -1 ELSE 1 END;\nBEGIN\n" + body + "RETURN NULL;\nEND $body$;\n";
}

std::string triggers_on(const std::string& table, const std::string& function) {
  return "CREATE TRIGGER " + table + "_added AFTER INSERT ON " + table + " REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION " +
         function + "();\nCREATE TRIGGER " + table + "_removed AFTER DELETE ON " + table +
         " REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION " + function + "();\n";
}

const std::string kVisitDayColumns =
    "visits, self_service, self_service_success, offered, escalated, declined, resolved, resolved_kept, known, repeat_contact, rated, "
    "rating_sum, satisfied, chats";

std::string first_migration() {
  std::string sql = R"(
    CREATE TABLE events (
      visit TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, at_ms BIGINT NOT NULL, received_ms BIGINT NOT NULL, body TEXT COLLATE "C" NOT NULL,
      PRIMARY KEY (visit, id));
    CREATE TABLE visit_event_counts (visit TEXT COLLATE "C" PRIMARY KEY, events INTEGER NOT NULL);
    CREATE TABLE event_store_settings (name TEXT COLLATE "C" PRIMARY KEY, value TEXT COLLATE "C" NOT NULL);
    CREATE TABLE visits (
      day TEXT COLLATE "C" NOT NULL, visit TEXT COLLATE "C" NOT NULL, visitor TEXT COLLATE "C" NOT NULL, locale TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL,
      start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL, searches INTEGER NOT NULL, self_service INTEGER NOT NULL,
      self_service_success INTEGER NOT NULL, offered INTEGER NOT NULL, escalated INTEGER NOT NULL, declined INTEGER NOT NULL,
      trigger TEXT COLLATE "C" NOT NULL, resolved INTEGER NOT NULL, resolution_ms BIGINT NOT NULL, repeat_contact INTEGER NOT NULL DEFAULT 0,
      satisfaction INTEGER NOT NULL, chat INTEGER NOT NULL, chat_disposition TEXT COLLATE "C" NOT NULL,
      PRIMARY KEY (day, visit));
    CREATE UNIQUE INDEX visits_by_id ON visits(visit);
    CREATE INDEX visits_by_visitor ON visits(visitor, start_ms);
    CREATE INDEX resolved_visits ON visits(day, locale, topic, resolution_ms) WHERE resolved != 0;
    CREATE TABLE searches (
      day TEXT COLLATE "C" NOT NULL, visit TEXT COLLATE "C" NOT NULL, search_id TEXT COLLATE "C" NOT NULL, locale TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL, at_ms BIGINT NOT NULL,
      query TEXT COLLATE "C" NOT NULL, normalized TEXT COLLATE "C" NOT NULL, results INTEGER NOT NULL, click_position INTEGER NOT NULL, success INTEGER NOT NULL,
      PRIMARY KEY (day, visit, search_id));
    CREATE TABLE flows (
      day TEXT COLLATE "C" NOT NULL, visit TEXT COLLATE "C" NOT NULL, session TEXT COLLATE "C" NOT NULL, locale TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL, flow TEXT COLLATE "C" NOT NULL,
      done_state TEXT COLLATE "C" NOT NULL, failed_steps INTEGER NOT NULL,
      PRIMARY KEY (day, visit, session));
    CREATE TABLE articles (
      day TEXT COLLATE "C" NOT NULL, visit TEXT COLLATE "C" NOT NULL, article TEXT COLLATE "C" NOT NULL, locale TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL, views INTEGER NOT NULL,
      vote INTEGER NOT NULL,
      PRIMARY KEY (day, visit, article));
    CREATE TABLE visit_days (
      day TEXT COLLATE "C" NOT NULL, locale TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL,
      visits BIGINT NOT NULL, self_service BIGINT NOT NULL, self_service_success BIGINT NOT NULL, offered BIGINT NOT NULL,
      escalated BIGINT NOT NULL, declined BIGINT NOT NULL, resolved BIGINT NOT NULL, resolved_kept BIGINT NOT NULL, known BIGINT NOT NULL,
      repeat_contact BIGINT NOT NULL, rated BIGINT NOT NULL, rating_sum BIGINT NOT NULL, satisfied BIGINT NOT NULL, chats BIGINT NOT NULL,
      PRIMARY KEY (day, locale, topic));
    CREATE TABLE trigger_days (
      day TEXT COLLATE "C" NOT NULL, locale TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL, trigger TEXT COLLATE "C" NOT NULL, escalations BIGINT NOT NULL,
      PRIMARY KEY (day, locale, topic, trigger));
    CREATE TABLE search_days (
      day TEXT COLLATE "C" NOT NULL, locale TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL, searches BIGINT NOT NULL, no_results BIGINT NOT NULL,
      clicked BIGINT NOT NULL, click_positions BIGINT NOT NULL, successes BIGINT NOT NULL,
      PRIMARY KEY (day, locale, topic));
    CREATE TABLE gap_days (
      day TEXT COLLATE "C" NOT NULL, locale TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL, normalized TEXT COLLATE "C" NOT NULL, searches BIGINT NOT NULL,
      no_results BIGINT NOT NULL, no_clicks BIGINT NOT NULL, example TEXT COLLATE "C" NOT NULL,
      PRIMARY KEY (day, locale, topic, normalized));
    CREATE TABLE flow_days (
      day TEXT COLLATE "C" NOT NULL, locale TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL, flow TEXT COLLATE "C" NOT NULL, done_state TEXT COLLATE "C" NOT NULL, sessions BIGINT NOT NULL,
      PRIMARY KEY (day, locale, topic, flow, done_state));
    CREATE TABLE article_days (
      day TEXT COLLATE "C" NOT NULL, locale TEXT COLLATE "C" NOT NULL, topic TEXT COLLATE "C" NOT NULL, article TEXT COLLATE "C" NOT NULL, entries BIGINT NOT NULL, views BIGINT NOT NULL,
      helpful BIGINT NOT NULL, not_helpful BIGINT NOT NULL,
      PRIMARY KEY (day, locale, topic, article));
  )";
  sql += trigger_function(
      "visits_counted",
      add_totals("visit_days", "day, locale, topic", kVisitDayColumns,
                 "s * count(*), s * sum(self_service), s * sum(self_service_success), s * sum(offered), s * sum(escalated), s * sum(declined), "
                 "s * sum(resolved), s * sum(" + flag("resolved != 0 AND repeat_contact = 0") + "), s * sum(" +
                     flag("visitor != '' AND topic != ''") + "), s * sum(repeat_contact), s * sum(" + flag("satisfaction > 0") +
                     "), s * sum(satisfaction), s * sum(" + flag("satisfaction >= 4") + "), s * sum(chat)") +
          add_totals("trigger_days", "day, locale, topic, trigger", "escalations", "s * count(*)", "WHERE escalated != 0"));
  sql += triggers_on("visits", "visits_counted");
  // A visit judged again (repeat contact): only its repeat mark changes.
  sql += R"(CREATE FUNCTION visits_rejudged() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  INSERT INTO visit_days AS d (day, locale, topic, )" + kVisitDayColumns + R"()
    SELECT n.day, n.locale, n.topic, 0, 0, 0, 0, 0, 0, 0,
      sum()" + flag("n.resolved != 0 AND n.repeat_contact = 0") + " - " + flag("o.resolved != 0 AND o.repeat_contact = 0") + R"(),
      0, sum(n.repeat_contact - o.repeat_contact), 0, 0, 0, 0
    FROM old_rows o JOIN new_rows n ON n.visit = o.visit
    GROUP BY n.day, n.locale, n.topic ORDER BY n.day, n.locale, n.topic
    ON CONFLICT (day, locale, topic) DO UPDATE SET repeat_contact = d.repeat_contact + excluded.repeat_contact,
      resolved_kept = d.resolved_kept + excluded.resolved_kept;
  RETURN NULL;
END $body$;
CREATE TRIGGER visits_rejudged AFTER UPDATE ON visits REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION visits_rejudged();
)";
  sql += trigger_function(
      "searches_counted",
      add_totals("search_days", "day, locale, topic", "searches, no_results, clicked, click_positions, successes",
                 "s * count(*), s * sum(" + flag("results = 0") + "), s * sum(" + flag("click_position > 0") +
                     "), s * sum(click_position), s * sum(success)") +
          // The example only grows (as max(query) over the searches would give); a removed search leaves it.
          "INSERT INTO gap_days AS d (day, locale, topic, normalized, searches, no_results, no_clicks, example) "
          "SELECT day, locale, topic, normalized, s * count(*), s * sum(" + flag("results = 0") + "), s * sum(" + flag("click_position = 0") +
          "), max(query) FROM changed GROUP BY day, locale, topic, normalized ORDER BY day, locale, topic, normalized "
          "ON CONFLICT (day, locale, topic, normalized) DO UPDATE SET searches = d.searches + excluded.searches, "
          "no_results = d.no_results + excluded.no_results, no_clicks = d.no_clicks + excluded.no_clicks, "
          "example = CASE WHEN s > 0 THEN greatest(d.example, excluded.example) ELSE d.example END;\n");
  sql += triggers_on("searches", "searches_counted");
  sql += trigger_function("flows_counted", add_totals("flow_days", "day, locale, topic, flow, done_state", "sessions", "s * count(*)"));
  sql += triggers_on("flows", "flows_counted");
  sql += trigger_function("articles_counted",
                          add_totals("article_days", "day, locale, topic, article", "entries, views, helpful, not_helpful",
                                     "s * count(*), s * sum(views), s * sum(" + flag("vote = 1") + "), s * sum(" + flag("vote = -1") + ")"));
  sql += triggers_on("articles", "articles_counted");
  return sql;
}

}  // namespace

const std::vector<std::string>& postgres_event_store_migrations() {
  static const std::vector<std::string> migrations = {
      first_migration(),
      // Who started each flow: verified (the host site signed the customer), claimed, anonymous; "" before it was recorded.
      "ALTER TABLE flows ADD COLUMN identity TEXT COLLATE \"C\" NOT NULL DEFAULT ''",
      // What resolved each successful search ("article:ID", "flow:ID"; "" before it was recorded): search learning pairs them.
      "ALTER TABLE searches ADD COLUMN resolved_by TEXT COLLATE \"C\" NOT NULL DEFAULT ''",
      // Editors' decisions on search-learning suggestions, newest last: the audit, and what undoing one restores.
      "CREATE TABLE suggestion_decisions (seq BIGSERIAL PRIMARY KEY, suggestion TEXT COLLATE \"C\" NOT NULL, decision TEXT COLLATE \"C\" NOT NULL, "
      "editor TEXT NOT NULL, at_ms BIGINT NOT NULL, detail TEXT NOT NULL)",
  };
  return migrations;
}

}  // namespace firstfix::server
