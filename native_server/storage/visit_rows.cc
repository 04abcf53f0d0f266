#include "native_server/storage/visit_rows.h"

#include <SQLiteCpp/VariadicBind.h>

#include <tuple>

namespace firstfix::server {
namespace {

using metrics::VisitSummary;

// The columns of a visit's own row.
auto visit_columns(const VisitSummary& v) {
  return std::tie(v.visitor, v.locale, v.topic, v.day, v.start_ms, v.end_ms, v.self_service, v.self_service_success, v.offered,
                  v.escalated, v.declined, v.trigger, v.resolved, v.resolution_ms, v.satisfaction, v.chat, v.chat_disposition);
}

// Whether `after` only appends to `before` and changes items in place (what a
// summarizer fed events in order does): then rows can be diffed by position.
template <class T, class Key>
bool same_keys(const std::vector<T>& before, const std::vector<T>& after, Key key) {
  if (after.size() < before.size()) return false;
  for (size_t i = 0; i < before.size(); ++i)
    if (key(before[i]) != key(after[i])) return false;
  return true;
}

}  // namespace

void VisitRows::replace(const VisitSummary& v) {
  SQLite::Statement& was = statement_("SELECT day FROM visits WHERE visit = ?");
  was.bind(1, v.visit);
  if (was.executeStep()) {
    const std::string day = was.getColumn(0).getString();
    was.reset();  // a statement left on a row keeps its read transaction open
    erase_all(day, v.visit);
  }
  insert_visit(v);
  for (const auto& s : v.searches) insert_search(v, s);
  for (const auto& f : v.flows) insert_flow(v, f);
  for (const auto& a : v.articles) insert_article(v, a);
}

void VisitRows::update(const VisitSummary& before, const VisitSummary& after) {
  const auto search_key = [](const metrics::SearchSummary& s) { return s.search_id; };
  const auto flow_key = [](const metrics::FlowSummary& f) { return f.session; };
  const auto article_key = [](const metrics::ArticleSummary& a) { return a.article; };
  // The rows carry the visit's day, language and topic: when one of those moves, every row does.
  if (before.visit != after.visit || before.day != after.day || before.locale != after.locale || before.topic != after.topic ||
      !same_keys(before.searches, after.searches, search_key) || !same_keys(before.flows, after.flows, flow_key) ||
      !same_keys(before.articles, after.articles, article_key))
    return replace(after);
  if (visit_columns(before) != visit_columns(after) || before.searches.size() != after.searches.size()) {
    SQLite::Statement& d = statement_("DELETE FROM visits WHERE day = ? AND visit = ?");
    d.bind(1, before.day);
    d.bind(2, before.visit);
    d.exec();
    insert_visit(after);
  }
  // Rows whose item changed are replaced (delete, then insert: the triggers keep the day totals); new items are added.
  auto diff = [&](const auto& old_items, const auto& new_items, const char* table, const char* column, auto key, auto insert) {
    for (size_t i = 0; i < new_items.size(); ++i) {
      if (i < old_items.size() && old_items[i] == new_items[i]) continue;
      if (i < old_items.size()) erase(table, column, before, key(old_items[i]));
      insert(after, new_items[i]);
    }
  };
  diff(before.searches, after.searches, "searches", "search_id", search_key,
       [this](const VisitSummary& v, const metrics::SearchSummary& s) { insert_search(v, s); });
  diff(before.flows, after.flows, "flows", "session", flow_key,
       [this](const VisitSummary& v, const metrics::FlowSummary& f) { insert_flow(v, f); });
  diff(before.articles, after.articles, "articles", "article", article_key,
       [this](const VisitSummary& v, const metrics::ArticleSummary& a) { insert_article(v, a); });
}

void VisitRows::erase_all(const std::string& day, const std::string& visit) {
  for (const char* table : {"visits", "searches", "flows", "articles"}) {
    SQLite::Statement& d = statement_(std::string("DELETE FROM ") + table + " WHERE day = ? AND visit = ?");
    d.bind(1, day);
    d.bind(2, visit);
    d.exec();
  }
}

void VisitRows::erase(const char* table, const char* key_column, const VisitSummary& v, const std::string& key) {
  SQLite::Statement& d = statement_(std::string("DELETE FROM ") + table + " WHERE day = ? AND visit = ? AND " + key_column + " = ?");
  d.bind(1, v.day);
  d.bind(2, v.visit);
  d.bind(3, key);
  d.exec();
}

void VisitRows::insert_visit(const VisitSummary& v) {
  SQLite::Statement& q = statement_("INSERT INTO visits (visit, visitor, locale, topic, day, start_ms, end_ms, searches, self_service, "
                                    "self_service_success, offered, escalated, declined, trigger, resolved, resolution_ms, satisfaction, "
                                    "chat, chat_disposition) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  SQLite::bind(q, v.visit, v.visitor, v.locale, v.topic, v.day, static_cast<int64_t>(v.start_ms), static_cast<int64_t>(v.end_ms),
               static_cast<int>(v.searches.size()), v.self_service, v.self_service_success, v.offered, v.escalated, v.declined,
               v.trigger, v.resolved, static_cast<int64_t>(v.resolution_ms), v.satisfaction, v.chat, v.chat_disposition);
  q.exec();
}

void VisitRows::insert_search(const VisitSummary& v, const metrics::SearchSummary& s) {
  SQLite::Statement& q = statement_("INSERT INTO searches (visit, search_id, day, locale, topic, at_ms, query, normalized, results, "
                                    "click_position, success) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  SQLite::bind(q, v.visit, s.search_id, v.day, v.locale, v.topic, static_cast<int64_t>(s.at_ms), s.query, s.normalized, s.results,
               s.click_position, s.success);
  q.exec();
}

void VisitRows::insert_flow(const VisitSummary& v, const metrics::FlowSummary& f) {
  SQLite::Statement& q = statement_("INSERT INTO flows (visit, session, day, locale, topic, flow, done_state, failed_steps) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  SQLite::bind(q, v.visit, f.session, v.day, v.locale, v.topic, f.flow, f.done_state, f.failed_steps);
  q.exec();
}

void VisitRows::insert_article(const VisitSummary& v, const metrics::ArticleSummary& a) {
  SQLite::Statement& q = statement_("INSERT INTO articles (visit, article, day, locale, topic, views, vote) VALUES (?, ?, ?, ?, ?, ?, ?)");
  SQLite::bind(q, v.visit, a.article, v.day, v.locale, v.topic, a.views, a.vote);
  q.exec();
}

}  // namespace firstfix::server
