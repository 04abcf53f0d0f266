// A visit, summed up: what the customer searched for, read and ran, and how
// it ended. Every metric in the reports is a count or a ratio over these
// summaries, so each definition lives here, in one place (README: "Reports").
//
// A visit is the widget's: it begins when the widget is first used on a
// page and ends after 30 minutes without activity (the widget keeps its id
// in sessionStorage). Its day is the UTC day it began, so a visit across
// midnight counts once, on the day it started.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/metrics/event.h"

namespace firstfix::metrics {

struct SearchSummary {
  std::string search_id;
  std::string query;       // scrubbed
  std::string normalized;  // the analyzer's stems, sorted: "password reset" == "resetting passwords"
  std::int64_t at_ms = 0;
  int results = 0;
  int click_position = 0;  // of the first click on a result; 0 when nothing was clicked
  // Followed, later in the same visit, by an article view without a "not
  // helpful" vote on that article, or by a flow reaching `resolved`; and the
  // visit did not escalate to a person.
  bool success = false;
  // What helped first after it, when it was a success: "article:ID" (read
  // without a "not helpful" vote) or "flow:ID" (resolved); "" otherwise.
  // Search learning (core/metrics/learning.h) pairs the query with it.
  std::string resolved_by;
  bool operator==(const SearchSummary&) const = default;
};

struct FlowSummary {
  std::string session, flow;
  std::string done_state;  // "" when it never reached a done state in the visit
  int failed_steps = 0;
  std::string identity;    // who started it: verified, claimed, anonymous; "" when not said
  bool operator==(const FlowSummary&) const = default;
};

struct ArticleSummary {
  std::string article;
  int views = 0;
  int vote = 0;  // the last vote in the visit: 1 helpful, -1 not helpful, 0 none
  bool operator==(const ArticleSummary&) const = default;
};

struct VisitSummary {
  std::string visit, visitor, locale;
  std::string topic;  // the category of the first article or flow the visit touched; "" if none
  std::string day;    // YYYY-MM-DD (UTC) of start_ms
  std::int64_t start_ms = 0, end_ms = 0;
  std::vector<SearchSummary> searches;
  std::vector<FlowSummary> flows;
  std::vector<ArticleSummary> articles;
  bool self_service = false;          // searched, read an article or started a flow
  bool self_service_success = false;  // self-service, no escalation, and resolved or an article read without a "not helpful" vote
  bool offered = false;               // a person was offered
  bool escalated = false;             // the customer went to a person (accepted an offer, or chat started)
  bool declined = false;
  std::string trigger;                // why: failures, request, frustration, contact
  bool resolved = false;              // a flow reached `resolved`, or an article was voted helpful
  std::int64_t resolution_ms = 0;     // from the visit's start to the first of those
  int satisfaction = 0;               // the last survey score (1..5); 0 without a survey
  bool chat = false;
  std::string chat_disposition;
  bool operator==(const VisitSummary&) const = default;
};

struct Catalog {
  // The category of an article or a flow ("" if unknown).
  std::function<std::string(const std::string& id)> category_of;
  // A query's normalized form, for grouping.
  std::function<std::string(const std::string& query, const std::string& locale)> normalize;
};

// The order of a visit's events: by the page's clock, then by their place in the visit.
bool comes_before(const Event& a, const Event& b);
inline void sort_events(std::vector<Event>& events) { std::stable_sort(events.begin(), events.end(), comes_before); }

// A visit summed up as its events come, in order: the cost of an event does
// not grow with the events before it, so a long visit's hundredth batch
// costs what its first did. summarize_visit is this over a sorted visit.
class VisitSummarizer {
 public:
  explicit VisitSummarizer(Catalog catalog) : catalog_(std::move(catalog)) {}
  // Whether `e` comes after every event added so far (at_ms, then seq).
  bool in_order(const Event& e) const;
  // Adds an event that is in order and not added before (by id; a repeat is
  // ignored). Throws std::invalid_argument for an event out of order or of
  // another visit.
  void add(const Event& e);
  std::size_t events() const { return seen_.size(); }
  // The summary so far, with what depends on the whole visit (resolution,
  // success) judged as of now.
  VisitSummary summary() const;

 private:
  Catalog catalog_;
  VisitSummary v_;
  std::int64_t last_at_ = 0, last_seq_ = 0;
  std::set<std::string> seen_;
  std::map<std::string, std::size_t> search_at_, flow_at_, article_at_;
  std::vector<std::pair<std::int64_t, std::string>> views_;  // article views with their time, to judge the searches before them
  std::map<std::string, std::int64_t> vote_at_, done_at_;     // when the last vote / done state was given
};

// `events` may arrive in any order and more than once (same id): they are
// put in order (at_ms, then seq) and counted once. Throws
// std::invalid_argument when they do not all belong to one visit.
VisitSummary summarize_visit(std::vector<Event> events, const Catalog& catalog);

std::string utc_day(std::int64_t ms);  // "YYYY-MM-DD"
// Midnight (UTC) starting `day` ("YYYY-MM-DD"), in ms; throws
// std::invalid_argument for anything that is not a real day.
std::int64_t utc_day_start(const std::string& day);
constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

}  // namespace firstfix::metrics
