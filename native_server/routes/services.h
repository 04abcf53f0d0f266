// What the route files need from the running server: the content, the
// services, the site's pages. Each routes/*.cc adds one area's routes to
// the table; app.cc builds this once and wires everything.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/search/searcher.h"
#include "native_server/http/router.h"
#include "native_server/identity/identity_verifier.h"
#include "native_server/site/pages.h"

namespace firstfix::server {

class ChatService;
class DemoBackOffice;
class FlowService;
class Reports;
class StaffService;
class SuggestionsService;

// One version of the compiled help center, as the routes read it. A reload
// makes a new one and swaps it in whole: a request keeps the version it
// started with (its search, its article), never half of each.
struct Content {
  std::string dist_dir;                                      // the compiled content
  nlohmann::json manifest;
  std::string index_path;
  std::map<std::string, nlohmann::json> articles;           // id -> manifest entry
  std::map<std::string, nlohmann::json> flow_definitions;   // id -> the flow as written
  SiteContext site;
  std::string version;                                       // a hash of the manifest, which names every file's hash
  std::int64_t loaded_ms = 0;                                // when this server started serving it
  nlohmann::json widget_config;                              // what the loader hands the widget, but the opening list
};

struct Services {
  std::function<std::shared_ptr<const Content>()> content;  // the version live now
  std::function<search::Searcher&(const Content&)> searcher;  // this thread's searcher of that version (search executor only)
  // The panel's opening list (core/content/suggested.h) for the live version,
  // refreshed from the reports without a publish.
  std::function<std::shared_ptr<const nlohmann::json>()> suggested;
  FlowService& flows;
  ChatService& chat;
  StaffService& staff;
  Reports& reports;
  SuggestionsService& suggestions;                           // search learning's Suggestions tab
  DemoBackOffice* demo = nullptr;                            // only with --demo
  const IdentityVerifier& identity;                          // the demo site signs its customer with it
  std::string console_url, reports_url;                      // the staff pages' scripts
  bool secure_cookies = false;                               // served over HTTPS (--public-url https://...)
};

void add_search_routes(Router& router, const Services& s);
void add_site_routes(Router& router, const Services& s);
void add_flow_routes(Router& router, const Services& s);
void add_chat_routes(Router& router, const Services& s);
void add_staff_routes(Router& router, const Services& s);
void add_reports_routes(Router& router, const Services& s);

// The site's "not found" page (requests no route or asset matches).
Response not_found_html(const Request& req, const SiteContext& site);

// The Idempotency-Key header: "" when absent; printable ASCII of at most
// 64 characters, else the request is refused (it is stored and echoed).
std::string idempotency_key(const Call& call);

}  // namespace firstfix::server
