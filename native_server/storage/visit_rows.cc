#include "native_server/storage/visit_rows.h"

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

void replace(VisitRowWriter& out, const VisitSummary& v) {
  out.erase_visit(v.visit);
  out.insert_visit(v);
  for (const auto& s : v.searches) out.insert_search(v, s);
  for (const auto& f : v.flows) out.insert_flow(v, f);
  for (const auto& a : v.articles) out.insert_article(v, a);
}

}  // namespace

const char* visit_table_name(VisitTable t) {
  switch (t) {
    case VisitTable::kVisits: return "visits";
    case VisitTable::kSearches: return "searches";
    case VisitTable::kFlows: return "flows";
    case VisitTable::kArticles: return "articles";
  }
  return "";
}

const char* visit_table_key(VisitTable t) {
  switch (t) {
    case VisitTable::kVisits: return "visit";
    case VisitTable::kSearches: return "search_id";
    case VisitTable::kFlows: return "session";
    case VisitTable::kArticles: return "article";
  }
  return "";
}

void write_visit_rows(VisitRowWriter& out, const VisitSummary* before_or_null, const VisitSummary& after) {
  if (!before_or_null) return replace(out, after);
  const VisitSummary& before = *before_or_null;
  const auto search_key = [](const metrics::SearchSummary& s) { return s.search_id; };
  const auto flow_key = [](const metrics::FlowSummary& f) { return f.session; };
  const auto article_key = [](const metrics::ArticleSummary& a) { return a.article; };
  // The rows carry the visit's day, language and topic: when one of those moves, every row does.
  if (before.visit != after.visit || before.day != after.day || before.locale != after.locale || before.topic != after.topic ||
      !same_keys(before.searches, after.searches, search_key) || !same_keys(before.flows, after.flows, flow_key) ||
      !same_keys(before.articles, after.articles, article_key))
    return replace(out, after);
  if (visit_columns(before) != visit_columns(after) || before.searches.size() != after.searches.size()) {
    out.erase_row(VisitTable::kVisits, before.day, before.visit, before.visit);
    out.insert_visit(after);
  }
  // Rows whose item changed are replaced (erased, then inserted: the triggers keep the day totals); new items are added.
  auto diff = [&](const auto& old_items, const auto& new_items, VisitTable table, auto key, auto insert) {
    for (size_t i = 0; i < new_items.size(); ++i) {
      if (i < old_items.size() && old_items[i] == new_items[i]) continue;
      if (i < old_items.size()) out.erase_row(table, before.day, before.visit, key(old_items[i]));
      insert(after, new_items[i]);
    }
  };
  diff(before.searches, after.searches, VisitTable::kSearches, search_key,
       [&](const VisitSummary& v, const metrics::SearchSummary& s) { out.insert_search(v, s); });
  diff(before.flows, after.flows, VisitTable::kFlows, flow_key, [&](const VisitSummary& v, const metrics::FlowSummary& f) { out.insert_flow(v, f); });
  diff(before.articles, after.articles, VisitTable::kArticles, article_key,
       [&](const VisitSummary& v, const metrics::ArticleSummary& a) { out.insert_article(v, a); });
}

}  // namespace firstfix::server
