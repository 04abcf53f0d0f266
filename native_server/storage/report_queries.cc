#include "native_server/storage/report_queries.h"

#include <algorithm>
#include <map>

#include "core/metrics/visit.h"

namespace firstfix::server {
namespace {

using nlohmann::json;

double ratio(std::int64_t part, std::int64_t whole) { return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0; }

std::int64_t number(const std::string& s) { return s.empty() ? 0 : std::stoll(s); }

// The previous period of the same length, for trends.
std::pair<std::string, std::string> previous_period(const std::string& from, const std::string& to) {
  const std::int64_t a = metrics::utc_day_start(from), b = metrics::utc_day_start(to);
  const std::int64_t length = b - a + metrics::kDayMs;
  return {metrics::utc_day(a - length), metrics::utc_day(a - metrics::kDayMs)};
}

// Parameters 1..4: from, to, locale ("" = any), category ("" = any).
const std::string kWhere = "day BETWEEN ?1 AND ?2 AND (?3 = '' OR locale = ?3) AND (?4 = '' OR topic = ?4)";

std::vector<std::string> params(const ReportFilter& f) { return {f.from, f.to, f.locale, f.category}; }

// The queries people did not find an answer to, grouped by their
// normalized form: most unanswered first, with the previous period's count.
json gaps(const SqlRunner& run, const ReportFilter& f) {
  json out = json::array();
  // The example is the greatest query of the form (as max(query) over the searches would give), from days that still have one.
  for (const auto& r : run("SELECT normalized, max(CASE WHEN searches > 0 THEN example END), sum(searches), sum(no_results), sum(no_clicks) "
                           "FROM gap_days WHERE " + kWhere +
                               " GROUP BY normalized HAVING sum(no_clicks) > 0 ORDER BY sum(no_clicks) DESC, sum(searches) DESC, normalized LIMIT 25",
                           params(f)))
    out.push_back({{"normalized", r[0]}, {"example", r[1]}, {"searches", number(r[2])}, {"no_results", number(r[3])},
                   {"no_clicks", number(r[4])}, {"previous_no_clicks", 0}});
  if (out.empty()) return out;
  const auto [from, to] = previous_period(f.from, f.to);
  ReportFilter before = f;
  before.from = from;
  before.to = to;
  std::vector<std::string> p = params(before);
  std::string in;
  for (size_t i = 0; i < out.size(); ++i) {
    in += std::string(i ? ", " : "") + "?" + std::to_string(5 + i);
    p.push_back(out[i]["normalized"].get<std::string>());
  }
  std::map<std::string, std::int64_t> previous;
  for (const auto& r : run("SELECT normalized, sum(no_clicks) FROM gap_days WHERE " + kWhere + " AND normalized IN (" + in + ") GROUP BY normalized", p))
    previous[r[0]] = number(r[1]);
  for (auto& g : out) {
    g["previous_no_clicks"] = previous[g["normalized"].get<std::string>()];
    g["trend"] = g["no_clicks"].get<std::int64_t>() - g["previous_no_clicks"].get<std::int64_t>();
  }
  return out;
}

}  // namespace

json report_figures(const SqlRunner& run, const ReportFilter& f) {
  json out;
  out["range"] = {{"from", f.from}, {"to", f.to}};
  out["filters"] = {{"locale", f.locale}, {"category", f.category}};
  {
    // The day totals (visit_days and the like, kept by triggers): a year is a few thousand rows.
    const auto rows = run("SELECT coalesce(sum(visits), 0), coalesce(sum(self_service), 0), coalesce(sum(self_service_success), 0), "
                          "coalesce(sum(offered), 0), coalesce(sum(escalated), 0), coalesce(sum(declined), 0), coalesce(sum(resolved), 0), "
                          "coalesce(sum(resolved_kept), 0), coalesce(sum(known), 0), coalesce(sum(repeat_contact), 0), coalesce(sum(rated), 0), "
                          "coalesce(sum(rating_sum), 0), coalesce(sum(satisfied), 0), coalesce(sum(chats), 0) FROM visit_days WHERE " + kWhere,
                          params(f));
    const auto n = [&](int i) { return number(rows.at(0).at(static_cast<size_t>(i))); };
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
    const auto rows = run("SELECT coalesce(sum(searches), 0), coalesce(sum(no_results), 0), coalesce(sum(clicked), 0), "
                          "coalesce(sum(click_positions), 0), coalesce(sum(successes), 0) FROM search_days WHERE " + kWhere,
                          params(f));
    const auto n = [&](int i) { return number(rows.at(0).at(static_cast<size_t>(i))); };
    out["searches"] = n(0);
    out["no_result_rate"] = ratio(n(1), n(0));
    out["click_through_rate"] = ratio(n(2), n(0));
    out["mean_click_position"] = ratio(n(3), n(2));
    out["search_success_rate"] = ratio(n(4), n(0));
  }
  {
    json triggers = json::object();
    for (const auto& r : run("SELECT trigger, sum(escalations) FROM trigger_days WHERE " + kWhere +
                                 " GROUP BY trigger HAVING sum(escalations) > 0 ORDER BY trigger",
                             params(f)))
      triggers[r[0].empty() ? "contact" : r[0]] = number(r[1]);
    out["escalation_triggers"] = triggers;
  }
  {
    // Time to resolution: the median and the 90th percentile of resolved visits, in one sorted pass.
    std::vector<std::int64_t> times;
    for (const auto& r : run("SELECT resolution_ms FROM visits WHERE " + kWhere + " AND resolved != 0 ORDER BY resolution_ms", params(f)))
      times.push_back(number(r[0]));
    const size_t n = times.size();
    auto at = [&](size_t k) -> std::int64_t { return n ? times[std::min(k, n - 1)] : 0; };
    out["time_to_resolution"] = {{"resolved", n}, {"median_ms", at(n ? (n - 1) / 2 : 0)}, {"p90_ms", at(n ? (n * 9 + 9) / 10 - 1 : 0)}};
  }
  {
    json flows = json::array();
    std::map<std::string, size_t> at;
    std::int64_t starts = 0, completed = 0;
    for (const auto& r : run("SELECT flow, sum(sessions), sum(CASE WHEN done_state != '' THEN sessions ELSE 0 END) FROM flow_days WHERE " +
                                 kWhere + " GROUP BY flow HAVING sum(sessions) > 0 ORDER BY sum(sessions) DESC, flow",
                             params(f))) {
      at[r[0]] = flows.size();
      const std::int64_t s = number(r[1]), c = number(r[2]);
      starts += s;
      completed += c;
      flows.push_back({{"flow", r[0]}, {"starts", s}, {"completed", c}, {"completion_rate", ratio(c, s)}, {"done_states", json::object()}});
    }
    for (const auto& r : run("SELECT flow, done_state, sum(sessions) FROM flow_days WHERE " + kWhere +
                                 " AND done_state != '' GROUP BY flow, done_state HAVING sum(sessions) > 0",
                             params(f)))
      flows[at[r[0]]]["done_states"][r[1]] = number(r[2]);
    // Who started them: customers the host site signed (verified), named by the page only (claimed); the rest anonymous.
    for (auto& flow : flows) flow["customers"] = {{"verified", 0}, {"claimed", 0}};
    for (const auto& r : run("SELECT flow, identity, count(*) FROM flows WHERE " + kWhere +
                                 " AND identity IN ('verified', 'claimed') GROUP BY flow, identity",
                             params(f)))
      if (auto it = at.find(r[0]); it != at.end()) flows[it->second]["customers"][r[1]] = number(r[2]);
    out["flows"] = flows;
    out["flow_starts"] = starts;
    out["flow_completion_rate"] = ratio(completed, starts);
  }
  {
    json articles = json::array();
    for (const auto& r : run("SELECT article, sum(views), sum(helpful), sum(not_helpful) FROM article_days WHERE " + kWhere +
                                 " GROUP BY article HAVING sum(entries) > 0 ORDER BY sum(views) DESC, article LIMIT 100",
                             params(f))) {
      const std::int64_t yes = number(r[2]), no = number(r[3]);
      articles.push_back({{"article", r[0]}, {"views", number(r[1])}, {"helpful", yes}, {"not_helpful", no},
                          {"helpfulness", yes + no > 0 ? json(ratio(yes, yes + no)) : json(nullptr)}});
    }
    out["articles"] = articles;
  }
  out["content_gaps"] = gaps(run, f);
  {
    json days = json::array();
    std::map<std::string, size_t> at;
    for (const auto& r : run("SELECT day, sum(visits), sum(escalated), sum(resolved_kept) FROM visit_days WHERE " + kWhere +
                                 " GROUP BY day HAVING sum(visits) > 0 ORDER BY day",
                             params(f))) {
      const std::int64_t v = number(r[1]);
      at[r[0]] = days.size();
      days.push_back({{"day", r[0]}, {"visits", v}, {"deflection_rate", ratio(v - number(r[2]), v)},
                      {"resolution_rate", ratio(number(r[3]), v)}, {"searches", 0}, {"search_success_rate", 0.0}});
    }
    for (const auto& r : run("SELECT day, sum(searches), sum(successes) FROM search_days WHERE " + kWhere + " GROUP BY day", params(f)))
      if (auto it = at.find(r[0]); it != at.end()) {
        days[it->second]["searches"] = number(r[1]);
        days[it->second]["search_success_rate"] = ratio(number(r[2]), number(r[1]));
      }
    out["daily"] = days;
  }
  return out;
}

std::vector<content::Resolutions> report_resolutions(const SqlRunner& run, const ReportFilter& f) {
  std::vector<content::Resolutions> out;
  // From the day totals: a row per day, language, topic and item, however many visits.
  for (const auto& r : run("SELECT flow, sum(sessions) FROM flow_days WHERE " + kWhere +
                               " AND done_state = 'resolved' GROUP BY flow HAVING sum(sessions) > 0",
                           params(f)))
    out.push_back({r[0], number(r[1])});
  for (const auto& r : run("SELECT article, sum(entries) - sum(not_helpful) FROM article_days WHERE " + kWhere +
                               " GROUP BY article HAVING sum(entries) - sum(not_helpful) > 0",
                           params(f)))
    out.push_back({r[0], number(r[1])});
  return out;
}

SearchOutcomes report_search_outcomes(const SqlRunner& run, const ReportFilter& f) {
  SearchOutcomes out;
  // A visit without a visitor id counts as a visitor of its own.
  for (const auto& r : run("SELECT s.locale, s.normalized, s.resolved_by, count(*), "
                           "count(DISTINCT CASE WHEN v.visitor = '' THEN 'visit:' || s.visit ELSE v.visitor END), min(s.at_ms), max(s.at_ms) "
                           "FROM (SELECT day, visit, locale, normalized, resolved_by, at_ms FROM searches WHERE " + kWhere +
                               " AND normalized != '') s JOIN visits v ON v.day = s.day AND v.visit = s.visit "
                               "GROUP BY s.locale, s.normalized, s.resolved_by",
                           params(f)))
    out.outcomes.push_back({.locale = r[0], .normalized = r[1], .resolved_by = r[2], .searches = number(r[3]), .visitors = number(r[4]),
                            .first_ms = number(r[5]), .last_ms = number(r[6])});
  for (const auto& r : run("SELECT locale, normalized, query, count(*) FROM searches WHERE " + kWhere +
                               " AND normalized != '' GROUP BY locale, normalized, query",
                           params(f)))
    out.phrasings.push_back({.locale = r[0], .normalized = r[1], .query = r[2], .searches = number(r[3])});
  return out;
}

void store_decision(const SqlRunner& run, const SuggestionDecision& d) {
  run("INSERT INTO suggestion_decisions (suggestion, decision, editor, at_ms, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
      {d.suggestion, d.decision, d.editor, std::to_string(d.at_ms), d.detail.dump()});
}

std::vector<SuggestionDecision> stored_decisions(const SqlRunner& run) {
  std::vector<SuggestionDecision> out;
  for (const auto& r : run("SELECT suggestion, decision, editor, at_ms, detail FROM suggestion_decisions ORDER BY seq", {}))
    out.push_back({r[0], r[1], r[2], number(r[3]), json::parse(r[4], nullptr, false)});
  return out;
}

json report_searches(const SqlRunner& run, const ReportFilter& f, const std::string& which, const std::string& normalized, size_t limit) {
  std::string cond;
  if (which == "no_results") cond = " AND results = 0";
  else if (which == "no_clicks") cond = " AND click_position = 0";
  else if (which == "failed") cond = " AND success = 0";
  else if (which != "all") throw std::invalid_argument("which: must be all, no_results, no_clicks or failed");
  std::vector<std::string> p = params(f);
  if (!normalized.empty()) {
    cond += " AND normalized = ?5";
    p.push_back(normalized);
  }
  json out = json::array();
  for (const auto& r : run("SELECT visit, search_id, day, locale, topic, at_ms, query, normalized, results, click_position, success FROM searches WHERE " +
                               kWhere + cond + " ORDER BY at_ms DESC LIMIT " + std::to_string(limit),
                           p))
    out.push_back({{"visit", r[0]}, {"search_id", r[1]}, {"day", r[2]}, {"locale", r[3]}, {"topic", r[4]}, {"at", number(r[5])},
                   {"query", r[6]}, {"normalized", r[7]}, {"results", number(r[8])}, {"click_position", number(r[9])},
                   {"success", number(r[10]) != 0}});
  return out;
}

json report_visits(const SqlRunner& run, const ReportFilter& f, const std::string& which, size_t limit, const std::string& normalized) {
  std::string cond;
  if (which == "escalated") cond = " AND escalated != 0";
  else if (which == "resolved") cond = " AND resolved != 0 AND repeat_contact = 0";
  else if (which == "unresolved") cond = " AND resolved = 0";
  else if (which == "repeat") cond = " AND repeat_contact != 0";
  else if (which != "all") throw std::invalid_argument("which: must be all, escalated, resolved, unresolved or repeat");
  std::vector<std::string> p = params(f);
  if (!normalized.empty()) {  // the visits behind a query form (search learning's example visits)
    cond += " AND EXISTS (SELECT 1 FROM searches s WHERE s.day = visits.day AND s.visit = visits.visit AND s.normalized = ?5)";
    p.push_back(normalized);
  }
  json out = json::array();
  for (const auto& r : run("SELECT visit, day, locale, topic, start_ms, end_ms, searches, escalated, trigger, resolved, repeat_contact, satisfaction "
                           "FROM visits WHERE " + kWhere + cond + " ORDER BY start_ms DESC LIMIT " + std::to_string(limit),
                           p)) {
    json v = {{"visit", r[0]}, {"day", r[1]}, {"locale", r[2]}, {"topic", r[3]}, {"start", number(r[4])}, {"end", number(r[5])},
              {"searches", number(r[6])}, {"escalated", number(r[7]) != 0}, {"trigger", r[8]}, {"resolved", number(r[9]) != 0},
              {"repeat_contact", number(r[10]) != 0}, {"satisfaction", number(r[11])}};
    // The visit's events, in order: what the editor drills down to.
    json events = json::array();
    for (const auto& e : run("SELECT body FROM events WHERE visit = ?1 ORDER BY at_ms", {r[0]})) events.push_back(json::parse(e[0]));
    v["events"] = std::move(events);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace firstfix::server
