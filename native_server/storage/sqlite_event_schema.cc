#include "native_server/storage/sqlite_event_schema.h"

namespace firstfix::server {

const std::vector<std::string>& event_store_migrations() {
  static const std::vector<std::string> migrations = {
    R"(-- A visit's events together (a visit is re-made from them when its events arrive out of order), and
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
    // Who started each flow: verified (the host site signed the customer), claimed, anonymous; "" before it was recorded.
    "ALTER TABLE flows ADD COLUMN identity TEXT NOT NULL DEFAULT '';",
    // What resolved each successful search ("article:ID", "flow:ID"; "" before it was recorded): search learning pairs them.
    "ALTER TABLE searches ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '';",
    // Editors' decisions on search-learning suggestions, newest last: the audit, and what undoing one restores.
    "CREATE TABLE suggestion_decisions (seq INTEGER PRIMARY KEY AUTOINCREMENT, suggestion TEXT NOT NULL, decision TEXT NOT NULL, "
    "editor TEXT NOT NULL, at_ms INTEGER NOT NULL, detail TEXT NOT NULL);",
};
  return migrations;
}

}  // namespace firstfix::server
