// The demo help-center site generated from a compiled help center: a home
// page with search and categories, a page per article, a search page. Every
// page embeds the widget with one script tag.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/flow/flow.h"
#include "core/search/searcher.h"

namespace firstfix::server {

struct SiteContext {
  nlohmann::json manifest;
  std::string stylesheet_url;
  std::string widget_tag;  // the embed: <script src="/widget.js" async></script>
};

std::string home_page(const SiteContext& site, const std::string& locale);
std::string article_page(const SiteContext& site, const nlohmann::json& article, const std::string& html);
std::string search_page(const SiteContext& site, const std::string& query, const search::SearchResponse& response);
std::string not_found_page(const SiteContext& site);
// A task flow's page: what it does and a button that runs it in the widget.
std::string flow_page(const SiteContext& site, const flow::Flow& flow);
// The agent console: login, queue, conversation with the hand-off context.
// The reports for content editors (the page's script draws everything from /api/v1/reports).
std::string reports_page(const SiteContext& site, const std::string& script_url);
std::string agent_console_page(const SiteContext& site, const std::string& script_url);
// The demo's signed-in account page: the customer the demo site vouches for,
// and the flows that need one. Its script (account_script) asks the server
// for the signed token a real host site's back end would put in the page.
std::string account_page(const SiteContext& site, const nlohmann::json& customer);
std::string account_script();
// The demo back office's sent email (DemoBackOffice::outbox).
std::string outbox_page(const SiteContext& site, const nlohmann::json& messages);
std::string site_stylesheet();

}  // namespace firstfix::server
