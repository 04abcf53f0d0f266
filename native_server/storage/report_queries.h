// The reports' figures, drill-downs and visit histories as SQL both event
// stores run (SQLite and PostgreSQL keep the same tables, day totals
// included), so the two engines answer the same by construction. The SQL
// is written once, with ?N parameters and integer flags compared
// explicitly (`resolved != 0`); each store runs it its own way.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "core/content/suggested.h"
#include "native_server/storage/event_store.h"

namespace firstfix::server {

// A query's rows, every value as text (SQL NULL as "").
using SqlRows = std::vector<std::vector<std::string>>;
// Runs `sql` with ?1..?N bound to `params` (text), in order.
using SqlRunner = std::function<SqlRows(const std::string& sql, const std::vector<std::string>& params)>;

nlohmann::json report_figures(const SqlRunner& run, const ReportFilter& filter);
// `which`: all, no_results, no_clicks, failed; throws std::invalid_argument otherwise.
nlohmann::json report_searches(const SqlRunner& run, const ReportFilter& filter, const std::string& which,
                               const std::string& normalized, size_t limit);
// How often each article and flow resolved a problem (core/content/suggested.h):
// flow sessions that reached `resolved`, article reads without a "not helpful" vote.
std::vector<content::Resolutions> report_resolutions(const SqlRunner& run, const ReportFilter& filter);
// What each query form's searches came to, and the phrasings typed for it (core/metrics/learning.h).
SearchOutcomes report_search_outcomes(const SqlRunner& run, const ReportFilter& filter);
void store_decision(const SqlRunner& run, const SuggestionDecision& decision);
std::vector<SuggestionDecision> stored_decisions(const SqlRunner& run);
// `which`: all, escalated, resolved, unresolved, repeat; each visit with its events in order.
nlohmann::json report_visits(const SqlRunner& run, const ReportFilter& filter, const std::string& which, size_t limit,
                             const std::string& normalized = "");

}  // namespace firstfix::server
