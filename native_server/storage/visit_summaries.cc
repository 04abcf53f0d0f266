#include "native_server/storage/visit_summaries.h"

#include <algorithm>

namespace firstfix::server {

std::optional<VisitSummaryState> VisitSummaries::take(const std::string& visit, std::size_t stored_events) {
  auto it = kept_.find(visit);
  if (it == kept_.end()) return std::nullopt;
  std::optional<VisitSummaryState> out;
  if (it->second.state.summarizer.events() == stored_events) out = std::move(it->second.state);
  forget(it);
  return out;
}

void VisitSummaries::put(const std::string& visit, VisitSummaryState state) {
  if (auto it = kept_.find(visit); it != kept_.end()) forget(it);
  events_ += state.summarizer.events();
  recent_.push_front(visit);
  kept_.emplace(visit, Kept{std::move(state), recent_.begin()});
  while (events_ > events_kept_ && recent_.size() > 1) forget(kept_.find(recent_.back()));
}

std::optional<std::size_t> VisitSummaries::events_of(const std::string& visit) const {
  auto it = kept_.find(visit);
  if (it == kept_.end()) return std::nullopt;
  return it->second.state.summarizer.events();
}

void VisitSummaries::clear() {
  kept_.clear();
  recent_.clear();
  events_ = 0;
}

void VisitSummaries::forget(std::map<std::string, Kept>::iterator it) {
  events_ -= it->second.state.summarizer.events();
  recent_.erase(it->second.recent);
  kept_.erase(it);
}

bool needs_all_events(const std::optional<VisitSummaryState>& kept, const std::vector<metrics::Event>& added) {
  if (!kept || added.empty()) return true;
  const auto first = std::min_element(added.begin(), added.end(), metrics::comes_before);
  return !kept->summarizer.in_order(*first);
}

SummedVisit sum_up_visit(std::optional<VisitSummaryState> kept, std::vector<metrics::Event> added, const metrics::Catalog& catalog,
                         const std::function<std::vector<metrics::Event>()>& all_events) {
  if (!needs_all_events(kept, added)) {
    metrics::sort_events(added);
    SummedVisit out{std::move(*kept), std::nullopt};
    out.before = out.state.written;
    for (const auto& e : added) out.state.summarizer.add(e);
    out.state.written = out.state.summarizer.summary();
    return out;
  }
  std::vector<metrics::Event> events = all_events();
  metrics::sort_events(events);
  SummedVisit out{{metrics::VisitSummarizer(catalog), {}}, std::nullopt};
  for (const auto& e : events) out.state.summarizer.add(e);
  out.state.written = out.state.summarizer.summary();
  return out;
}

}  // namespace firstfix::server
