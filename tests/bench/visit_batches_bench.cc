// A long visit's batches (prints figures, asserts nothing): the time to
// store a visit's 1st and its 100th batch of events, each batch summed up
// into the visit's rows as POST /api/v1/events does. Beside it, the peer
// in the same run: the same batches arriving newest first, so each one
// re-makes its visit from all the events it has (what every batch cost
// before summaries were kept up to date incrementally).
//   visit_batches_bench [VISITS [BATCHES]]   (default 60 visits of 100 batches of 10 events)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/metrics/event.h"
#include "native_server/storage/event_store.h"

using namespace firstfix;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

const metrics::Catalog kCatalog{[](const std::string& id) { return id.starts_with("order") ? std::string("orders") : std::string("account"); },
                                [](const std::string& q, const std::string&) { return q; }};

// Batch `b` of visit `v`: ten events a customer makes in a minute or so.
std::vector<metrics::Event> batch(int v, int b, bool newest_first, int batches) {
  std::vector<metrics::Event> out;
  const std::string visit = "visit-" + std::to_string(100000 + v);
  const int slot = newest_first ? batches - 1 - b : b;  // its place in the visit's time
  for (int i = 0; i < 10; ++i) {
    const int seq = slot * 10 + i;
    json j = {{"id", visit + "-" + std::to_string(seq)}, {"visit", visit}, {"at", 1795132800000LL + seq * 6000LL}, {"seq", seq}, {"locale", "en"}};
    const std::string sid = "s" + std::to_string(slot * 10 + i / 3);
    switch (i % 5) {
      case 0: j.update({{"type", "search"}, {"query", "reset password " + std::to_string(i)}, {"results", i % 3}, {"search_id", sid}}); break;
      case 1: j.update({{"type", "result_click"}, {"search_id", sid}, {"position", 1}, {"target", "reset-password"}, {"kind", "article"}}); break;
      case 2: j.update({{"type", "article_view"}, {"target", i % 2 ? "reset-password" : "order-status"}}); break;
      case 3: j.update({{"type", "vote"}, {"target", "reset-password"}, {"helpful", i % 2 == 0}}); break;
      default: j.update({{"type", "flow_start"}, {"target", "order-tracking"}, {"session", "fl_" + std::to_string(seq)}});
    }
    out.push_back(metrics::parse_event(j));
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median time (ms) of each visit's first and last batch.
std::pair<double, double> run(const std::filesystem::path& db, int visits, int batches, bool newest_first) {
  auto store = server::open_sqlite_event_store(db.string());
  std::vector<double> first, last;
  for (int b = 0; b < batches; ++b)
    for (int v = 0; v < visits; ++v) {
      const auto events = batch(v, b, newest_first, batches);
      const auto start = Clock::now();
      store->ingest(events, 1, kCatalog);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (b == 0) first.push_back(ms);
      if (b == batches - 1) last.push_back(ms);
    }
  return {median(first), median(last)};
}

}  // namespace

int main(int argc, char** argv) {
  const int visits = argc > 1 ? std::stoi(argv[1]) : 60, batches = argc > 2 ? std::stoi(argv[2]) : 100;
  const auto dir = std::filesystem::temp_directory_path() / ("firstfix-visit-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto [in_first, in_last] = run(dir / "in-order.db", visits, batches, false);
  const auto [re_first, re_last] = run(dir / "remade.db", visits, batches, true);
  std::filesystem::remove_all(dir);
  std::printf("visit batches (%d visits x %d batches of 10 events, median per batch):\n", visits, batches);
  std::printf("  in order (incremental):   batch 1 %.3f ms, batch %d %.3f ms: %.2fx\n", in_first, batches, in_last, in_last / in_first);
  std::printf("  newest first (re-made):   batch 1 %.3f ms, batch %d %.3f ms: %.2fx\n", re_first, batches, re_last, re_last / re_first);
  return 0;
}
