#include "core/metrics/visit.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>

namespace firstfix::metrics {

std::string utc_day(std::int64_t ms) {
  using namespace std::chrono;
  const year_month_day d{floor<days>(sys_time<milliseconds>(milliseconds(ms)))};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return out;
}

std::int64_t utc_day_start(const std::string& d) {
  using namespace std::chrono;
  auto digits = [&](size_t from, size_t n) {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (d[i] < '0' || d[i] > '9') throw std::invalid_argument("'" + d + "' is not a day like 2026-11-25");
      v = v * 10 + (d[i] - '0');
    }
    return v;
  };
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') throw std::invalid_argument("'" + d + "' is not a day like 2026-11-25");
  const year_month_day ymd{year(digits(0, 4)), month(static_cast<unsigned>(digits(5, 2))), day(static_cast<unsigned>(digits(8, 2)))};
  if (!ymd.ok()) throw std::invalid_argument("'" + d + "' is not a day of the calendar");
  return duration_cast<milliseconds>(sys_days(ymd).time_since_epoch()).count();
}

VisitSummary summarize_visit(std::vector<Event> events, const Catalog& catalog) {
  VisitSummary v;
  if (events.empty()) return v;
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.at_ms != b.at_ms ? a.at_ms < b.at_ms : a.seq < b.seq;
  });
  {
    std::set<std::string> seen;
    std::vector<Event> once;
    for (auto& e : events)
      if (seen.insert(e.id).second) once.push_back(std::move(e));
    events = std::move(once);
  }
  v.visit = events.front().visit;
  v.locale = events.front().locale;
  v.start_ms = events.front().at_ms;
  v.end_ms = events.back().at_ms;
  v.day = utc_day(v.start_ms);

  std::map<std::string, size_t> search_at, flow_at, article_at;
  std::int64_t resolved_at = -1;
  auto article = [&](const std::string& id) -> ArticleSummary& {
    auto [it, fresh] = article_at.emplace(id, v.articles.size());
    if (fresh) v.articles.push_back({id, 0, 0});
    return v.articles[it->second];
  };
  auto touch_topic = [&](const std::string& id) {
    if (v.topic.empty() && catalog.category_of) v.topic = catalog.category_of(id);
  };
  // Article views with their time, to judge the searches before them.
  std::vector<std::pair<std::int64_t, std::string>> views;
  std::map<std::string, std::int64_t> vote_at, done_at;  // when the last vote / done state was given

  for (const Event& e : events) {
    if (e.visit != v.visit) throw std::invalid_argument("event " + e.id + " belongs to visit " + e.visit + ", not " + v.visit);
    if (v.visitor.empty()) v.visitor = e.visitor;
    switch (e.type) {
      case EventType::kSearch:
        v.self_service = true;
        if (search_at.emplace(e.search_id, v.searches.size()).second)
          v.searches.push_back({e.search_id, e.query, catalog.normalize ? catalog.normalize(e.query, e.locale) : e.query, e.at_ms, e.results, 0, false});
        break;
      case EventType::kResultClick:
        if (auto it = search_at.find(e.search_id); it != search_at.end() && v.searches[it->second].click_position == 0)
          v.searches[it->second].click_position = e.position;
        break;
      case EventType::kArticleView:
        v.self_service = true;
        ++article(e.target).views;
        views.push_back({e.at_ms, e.target});
        touch_topic(e.target);
        break;
      case EventType::kVote:
        article(e.target).vote = e.helpful ? 1 : -1;  // the last vote stands
        vote_at[e.target] = e.at_ms;
        break;
      case EventType::kFlowStart:
        v.self_service = true;
        if (flow_at.emplace(e.session, v.flows.size()).second) v.flows.push_back({e.session, e.target, "", 0});
        touch_topic(e.target);
        break;
      case EventType::kFlowStep:
        if (auto it = flow_at.find(e.session); it != flow_at.end() && e.outcome == "failed") ++v.flows[it->second].failed_steps;
        break;
      case EventType::kFlowDone: {
        auto [it, fresh] = flow_at.emplace(e.session, v.flows.size());
        if (fresh) {  // its start was in another visit (a resumed flow)
          v.flows.push_back({e.session, e.target, "", 0});
          v.self_service = true;
          touch_topic(e.target);
        }
        v.flows[it->second].done_state = e.outcome;  // the last word: "resolved", then "not_solved" is not resolved
        done_at[e.session] = e.at_ms;
        break;
      }
      case EventType::kEscalationOffered:
        v.offered = true;
        if (v.trigger.empty()) v.trigger = e.outcome;
        break;
      case EventType::kEscalationAccepted:
        v.escalated = true;
        if (!v.offered || v.trigger.empty()) v.trigger = e.outcome;
        break;
      case EventType::kEscalationDeclined: v.declined = true; break;
      case EventType::kChatStarted:
        v.escalated = v.chat = true;
        if (v.trigger.empty()) v.trigger = "contact";
        break;
      case EventType::kChatClosed: v.chat_disposition = e.outcome; break;
      case EventType::kSurvey: v.satisfaction = e.score; break;
    }
  }
  // Resolved: a flow whose last done state is `resolved`, or an article whose last vote is helpful; from the first of those.
  std::vector<std::int64_t> resolved_flows;
  for (const auto& f : v.flows)
    if (f.done_state == "resolved") resolved_flows.push_back(done_at[f.session]);
  for (std::int64_t at : resolved_flows)
    if (resolved_at < 0 || at < resolved_at) resolved_at = at;
  for (const auto& a : v.articles)
    if (a.vote > 0 && (resolved_at < 0 || vote_at[a.article] < resolved_at)) resolved_at = vote_at[a.article];
  v.resolved = resolved_at >= 0;
  v.resolution_ms = v.resolved ? resolved_at - v.start_ms : 0;
  auto unhelpful = [&](const std::string& id) { return v.articles[article_at.at(id)].vote < 0; };
  bool read_without_complaint = false;
  for (const auto& [at, id] : views) read_without_complaint |= !unhelpful(id);
  v.self_service_success = v.self_service && !v.escalated && (v.resolved || read_without_complaint);
  for (auto& s : v.searches) {
    if (v.escalated) break;
    for (const auto& [at, id] : views) s.success |= at >= s.at_ms && !unhelpful(id);
    for (std::int64_t at : resolved_flows) s.success |= at >= s.at_ms;
  }
  return v;
}

}  // namespace firstfix::metrics
