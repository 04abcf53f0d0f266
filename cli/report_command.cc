// `firstfix report` and `firstfix demo-events`: the reports from the
// terminal, through the same code as the reports page, so they agree.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "core/content/manifest.h"
#include "core/metrics/visit.h"
#include "native_server/demo/demo_events.h"
#include "native_server/reports/reports.h"
#include "native_server/storage/store.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace firstfix::cli {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The reports of a data folder `firstfix serve` made (its built content names titles and categories).
std::unique_ptr<server::Reports> open_reports(const std::string& data_dir, const std::string& database, json& manifest) {
  const fs::path file = fs::path(data_dir) / "dist" / std::string(content::kManifestFile);
  std::ifstream in(file);
  if (!in) throw std::runtime_error("no built content in " + data_dir + " (" + file.string() + " is missing): run firstfix serve or firstfix demo-events with --data " + data_dir);
  manifest = json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
  return std::make_unique<server::Reports>(manifest, server::open_event_store(database, data_dir, 2));
}

std::string percent(const json& v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", v.get<double>() * 100);
  return b;
}

std::string minutes(std::int64_t ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f min", static_cast<double>(ms) / 60000.0);
  return b;
}

// At most `n` characters (not bytes): never half a character.
std::string clip(const std::string& s, size_t n) {
  size_t chars = 0, i = 0;
  for (; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && chars++ == n) break;
  return s.substr(0, i);
}

void line(const std::string& label, const std::string& value, const std::string& note = "") {
  std::printf("  %-28s %12s   %s\n", label.c_str(), value.c_str(), note.c_str());
}

void print(const json& r, const std::string& site) {
  std::printf("%s: %s to %s (%s, %s)\n\n", site.c_str(), r["range"]["from"].get<std::string>().c_str(), r["range"]["to"].get<std::string>().c_str(),
              r["filters"]["locale"].get<std::string>().empty() ? "all languages" : r["filters"]["locale"].get<std::string>().c_str(),
              r["filters"]["category"].get<std::string>().empty() ? "all categories" : r["filters"]["category"].get<std::string>().c_str());
  std::printf("Resolution beside deflection (per visit)\n");
  line("visits", std::to_string(r["visits"].get<std::int64_t>()));
  line("resolution rate", percent(r["resolution_rate"]), "resolved, and no repeat contact on the topic within 7 days");
  line("deflection rate", percent(r["deflection_rate"]), "did not go to a person");
  line("self-service success rate", percent(r["self_service_success_rate"]), "of visits that used self-service");
  std::string triggers;
  for (const auto& [k, v] : r["escalation_triggers"].items()) triggers += (triggers.empty() ? "" : ", ") + k + " " + std::to_string(v.get<std::int64_t>());
  line("escalation rate", percent(r["escalation_rate"]), triggers);
  line("repeat-contact rate", percent(r["repeat_contact_rate"]), "of visits by a known visitor about a topic");
  line("time to resolution", minutes(r["time_to_resolution"]["median_ms"]), "median; p90 " + minutes(r["time_to_resolution"]["p90_ms"]));
  const auto& sat = r["satisfaction"];
  line("satisfaction (CSAT)", sat["responses"].get<std::int64_t>() ? percent(sat["csat"]) : "-",
       std::to_string(sat["responses"].get<std::int64_t>()) + " answers, 4 or 5 out of 5");
  std::printf("\nSearch\n");
  line("searches", std::to_string(r["searches"].get<std::int64_t>()));
  line("search success rate", percent(r["search_success_rate"]), "read without a 'not helpful' vote or a flow resolved, no escalation");
  line("no-result rate", percent(r["no_result_rate"]));
  line("click-through rate", percent(r["click_through_rate"]));
  char pos[32];
  std::snprintf(pos, sizeof pos, "%.2f", r["mean_click_position"].get<double>());
  line("mean click position", pos);
  std::printf("\nTask flows (completion %s of %lld starts)\n", percent(r["flow_completion_rate"]).c_str(), static_cast<long long>(r["flow_starts"].get<std::int64_t>()));
  for (const auto& f : r["flows"]) {
    std::string states;
    for (const auto& [k, v] : f["done_states"].items()) states += (states.empty() ? "" : ", ") + k + " " + std::to_string(v.get<std::int64_t>());
    line(clip(f["title"].get<std::string>(), 28), std::to_string(f["starts"].get<std::int64_t>()) + " starts", percent(f["completion_rate"]) + " completed: " + states);
  }
  std::printf("\nContent gaps: what people could not find (unanswered, no results, change on the previous period)\n");
  for (const auto& g : r["content_gaps"])
    line(clip(g["example"].get<std::string>(), 28), std::to_string(g["no_clicks"].get<std::int64_t>()),
         std::to_string(g["no_results"].get<std::int64_t>()) + " with no results, " + (g["trend"].get<std::int64_t>() > 0 ? "+" : "") +
             std::to_string(g["trend"].get<std::int64_t>()));
  std::printf("\nArticles (views, helpfulness)\n");
  int shown = 0;
  for (const auto& a : r["articles"]) {
    if (++shown > 15) break;
    line(clip(a["title"].get<std::string>(), 28), std::to_string(a["views"].get<std::int64_t>()),
         a["helpfulness"].is_null() ? "no votes" : percent(a["helpfulness"]) + " helpful of " +
                                                       std::to_string(a["helpful"].get<std::int64_t>() + a["not_helpful"].get<std::int64_t>()) + " votes");
  }
}

}  // namespace

int report_command(const ReportOptions& o) {
  json manifest;
  std::unique_ptr<server::Reports> reports;
  try {
    reports = open_reports(o.data_dir, o.database, manifest);
  } catch (const std::exception& e) {
    std::cerr << "firstfix report: " << e.what() << "\n";
    return 2;
  }
  std::map<std::string, std::string> params;
  for (const auto& [k, v] : {std::pair<const char*, std::string>{"from", o.from}, {"to", o.to}, {"locale", o.locale}, {"category", o.category}})
    if (!v.empty()) params[k] = v;
  server::ReportFilter f;
  try {
    f = reports->filter(params, metrics::utc_day(now_ms()));
  } catch (const std::invalid_argument& e) {
    std::string why = e.what();
    if (why.rfind("parameter '", 0) == 0) {  // name the option, as typed: "--from: ..."
      const size_t end = why.find('\'', 11);
      why = "--" + why.substr(11, end - 11) + why.substr(end + 1);
    }
    std::cerr << "firstfix report: " << why << "\n";
    return 2;
  }
  const json r = reports->report(f);
  if (o.json) std::cout << r.dump(2) << "\n";
  else if (o.csv) std::cout << server::Reports::csv(r);
  else print(r, manifest["site"].value("name", "firstfix"));
  return 0;
}

int demo_events_command(const DemoEventsOptions& o) {
  const std::string dist = (fs::path(o.data_dir) / "dist").string();
  if (int rc = build_command(o.content_dir, dist, /*quiet=*/true); rc != 0) return rc;
  json manifest;
  auto reports = open_reports(o.data_dir, o.database, manifest);
  const std::int64_t now = now_ms();
  const auto started = std::chrono::steady_clock::now();
  const size_t added = server::add_demo_events(*reports, manifest, now, {o.days, 220, o.seed});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string where = server::is_sqlite_database(o.database) ? (fs::path(o.data_dir) / "events.db").string() : std::string("the --database");
  std::printf("firstfix: %zu demo events over %d days into %s (%.1f s)\n", added, o.days, where.c_str(), seconds);
  return 0;
}

}  // namespace firstfix::cli
