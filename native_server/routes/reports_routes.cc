// Events in from any page that embeds the widget; reports out to logged-in
// editors only. Both on the reports executor: a report may scan millions
// of rows, and must never hold up a search or a flow.
#include "native_server/base/clock.h"
#include "native_server/base/json_fields.h"
#include "native_server/reports/reports.h"
#include "native_server/reports/suggestions_service.h"
#include "native_server/routes/services.h"

namespace firstfix::server {

namespace {

// The Suggestions tab (README: "Search learning"): on the reports executor
// (the evidence is a scan of the searches), editors only, each change with
// the CSRF token. A request names the same filter as the list it acts on,
// so the suggestion it names is found on the same evidence.
void add_suggestions_routes(Router& router, const Services& s) {
  Reports& reports = s.reports;
  SuggestionsService& suggestions = s.suggestions;
  auto content = s.content;
  auto filter_of = [&reports](const Call& c) {
    std::map<std::string, std::string> query;
    for (const auto& [key, value] : c.query) query[key] = value;
    return reports.filter(query, metrics::utc_day(system_now_ms()));
  };
  // A LearningError is the client's answer, with its own status.
  auto guarded = [](auto&& f) {
    try {
      return f();
    } catch (const LearningError& e) {
      throw HttpError(static_cast<unsigned>(e.status()), e.what());
    }
  };
  const metrics::LearningOptions options;  // README: k = 5 visitors, confidence 0.35
  // Ids are "q-", "s-" or "g-" and 12 hex digits; anything else (any byte a stranger sends) is not one.
  auto id_of = [](const Call& c) {
    const std::string& id = c.param("id");
    const bool ok = id.size() == 14 && (id[0] == 'q' || id[0] == 's' || id[0] == 'g') && id[1] == '-' &&
                    id.find_first_not_of("0123456789abcdef", 2) == std::string::npos;
    if (!ok) throw HttpError(404, "no such suggestion: ids are q-, s- or g- and 12 hex digits");
    return id;
  };
  router.add({.method = http::verb::get, .path = "/api/v1/suggestions", .operation_id = "listSuggestions",
              .handler = [=, &suggestions](Call& c) {
                return guarded([&] {
                  nlohmann::json out = suggestions.list(content()->version, filter_of(c), options);
                  out["csrf"] = c.staff->csrf;  // the page may have been opened on a session cookie alone
                  return json_response(c.req, 200, out);
                });
              },
              .runs = Runs::reports, .access = Access::editor, .rate_limit = "reports"});
  router.add({.method = http::verb::post, .path = "/api/v1/suggestions/{id}/accept", .operation_id = "acceptSuggestion",
              .handler = [=, &suggestions](Call& c) {
                const std::string phrasing = text_field(c.body, "phrasing", 500, /*required=*/false);
                const auto force = c.body.find("force");
                if (force != c.body.end() && !force->is_boolean()) throw std::invalid_argument("field 'force' must be true or false");
                return guarded([&] {
                  return json_response(c.req, 200, suggestions.accept(content()->version, id_of(c), filter_of(c), options, c.staff->email,
                                                                      phrasing, force != c.body.end() && force->get<bool>()));
                });
              },
              .runs = Runs::reports, .body = Body::json, .body_limit = 4096, .access = Access::editor, .rate_limit = "reports"});
  router.add({.method = http::verb::post, .path = "/api/v1/suggestions/{id}/dismiss", .operation_id = "dismissSuggestion",
              .handler = [=, &suggestions](Call& c) {
                return guarded([&] {
                  return json_response(c.req, 200, suggestions.dismiss(content()->version, id_of(c), filter_of(c), options, c.staff->email));
                });
              },
              .runs = Runs::reports, .body = Body::json, .body_limit = 4096, .access = Access::editor, .rate_limit = "reports"});
  router.add({.method = http::verb::post, .path = "/api/v1/suggestions/{id}/revert", .operation_id = "revertSuggestion",
              .handler = [=, &suggestions](Call& c) {
                return guarded([&] { return json_response(c.req, 200, suggestions.revert(content()->version, id_of(c), c.staff->email)); });
              },
              .runs = Runs::reports, .body = Body::json, .body_limit = 4096, .access = Access::editor, .rate_limit = "reports"});
}

}  // namespace

void add_reports_routes(Router& router, const Services& s) {
  Reports& reports = s.reports;
  router.add({.method = http::verb::post, .path = "/api/v1/events", .operation_id = "recordEvents",
              .handler = [&reports](Call& c) {
                // sendBeacon sends text/plain (a CORS-safelisted type, so no preflight); fetch sends JSON.
                const std::string type = c.media_type();
                if (type != "application/json" && type != "text/plain")
                  throw HttpError(415, "send the events as application/json or text/plain");
                const ReportsReply r = reports.ingest(c.req.body(), system_now_ms());
                return json_response(c.req, static_cast<unsigned>(r.status), r.body);
              },
              .runs = Runs::reports, .body = Body::bytes, .body_limit = Reports::kMaxBatchBytes, .cors = Cors::any_origin,
              .rate_limit = "events"});

  auto report = [&reports](const char* kind) {
    return [&reports, kind](Call& c) {
      std::map<std::string, std::string> query;
      for (const auto& [key, value] : c.query) query[key] = value;
      const ReportFilter f = reports.filter(query, metrics::utc_day(system_now_ms()));
      auto get = [&](const char* k, const char* fallback) { return query.count(k) ? query.at(k) : std::string(fallback); };
      std::size_t limit = 100;
      const std::string limit_text = get("limit", "100");
      if (limit_text.empty() || limit_text.size() > 4 || limit_text.find_first_not_of("0123456789") != std::string::npos)
        throw HttpError(400, "parameter 'limit' must be a number from 1 to 1000");
      limit = std::clamp<std::size_t>(std::stoul(limit_text), 1, 1000);
      const std::string which = kind;
      if (which == "report") return json_response(c.req, 200, reports.report(f));
      if (which == "csv") {
        auto res = make_response(c.req, http::status::ok, "text/csv; charset=utf-8", Reports::csv(reports.report(f)));
        res.set(http::field::cache_control, "no-store");
        res.set(http::field::content_disposition, "attachment; filename=\"firstfix-report-" + f.from + "-to-" + f.to + ".csv\"");
        return res;
      }
      if (which == "searches")
        return json_response(c.req, 200, {{"searches", reports.searches(f, get("which", "all"), get("normalized", ""), limit)}});
      return json_response(c.req, 200, {{"visits", reports.visits(f, get("which", "all"), limit, get("normalized", ""))}});
    };
  };
  router.add({.method = http::verb::get, .path = "/api/v1/reports", .operation_id = "getReport", .handler = report("report"),
              .runs = Runs::reports, .access = Access::editor, .rate_limit = "reports"});
  router.add({.method = http::verb::get, .path = "/api/v1/reports.csv", .operation_id = "getReportCsv", .handler = report("csv"),
              .runs = Runs::reports, .access = Access::editor, .rate_limit = "reports"});
  router.add({.method = http::verb::get, .path = "/api/v1/reports/searches", .operation_id = "getReportSearches",
              .handler = report("searches"), .runs = Runs::reports, .access = Access::editor, .rate_limit = "reports"});
  add_suggestions_routes(router, s);
  router.add({.method = http::verb::get, .path = "/api/v1/reports/visits", .operation_id = "getReportVisits",
              .handler = report("visits"), .runs = Runs::reports, .access = Access::editor, .rate_limit = "reports"});
}

}  // namespace firstfix::server
