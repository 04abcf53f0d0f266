// A visit summary as rows of the event store (visits, searches, flows,
// articles; the day totals follow them, kept by triggers). Written whole
// when a visit is new or re-made from its events, and otherwise only what
// changed since the summary last written, so a batch costs the same
// however long the visit has been going. The diff is decided here once;
// each engine writes the rows its own way (SQLite one statement at a time,
// PostgreSQL a batch's rows per statement).
#pragma once

#include <string>

#include "core/metrics/visit.h"

namespace firstfix::server {

enum class VisitTable { kVisits, kSearches, kFlows, kArticles };

class VisitRowWriter {
 public:
  virtual ~VisitRowWriter() = default;
  // Every row of the visit, whatever day its rows are on now.
  virtual void erase_visit(const std::string& visit) = 0;
  // One row: the visit's own (key ignored), or one search, flow or article of it by its key.
  virtual void erase_row(VisitTable table, const std::string& day, const std::string& visit, const std::string& key) = 0;
  virtual void insert_visit(const metrics::VisitSummary& v) = 0;
  virtual void insert_search(const metrics::VisitSummary& v, const metrics::SearchSummary& s) = 0;
  virtual void insert_flow(const metrics::VisitSummary& v, const metrics::FlowSummary& f) = 0;
  virtual void insert_article(const metrics::VisitSummary& v, const metrics::ArticleSummary& a) = 0;
};

// Makes the rows hold `after`. `before` is what they hold now, or nullptr
// when that is not known (the visit is new, or re-made): then they are replaced.
void write_visit_rows(VisitRowWriter& out, const metrics::VisitSummary* before, const metrics::VisitSummary& after);

// The key column of each table's items (for erase_row), and the table's name.
const char* visit_table_name(VisitTable t);
const char* visit_table_key(VisitTable t);

}  // namespace firstfix::server
