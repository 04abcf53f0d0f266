// Bringing a visit's summary up to date as its events arrive, for both
// event stores. The summaries of the visits most recently written are kept
// in memory, so the next batch of a visit adds to its summary instead of
// re-reading its events; the least recent are forgotten beyond a number of
// events in all (a forgotten visit is re-made from its events if more
// arrive). A kept summary is used only while the store holds exactly the
// events it was made from: with several servers, another one may have
// added some.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics/visit.h"

namespace firstfix::server {

struct VisitSummaryState {
  metrics::VisitSummarizer summarizer;
  metrics::VisitSummary written;  // what the visit's rows hold
};

class VisitSummaries {
 public:
  explicit VisitSummaries(std::size_t events_kept = 200000) : events_kept_(events_kept) {}
  // Takes the visit's kept summary out, if it was made from `stored_events` events.
  std::optional<VisitSummaryState> take(const std::string& visit, std::size_t stored_events);
  // Keeps `state` as the visit's most recent summary.
  void put(const std::string& visit, VisitSummaryState state);
  // How many events the visit's kept summary was made from, if one is kept.
  std::optional<std::size_t> events_of(const std::string& visit) const;
  void clear();

 private:
  struct Kept {
    VisitSummaryState state;
    std::list<std::string>::iterator recent;
  };
  void forget(std::map<std::string, Kept>::iterator it);

  std::size_t events_kept_, events_ = 0;
  std::map<std::string, Kept> kept_;
  std::list<std::string> recent_;  // most recent first
};

// What summing up a visit's new events gives: its state now, and what its
// rows held before (nullptr: re-made from every event, the rows are replaced).
struct SummedVisit {
  VisitSummaryState state;
  std::optional<metrics::VisitSummary> before;
};

// In order after a kept summary (the usual case: the widget sends a visit's
// events in order), only `added` is summed; otherwise (nothing kept, or an
// event from before the latest) the visit is re-made from `all_events()`,
// which includes `added`.
SummedVisit sum_up_visit(std::optional<VisitSummaryState> kept, std::vector<metrics::Event> added, const metrics::Catalog& catalog,
                         const std::function<std::vector<metrics::Event>()>& all_events);

// Whether sum_up_visit would need every event of the visit.
bool needs_all_events(const std::optional<VisitSummaryState>& kept, const std::vector<metrics::Event>& added);

}  // namespace firstfix::server
