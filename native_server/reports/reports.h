// Search-success and resolution reports: events in from the widget, figures
// out to the reports page, its CSV export and `firstfix report`. All three
// go through here, so they agree by construction.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "native_server/storage/event_store.h"

namespace firstfix::server {

// One CSV cell: quoted when it must be; one a spreadsheet would run as a
// formula (leading = + - @ TAB CR) is kept text with a leading quote.
std::string csv_cell(const std::string& s);

struct ReportsReply {
  int status = 200;
  nlohmann::json body;
};

class Reports {
 public:
  // `manifest`: the built help center's manifest (categories, titles); the
  // events go to `store` (open_event_store).
  Reports(const nlohmann::json& manifest, std::unique_ptr<EventStore> store);
  ~Reports();
  // New content was published: its titles and categories from now on.
  void set_manifest(const nlohmann::json& manifest);

  static constexpr size_t kMaxEventsPerBatch = 200;
  static constexpr size_t kMaxBatchBytes = 256 * 1024;

  // POST /api/v1/events {"events": [...]}: all or nothing; a malformed
  // event is refused naming it ("events[3].position: ...").
  ReportsReply ingest(const std::string& body, std::int64_t received_ms);
  // Parses ?from=&to=&locale=&category= (from/to default to the last 30
  // days up to `today`); throws std::invalid_argument naming the parameter.
  ReportFilter filter(const std::map<std::string, std::string>& params, const std::string& today) const;
  // Every figure, with article and flow titles, and the filters' choices.
  nlohmann::json report(const ReportFilter& filter);
  nlohmann::json searches(const ReportFilter& filter, const std::string& which, const std::string& normalized, size_t limit);
  nlohmann::json visits(const ReportFilter& filter, const std::string& which, size_t limit, const std::string& normalized = "");
  // The report as CSV: one "section,name,value" row per figure, then the tables.
  static std::string csv(const nlohmann::json& report);

  EventStore& store();
  const metrics::Catalog& catalog() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firstfix::server
