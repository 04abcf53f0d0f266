// The demo help-center site (every page embeds the widget with one script
// tag) and the staff pages' shells. HTML under a strict CSP, as a careful
// host page would serve it; staff pages may not be framed by anyone.
#include <filesystem>

#include "native_server/base/files.h"
#include "native_server/demo/back_office.h"
#include "native_server/flows/flow_service.h"
#include "native_server/http/static_assets.h"
#include "native_server/routes/services.h"

namespace fs = std::filesystem;

namespace firstfix::server {
namespace {

Response html(const Request& req, http::status status, std::string body, bool staff_page = false) {
  auto res = make_response(req, status, "text/html; charset=utf-8", std::move(body));
  res.set(http::field::cache_control, "no-cache");
  res.set("Content-Security-Policy",
          std::string("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; "
                      "style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'") +
              (staff_page ? "; frame-ancestors 'none'" : ""));
  if (staff_page) res.set("X-Frame-Options", "DENY");
  compress_if_accepted(req, res);
  return res;
}

}  // namespace

Response not_found_html(const Request& req, const SiteContext& site) { return html(req, http::status::not_found, not_found_page(site)); }

void add_site_routes(Router& router, const Services& s) {
  auto home = [s](Call& c) {
    const auto content = s.content();
    std::string locale = content->manifest["site"]["default_locale"];
    if (auto l = c.query_value("locale")) locale = *l;
    bool known = false;
    for (const auto& l : content->manifest["locales"]) known |= l == locale;
    if (!known) return html(c.req, http::status::not_found, not_found_page(content->site));
    return html(c.req, http::status::ok, home_page(content->site, locale));
  };
  router.add({.method = http::verb::get, .path = "/", .operation_id = "homePage", .handler = home});
  router.add({.method = http::verb::get, .path = "/index.html", .operation_id = "homePageIndex", .handler = home});

  router.add({.method = http::verb::get, .path = "/articles/{id}", .operation_id = "articlePage",
              .handler = [s](Call& c) {
                const auto content = s.content();
                auto it = content->articles.find(c.param("id"));
                if (it == content->articles.end()) return html(c.req, http::status::not_found, not_found_page(content->site));
                const std::string body = read_file(fs::path(content->dist_dir) / it->second["html"].get<std::string>());
                return html(c.req, http::status::ok, article_page(content->site, it->second, body));
              },
              .runs = Runs::search});

  router.add({.method = http::verb::get, .path = "/flows/{id}", .operation_id = "flowPage",
              .handler = [s](Call& c) {
                const auto content = s.content();
                const auto published = s.flows.flows();
                auto it = published->flows.find(c.param("id"));
                if (it == published->flows.end()) return html(c.req, http::status::not_found, not_found_page(content->site));
                return html(c.req, http::status::ok, flow_page(content->site, it->second->flow));
              }});

  router.add({.method = http::verb::get, .path = "/search", .operation_id = "searchPage",
              .handler = [s](Call& c) {
                const auto content = s.content();
                search::SearchRequest sr;
                sr.query = c.query_value("q").value_or("");
                if (auto l = c.query_value("locale")) sr.locale = *l;
                try {
                  return html(c.req, http::status::ok, search_page(content->site, sr.query, s.searcher(*content).search(sr)));
                } catch (const std::invalid_argument&) {
                  return html(c.req, http::status::bad_request, not_found_page(content->site));
                }
              },
              .runs = Runs::search, .rate_limit = "search"});

  router.add({.method = http::verb::get, .path = "/favicon.ico", .operation_id = "favicon",
              .handler = [](Call& c) {
                // Browsers ask every page for it: a small mark, not a 404 in every console.
                auto res = make_response(c.req, http::status::ok, "image/svg+xml",
                                         "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><circle cx=\"16\" cy=\"16\" "
                                         "r=\"15\" fill=\"#0b5cad\"/><path d=\"M9 17l5 5 9-11\" stroke=\"#fff\" stroke-width=\"3.5\" "
                                         "fill=\"none\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>");
                res.set(http::field::cache_control, "public, max-age=86400");
                return res;
              }});

  // The staff pages: the agent console and the editors' reports.
  for (const char* path : {"/agent", "/agent/"})
    router.add({.method = http::verb::get, .path = path, .operation_id = "agentConsolePage",
                .handler = [s](Call& c) { return html(c.req, http::status::ok, agent_console_page(s.content()->site, s.console_url), true); }});
  for (const char* path : {"/reports", "/reports/"})
    router.add({.method = http::verb::get, .path = path, .operation_id = "reportsPage",
                .handler = [s](Call& c) { return html(c.req, http::status::ok, reports_page(s.content()->site, s.reports_url), true); }});

  if (!s.demo) return;
  router.add({.method = http::verb::get, .path = "/demo/outbox", .operation_id = "demoOutboxPage",
              .handler = [s](Call& c) { return html(c.req, http::status::ok, outbox_page(s.content()->site, s.demo->outbox(50))); },
              .runs = Runs::flows});
  // The demo customer, signed in: the demo site is its own host site, and
  // signs with the server's secret as a host site's back end would.
  static const nlohmann::json kDemoCustomer = {{"id", "C-1001"}, {"email", "ana@example.com"}, {"name", "Ana Lima"}};
  router.add({.method = http::verb::get, .path = "/demo/account", .operation_id = "demoAccountPage",
              .handler = [s](Call& c) { return html(c.req, http::status::ok, account_page(s.content()->site, kDemoCustomer)); }});
  router.add({.method = http::verb::get, .path = "/demo/account.js", .operation_id = "demoAccountScript",
              .handler = [](Call& c) {
                auto res = make_response(c.req, http::status::ok, "text/javascript; charset=utf-8", account_script());
                res.set(http::field::cache_control, "no-cache");
                return res;
              }});
  router.add({.method = http::verb::get, .path = "/demo/identity", .operation_id = "demoIdentityToken",
              .handler = [s](Call& c) {
                auto res = make_response(c.req, http::status::ok, "application/json",
                                         nlohmann::json{{"token", s.identity.sign(kDemoCustomer, std::chrono::minutes(30))}}.dump());
                res.set(http::field::cache_control, "no-store");
                return res;
              }});
}

}  // namespace firstfix::server
