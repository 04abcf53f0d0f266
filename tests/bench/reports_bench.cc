// Reports benchmark (prints figures, asserts nothing): how fast events are
// ingested (each batch stored and its visits re-summed, as POST
// /api/v1/events does), and how long the whole report takes at N events.
//   reports_bench DIST_DIR EVENTS_DB [EVENTS [SEED]]   (default 10,000,000 events)
// Run again on the same EVENTS_DB with another SEED to add more.
// Events are the demo generator's (realistic visits over the help center),
// a day at a time so memory stays flat; a year is spread across them.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "core/content/manifest.h"
#include "native_server/demo/demo_events.h"
#include "native_server/reports/reports.h"
#include "native_server/storage/pg_connection.h"

using namespace firstfix;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: reports_bench DIST_DIR EVENTS_DB [EVENTS [SEED]]\n");
    return 2;
  }
  std::ifstream in(std::string(argv[1]) + "/" + std::string(content::kManifestFile));
  if (!in) {
    std::fprintf(stderr, "reports_bench: no manifest in %s\n", argv[1]);
    return 2;
  }
  const auto manifest = nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
  const long long target = argc > 3 ? std::stoll(argv[3]) : 10'000'000LL;
  const unsigned seed = argc > 4 ? static_cast<unsigned>(std::stoul(argv[4])) : 1000;
  // EVENTS_DB: an events.db path, or a postgresql:// URL.
  const std::string where = argv[2];
  server::Reports reports(manifest, server::is_postgres_url(where) ? server::open_postgres_event_store(where, 4) : server::open_sqlite_event_store(where));

  constexpr int kDays = 365;
  const double events_per_visit = 4.17;  // calibrated: asking for 10 M events with 2.85 here gave 6.83 M
  const double visits_per_day = static_cast<double>(target) / kDays / events_per_visit;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::int64_t first_day = now - (kDays - 1) * metrics::kDayMs;

  long long stored = 0, generated = 0, duplicates = 0, over_cap = 0;
  double ingest_seconds = 0;
  constexpr size_t kBatch = 200;  // the largest batch the API takes
  for (int d = 0; d < kDays && stored < target; ++d) {
    // The whole day (the generator keeps only visits before the time given): a run at 08:00 would
    // otherwise keep a day's morning only, and the figures would depend on the hour they were measured.
    const std::int64_t day_end = metrics::utc_day_start(metrics::utc_day(first_day + d * metrics::kDayMs)) + metrics::kDayMs - 1;
    auto events = server::demo_events(manifest, std::min(day_end, now), {1, visits_per_day, seed + static_cast<unsigned>(d)});
    const auto start = Clock::now();
    for (size_t at = 0; at < events.size(); at += kBatch) {
      const std::vector<metrics::Event> batch(events.begin() + static_cast<std::ptrdiff_t>(at),
                                              events.begin() + static_cast<std::ptrdiff_t>(std::min(events.size(), at + kBatch)));
      const auto r = reports.store().ingest(batch, now, reports.catalog());
      stored += static_cast<long long>(r.accepted);
      duplicates += static_cast<long long>(r.duplicates);
      over_cap += static_cast<long long>(r.over_cap);
      generated += static_cast<long long>(batch.size());
    }
    ingest_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    if ((d + 1) % 30 == 0)
      std::fprintf(stderr, "  day %d: %lld events (of %lld generated; %lld duplicates, %lld over a visit's cap), %.0f events/s\n", d + 1, stored,
                   generated, duplicates, over_cap, stored / ingest_seconds);
  }
  std::printf("ingest: %lld events in %.1f s = %.0f events/s (batches of %zu, one transaction each, visits re-summed); %lld events stored in all\n",
              stored, ingest_seconds, stored > 0 ? stored / ingest_seconds : 0.0, kBatch, static_cast<long long>(reports.store().event_count()));

  auto time_report = [&](const char* label, const server::ReportFilter& f) {
    const auto start = Clock::now();
    const auto r = reports.report(f);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::printf("report %-26s %8.0f ms  (%lld visits, %lld searches)\n", label, ms, static_cast<long long>(r["visits"].get<std::int64_t>()),
                static_cast<long long>(r["searches"].get<std::int64_t>()));
  };
  const std::string today = metrics::utc_day(now);
  time_report("last 30 days:", {metrics::utc_day(now - 29 * metrics::kDayMs), today, "", ""});
  time_report("last 365 days (all):", {metrics::utc_day(first_day), today, "", ""});
  time_report("365 days, es, one category:", {metrics::utc_day(first_day), today, "es", "Pedidos y envíos"});
  return 0;
}
