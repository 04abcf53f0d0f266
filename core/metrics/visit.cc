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

bool comes_before(const Event& a, const Event& b) { return a.at_ms != b.at_ms ? a.at_ms < b.at_ms : a.seq < b.seq; }

bool VisitSummarizer::in_order(const Event& e) const {
  return seen_.empty() || e.at_ms > last_at_ || (e.at_ms == last_at_ && e.seq >= last_seq_);
}

void VisitSummarizer::add(const Event& e) {
  if (!seen_.empty() && e.visit != v_.visit) throw std::invalid_argument("event " + e.id + " belongs to visit " + e.visit + ", not " + v_.visit);
  if (seen_.count(e.id)) return;
  if (!in_order(e)) throw std::invalid_argument("event " + e.id + " comes before events already summed up");
  if (seen_.empty()) {
    v_.visit = e.visit;
    v_.locale = e.locale;
    v_.start_ms = e.at_ms;
    v_.day = utc_day(e.at_ms);
  }
  seen_.insert(e.id);
  last_at_ = e.at_ms;
  last_seq_ = e.seq;
  v_.end_ms = e.at_ms;
  if (v_.visitor.empty()) v_.visitor = e.visitor;
  auto article = [&](const std::string& id) -> ArticleSummary& {
    auto [it, fresh] = article_at_.emplace(id, v_.articles.size());
    if (fresh) v_.articles.push_back({id, 0, 0});
    return v_.articles[it->second];
  };
  auto touch_topic = [&](const std::string& id) {
    if (v_.topic.empty() && catalog_.category_of) v_.topic = catalog_.category_of(id);
  };
  switch (e.type) {
    case EventType::kSearch:
      v_.self_service = true;
      if (search_at_.emplace(e.search_id, v_.searches.size()).second)
        v_.searches.push_back({e.search_id, e.query, catalog_.normalize ? catalog_.normalize(e.query, e.locale) : e.query, e.at_ms, e.results, 0, false, ""});
      break;
    case EventType::kResultClick:
      if (auto it = search_at_.find(e.search_id); it != search_at_.end() && v_.searches[it->second].click_position == 0)
        v_.searches[it->second].click_position = e.position;
      break;
    case EventType::kArticleView:
      v_.self_service = true;
      ++article(e.target).views;
      views_.push_back({e.at_ms, e.target});
      touch_topic(e.target);
      break;
    case EventType::kVote:
      article(e.target).vote = e.helpful ? 1 : -1;  // the last vote stands
      vote_at_[e.target] = e.at_ms;
      break;
    case EventType::kFlowStart:
      v_.self_service = true;
      if (flow_at_.emplace(e.session, v_.flows.size()).second) v_.flows.push_back({e.session, e.target, "", 0, e.outcome});
      touch_topic(e.target);
      break;
    case EventType::kFlowStep:
      if (auto it = flow_at_.find(e.session); it != flow_at_.end() && e.outcome == "failed") ++v_.flows[it->second].failed_steps;
      break;
    case EventType::kFlowDone: {
      auto [it, fresh] = flow_at_.emplace(e.session, v_.flows.size());
      if (fresh) {  // its start was in another visit (a resumed flow)
        v_.flows.push_back({e.session, e.target, "", 0, ""});
        v_.self_service = true;
        touch_topic(e.target);
      }
      v_.flows[it->second].done_state = e.outcome;  // the last word: "resolved", then "not_solved" is not resolved
      done_at_[e.session] = e.at_ms;
      break;
    }
    case EventType::kEscalationOffered:
      v_.offered = true;
      if (v_.trigger.empty()) v_.trigger = e.outcome;
      break;
    case EventType::kEscalationAccepted:
      v_.escalated = true;
      if (!v_.offered || v_.trigger.empty()) v_.trigger = e.outcome;
      break;
    case EventType::kEscalationDeclined: v_.declined = true; break;
    case EventType::kChatStarted:
      v_.escalated = v_.chat = true;
      if (v_.trigger.empty()) v_.trigger = "contact";
      break;
    case EventType::kChatClosed: v_.chat_disposition = e.outcome; break;
    case EventType::kSurvey: v_.satisfaction = e.score; break;
  }
}

VisitSummary VisitSummarizer::summary() const {
  VisitSummary v = v_;
  // Resolved: a flow whose last done state is `resolved`, or an article whose last vote is helpful; from the first of those.
  std::int64_t resolved_at = -1;
  std::vector<std::int64_t> resolved_flows;
  for (const auto& f : v.flows)
    if (f.done_state == "resolved") resolved_flows.push_back(done_at_.at(f.session));
  for (std::int64_t at : resolved_flows)
    if (resolved_at < 0 || at < resolved_at) resolved_at = at;
  for (const auto& a : v.articles)
    if (a.vote > 0 && (resolved_at < 0 || vote_at_.at(a.article) < resolved_at)) resolved_at = vote_at_.at(a.article);
  v.resolved = resolved_at >= 0;
  v.resolution_ms = v.resolved ? resolved_at - v.start_ms : 0;
  auto unhelpful = [&](const std::string& id) { return v.articles[article_at_.at(id)].vote < 0; };
  bool read_without_complaint = false;
  for (const auto& [at, id] : views_) read_without_complaint |= !unhelpful(id);
  v.self_service_success = v.self_service && !v.escalated && (v.resolved || read_without_complaint);
  // A search succeeded if something after it helped; what helped first after it resolved it.
  std::vector<std::pair<std::int64_t, std::string>> helped;  // in time order
  for (const auto& [at, id] : views_)
    if (!unhelpful(id)) helped.push_back({at, "article:" + id});
  for (const auto& f : v.flows)
    if (f.done_state == "resolved") helped.push_back({done_at_.at(f.session), "flow:" + f.flow});
  std::stable_sort(helped.begin(), helped.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (!v.escalated)
    for (auto& s : v.searches) {
      const auto it = std::lower_bound(helped.begin(), helped.end(), s.at_ms, [](const auto& h, std::int64_t at) { return h.first < at; });
      s.success = it != helped.end();
      s.resolved_by = s.success ? it->second : "";
    }
  return v;
}

VisitSummary summarize_visit(std::vector<Event> events, const Catalog& catalog) {
  sort_events(events);
  VisitSummarizer s(catalog);
  for (const Event& e : events) s.add(e);
  return s.summary();
}

}  // namespace firstfix::metrics
