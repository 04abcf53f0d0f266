// A visit summary as rows of events.db (visits, searches, flows, articles;
// triggers keep the day totals from them). Written whole when a visit is
// new or re-made from its events, and otherwise only what changed since
// the summary last written, so a batch costs the same however long the
// visit has been going.
#pragma once

#include "core/metrics/visit.h"
#include "native_server/storage/sqlite_statements.h"

namespace firstfix::server {

class VisitRows {
 public:
  explicit VisitRows(StatementCache& statements) : statement_(statements) {}
  // Replaces whatever rows the visit has with `v`'s.
  void replace(const metrics::VisitSummary& v);
  // Writes `after` over `before`, which is what the rows hold now.
  void update(const metrics::VisitSummary& before, const metrics::VisitSummary& after);

 private:
  void erase_all(const std::string& day, const std::string& visit);
  void erase(const char* table, const char* key_column, const metrics::VisitSummary& v, const std::string& key);
  void insert_visit(const metrics::VisitSummary& v);
  void insert_search(const metrics::VisitSummary& v, const metrics::SearchSummary& s);
  void insert_flow(const metrics::VisitSummary& v, const metrics::FlowSummary& f);
  void insert_article(const metrics::VisitSummary& v, const metrics::ArticleSummary& a);

  StatementCache& statement_;
};

}  // namespace firstfix::server
