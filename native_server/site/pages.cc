#include "native_server/site/pages.h"

#include <map>

#include "core/search/snippet.h"

namespace firstfix::server {
namespace {

using search::escape_html;

std::string layout(const SiteContext& site, const std::string& locale, const std::string& title, const std::string& body) {
  const std::string name = site.manifest["site"]["name"].get<std::string>();
  return "<!doctype html>\n<html lang=\"" + escape_html(locale) + "\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         escape_html(title) + (title == name ? "" : " · " + escape_html(name)) + "</title>\n<link rel=\"stylesheet\" href=\"" +
         site.stylesheet_url + "\">\n" + site.widget_tag +
         "\n</head>\n<body>\n<header class=\"site\"><a class=\"brand\" href=\"/\">" + escape_html(name) +
         "</a>\n<form class=\"search\" action=\"/search\" role=\"search\"><input type=\"search\" name=\"q\" "
         "aria-label=\"Search the help center\" placeholder=\"Search the help center\"><input type=\"hidden\" "
         "name=\"locale\" value=\"" + escape_html(locale) + "\"><button>Search</button></form></header>\n<main>\n" + body +
         "</main>\n<footer>Can't find what you need? Email <a href=\"mailto:" +
         escape_html(site.manifest["site"]["contact_email"].get<std::string>()) + "\">" +
         escape_html(site.manifest["site"]["contact_email"].get<std::string>()) + "</a> · " +
         escape_html(site.manifest["site"]["contact_hours"].get<std::string>()) +
         " · <a href=\"/demo/outbox\">Demo inbox</a></footer>\n</body>\n</html>\n";
}

}  // namespace

std::string home_page(const SiteContext& site, const std::string& locale) {
  std::map<std::string, std::vector<const nlohmann::json*>> by_category;
  for (const auto& a : site.manifest["articles"])
    if (a["locale"] == locale) by_category[a["category"].get<std::string>()].push_back(&a);
  std::string body = "<h1>How can we help?</h1>\n<nav class=\"locales\">";
  for (const auto& l : site.manifest["locales"]) {
    const std::string code = l.get<std::string>();
    body += code == locale ? "<strong>" + escape_html(code) + "</strong> "
                           : "<a href=\"/?locale=" + escape_html(code) + "\" lang=\"" + escape_html(code) + "\">" + escape_html(code) + "</a> ";
  }
  body += "</nav>\n";
  // Task flows: the embed starts one from any element with data-firstfix-flow.
  std::string tasks;
  for (const auto& f : site.manifest["flows"])
    if (f["locale"] == locale)
      tasks += "<li><button type=\"button\" class=\"task\" data-firstfix-flow=\"" + escape_html(f["id"].get<std::string>()) + "\">" +
               escape_html(f["title"].get<std::string>()) + "</button></li>";
  if (!tasks.empty()) body += "<section class=\"tasks\"><h2>" + std::string(locale == "es" ? "Hazlo ahora" : "Get it done now") + "</h2><ul>" + tasks + "</ul></section>\n";
  body += "<div class=\"categories\">\n";
  for (const auto& [category, articles] : by_category) {
    body += "<section><h2>" + escape_html(category) + "</h2><ul>";
    for (const auto* a : articles)
      body += "<li><a href=\"" + escape_html((*a)["url"].get<std::string>()) + "\">" +
              escape_html((*a)["title"].get<std::string>()) + "</a></li>";
    body += "</ul></section>\n";
  }
  body += "</div>\n";
  return layout(site, locale, site.manifest["site"]["name"].get<std::string>(), body);
}

std::string article_page(const SiteContext& site, const nlohmann::json& a, const std::string& html) {
  std::string body = "<p class=\"crumbs\"><a href=\"/?locale=" + escape_html(a["locale"].get<std::string>()) + "\">Home</a> › " +
                     escape_html(a["category"].get<std::string>()) + "</p>\n<article>\n<h1>" +
                     escape_html(a["title"].get<std::string>()) + "</h1>\n" + html + "\n</article>\n";
  return layout(site, a["locale"].get<std::string>(), a["title"].get<std::string>(), body);
}

std::string search_page(const SiteContext& site, const std::string& query, const search::SearchResponse& r) {
  std::string body = "<h1>Search</h1>\n";
  if (!r.corrected.empty()) body += "<p class=\"corrected\">Showing results for <strong>" + escape_html(r.corrected) + "</strong></p>\n";
  if (r.hits.empty()) {
    body += "<p>No articles match <strong>" + escape_html(query) + "</strong>. Try other words, or contact us below.</p>\n";
  } else {
    body += "<p>" + std::to_string(r.total) + " results for <strong>" + escape_html(query) + "</strong></p>\n<ol class=\"results\">";
    for (const auto& h : r.hits)
      body += "<li><a href=\"" + escape_html(h.url) + "\">" + h.title_html + "</a> <span class=\"category\">" +
              escape_html(h.category) + "</span><p>" + h.snippet_html + "</p></li>";
    body += "</ol>\n";
  }
  return layout(site, r.locale, "Search: " + query, body);
}

std::string flow_page(const SiteContext& site, const flow::Flow& f) {
  const bool es = f.locale == "es";
  std::string body = "<p class=\"crumbs\"><a href=\"/?locale=" + escape_html(f.locale) + "\">" + (es ? "Inicio" : "Home") +
                     "</a></p>\n<article>\n<h1>" + escape_html(f.title) + "</h1>\n<p>" +
                     (es ? "Hazlo aquí mismo, paso a paso, en un par de minutos." : "Get it done right here, step by step, in a couple of minutes.") +
                     "</p>\n<p><button type=\"button\" class=\"task\" data-firstfix-flow=\"" + escape_html(f.id) + "\">" +
                     (es ? "Empezar" : "Start") + "</button></p>\n</article>\n";
  return layout(site, f.locale, f.title, body);
}

// The frame both staff pages share: head, the login form, and the header of
// the page once logged in (`header_extra` goes before "Log out").
static std::string staff_page(const SiteContext& site, const std::string& title, const std::string& lead, const std::string& body_class,
                       const std::string& script_url, const std::string& header_extra, const std::string& desk) {
  const std::string name = site.manifest["site"]["name"].get<std::string>();
  return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>" + escape_html(title) + " · " + escape_html(name) + "</title>\n<link rel=\"stylesheet\" href=\"" + escape_html(site.stylesheet_url) + "\">\n"
         "<script src=\"" + escape_html(script_url) + "\" defer></script>\n</head>\n<body class=\"" + body_class + "\">\n"
         "<form id=\"login\" class=\"login\" hidden><h1>" + escape_html(title) + "</h1>" + lead +
         "<label for=\"email\">Email</label><input id=\"email\" type=\"email\" autocomplete=\"username\" required>"
         "<label for=\"password\">Password</label><input id=\"password\" type=\"password\" autocomplete=\"current-password\" required>"
         "<button type=\"submit\">Log in</button><p id=\"login-error\" role=\"alert\"></p></form>\n"
         "<div id=\"desk\" hidden><header class=\"site\"><span class=\"brand\">" + escape_html(title) + "</span><span id=\"who\"></span>" +
         header_extra + "<button id=\"logout\" type=\"button\">Log out</button></header>\n" + desk + "</div>\n</body>\n</html>\n";
}

std::string agent_console_page(const SiteContext& site, const std::string& script_url) {
  return staff_page(site, "Agent console", "", "console", script_url, "<span id=\"status\" role=\"status\"></span>",
         "<div class=\"desk\"><aside><h2>Waiting</h2><ul id=\"queue\" class=\"queue\"></ul><h2>Tickets</h2><ul id=\"tickets\" class=\"queue\"></ul></aside>\n"
         "<section class=\"conversation\"><div id=\"context\" class=\"context\"><p>Pick a conversation.</p></div>"
         "<p>State: <span id=\"state\"></span> <button id=\"accept\" type=\"button\" hidden>Accept</button></p>"
         "<ol id=\"messages\" class=\"messages\" aria-live=\"polite\"></ol><p id=\"typing\" class=\"typing\"></p>"
         "<form id=\"composer\" hidden><label for=\"reply\">Reply</label><textarea id=\"reply\" rows=\"3\" maxlength=\"4000\"></textarea>"
         "<button type=\"submit\">Send</button></form>"
         "<form id=\"close-form\" hidden><label for=\"disposition\">Close as</label><select id=\"disposition\">"
         "<option value=\"resolved\">Resolved</option><option value=\"unresolved\">Unresolved</option>"
         "<option value=\"follow_up\">Follow-up needed</option><option value=\"spam\">Spam</option></select>"
         "<label for=\"reason\">Reason code</label><input id=\"reason\" required maxlength=\"64\" placeholder=\"e.g. password-reset-help\">"
         "<button type=\"submit\">Close conversation</button></form></section></div>");
}

std::string reports_page(const SiteContext& site, const std::string& script_url) {
  return staff_page(site, "Reports", "<p>For content editors.</p>", "console reports", script_url, "",
         "<main class=\"report\">\n"
         "<form id=\"filters\" class=\"filters\"><label>From <input id=\"from\" type=\"date\" required></label>"
         "<label>To <input id=\"to\" type=\"date\" required></label>"
         "<label>Language <select id=\"locale\"><option value=\"\">All</option></select></label>"
         "<label>Category <select id=\"category\"><option value=\"\">All</option></select></label>"
         "<button type=\"submit\">Apply</button><a id=\"csv\" class=\"button\" href=\"#\" download>Export CSV</a></form>\n"
         "<p id=\"status\" role=\"status\"></p>\n"
         "<p id=\"content-version\" class=\"category\"></p>\n"
         "<div role=\"tablist\" aria-label=\"Reports and suggestions\" class=\"tabs\">"
         "<button type=\"button\" role=\"tab\" id=\"tab-reports\" aria-controls=\"panel-reports\" aria-selected=\"true\">Reports</button>"
         "<button type=\"button\" role=\"tab\" id=\"tab-suggestions\" aria-controls=\"panel-suggestions\" aria-selected=\"false\" tabindex=\"-1\">"
         "Suggestions <span id=\"suggestion-count\"></span></button></div>\n"
         "<div id=\"panel-reports\" role=\"tabpanel\" aria-labelledby=\"tab-reports\">\n"
         "<section aria-labelledby=\"h-outcomes\"><h2 id=\"h-outcomes\">Resolution beside deflection</h2><div id=\"cards\" class=\"cards\"></div></section>\n"
         "<section aria-labelledby=\"h-trend\"><h2 id=\"h-trend\">Day by day</h2><div class=\"chart\"><canvas id=\"trend\" role=\"img\" "
         "aria-label=\"Visits, search success, resolution and deflection by day\"></canvas></div></section>\n"
         "<section aria-labelledby=\"h-gaps\"><h2 id=\"h-gaps\">Content gaps: what people could not find</h2><div id=\"gaps\"></div></section>\n"
         "<section aria-labelledby=\"h-flows\"><h2 id=\"h-flows\">Task flows</h2><div id=\"flows\"></div></section>\n"
         "<section aria-labelledby=\"h-articles\"><h2 id=\"h-articles\">Articles</h2><div id=\"articles\"></div></section>\n"
         "<section aria-labelledby=\"h-escalations\"><h2 id=\"h-escalations\">Where people ask for a person</h2><div id=\"escalations\"></div></section>\n"
         "</div>\n"
         "<div id=\"panel-suggestions\" role=\"tabpanel\" aria-labelledby=\"tab-suggestions\" hidden>\n"
         "<p class=\"lead\">What customers typed before an article or flow solved their problem. Accepting a question adds their wording "
         "to the article's or flow's file, and a synonym line makes a word customers use find what the content's own word finds "
         "(one line each, reversible), so the next customer who words it that way finds the answer first.</p>\n"
         "<p id=\"suggestions-status\" role=\"status\"></p><p id=\"suggestions-outcome\" role=\"status\"></p>\n"
         "<section aria-labelledby=\"h-questions\"><h2 id=\"h-questions\">Questions to add</h2><div id=\"questions\"></div></section>\n"
         "<section aria-labelledby=\"h-synonyms\"><h2 id=\"h-synonyms\">Synonyms to add</h2><div id=\"synonyms\"></div></section>\n"
         "<section aria-labelledby=\"h-writes\"><h2 id=\"h-writes\">Something to write</h2><div id=\"writes\"></div></section>\n"
         "<section aria-labelledby=\"h-accepted\"><h2 id=\"h-accepted\">Accepted</h2><div id=\"accepted\"></div></section>\n"
         "</div>\n"
         "<section id=\"drill\" aria-labelledby=\"h-drill\" hidden><h2 id=\"h-drill\"></h2><div id=\"drill-body\"></div></section>\n"
         "</main>");
}

std::string outbox_page(const SiteContext& site, const nlohmann::json& messages) {
  std::string body =
      "<h1>Demo inbox</h1>\n<p>Email the demo back office has sent (one-time codes, confirmations), newest first. "
      "A real deployment sends these to the customer instead.</p>\n";
  if (messages.empty()) body += "<p>No messages yet.</p>\n";
  for (const auto& m : messages)
    body += "<article class=\"mail\"><p class=\"to\">To: " + escape_html(m["to"].get<std::string>()) + "</p><h2>" +
            escape_html(m["subject"].get<std::string>()) + "</h2><p>" + escape_html(m["body"].get<std::string>()) + "</p></article>\n";
  return layout(site, site.manifest["site"]["default_locale"].get<std::string>(), "Demo inbox", body);
}

std::string account_page(const SiteContext& site, const nlohmann::json& customer) {
  const std::string locale = site.manifest["site"]["default_locale"].get<std::string>();
  std::string tasks;
  for (const auto& f : site.manifest["flows"])
    if (f["locale"] == locale && f.value("requires_identity", false))
      tasks += "<li><button type=\"button\" class=\"task\" data-firstfix-flow=\"" + escape_html(f["id"].get<std::string>()) + "\">" +
               escape_html(f["title"].get<std::string>()) + "</button></li>";
  const std::string body =
      "<h1>Your account</h1>\n<p class=\"signed-in\">Signed in as <strong>" + escape_html(customer.value("name", "")) + "</strong> (" +
      escape_html(customer.value("email", "")) + "). This page vouches for you to the help widget with a signed token, "
      "so what needs a known customer runs without a one-time code.</p>\n"
      "<section class=\"tasks\"><h2>Get it done now</h2><ul>" + tasks + "</ul></section>\n"
      "<script src=\"/demo/account.js\"></script>\n";
  return layout(site, locale, "Your account", body);
}

std::string account_script() {
  // What a host site's page does with the token its back end signed.
  return "window.firstfix = window.firstfix || function () { (firstfix.q = firstfix.q || []).push(arguments); };\n"
         "fetch('/demo/identity', { credentials: 'same-origin' }).then((r) => r.json())\n"
         "  .then(({ token }) => firstfix('identify', { token }))\n"
         "  .catch((e) => console.error('demo sign-in failed', e));\n";
}

std::string not_found_page(const SiteContext& site) {
  return layout(site, site.manifest["site"]["default_locale"].get<std::string>(), "Page not found",
                "<h1>Page not found</h1><p><a href=\"/\">Back to the help center</a></p>");
}

std::string site_stylesheet() {
  return R"(:root{color-scheme:light;--ink:#1c2430;--muted:#5a6472;--accent:#0b5cad;--line:#dde3ea}
*{box-sizing:border-box}body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#f7f9fb}
header.site{display:flex;gap:1rem;align-items:center;justify-content:space-between;flex-wrap:wrap;padding:1rem 2rem;background:#fff;border-bottom:1px solid var(--line)}
.brand{font-weight:700;font-size:1.2rem;color:var(--ink);text-decoration:none}
form.search{display:flex;gap:.5rem}form.search input[type=search]{min-width:16rem;padding:.5rem .75rem;border:1px solid #8894a3;border-radius:6px;font:inherit}
form.search button{padding:.5rem 1rem;border:0;border-radius:6px;background:var(--accent);color:#fff;font:inherit;cursor:pointer}
main{max-width:60rem;margin:0 auto;padding:2rem}a{color:var(--accent)}
.categories{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1.25rem}
.categories section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:1rem 1.25rem}
.categories h2{font-size:1.05rem;margin:.2rem 0 .5rem}.categories ul{padding-left:1.1rem;margin:0}
article{background:#fff;border:1px solid var(--line);border-radius:10px;padding:1.5rem 2rem}
article table{border-collapse:collapse}article td,article th{border:1px solid var(--line);padding:.35rem .6rem}
blockquote{margin:1rem 0;padding:.5rem 1rem;border-left:4px solid #c98a00;background:#fff8e6}
.crumbs,.category{color:var(--muted);font-size:.9rem}mark{background:#ffe38a;color:inherit}
.tasks{margin:0 0 1.5rem}.tasks h2{font-size:1.05rem}.tasks ul{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:0}
.task{padding:.5rem .9rem;border:1px solid var(--accent);border-radius:999px;background:#fff;color:var(--accent);font:inherit;cursor:pointer}
.task:hover,.task:focus-visible{background:var(--accent);color:#fff}.mail{margin-bottom:1rem}.mail h2{font-size:1.05rem;margin:.2rem 0}.to{color:var(--muted);margin:0}
.console .login{max-width:22rem;margin:4rem auto;display:flex;flex-direction:column;gap:.5rem;background:#fff;padding:2rem;border:1px solid var(--line);border-radius:10px}
.console input,.console textarea,.console select{font:inherit;padding:.45rem .6rem;border:1px solid #8894a3;border-radius:6px}
.console button{font:inherit;padding:.45rem .9rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
.desk{display:grid;grid-template-columns:20rem 1fr;gap:1rem;padding:1rem}.queue{list-style:none;padding:0;margin:0 0 1rem}
.queue .item{display:flex;flex-direction:column;align-items:flex-start;width:100%;text-align:left;background:#fff;color:var(--ink);border:1px solid var(--line);margin-bottom:.4rem}
.queue .item span{font-size:.85rem;color:var(--muted)}.conversation{background:#fff;border:1px solid var(--line);border-radius:10px;padding:1rem 1.5rem}
.context dl{display:grid;grid-template-columns:9rem 1fr;gap:.2rem .8rem}.context dt{color:var(--muted)}.trail .failure,.failures li{color:#b3261e}
.messages{list-style:none;padding:0;max-height:40vh;overflow:auto}.msg{margin:.4rem 0;padding:.5rem .8rem;border-radius:8px;background:#f1f4f8}
.msg.agent{background:#e6f0fb}.msg.system{background:#fff8e6;font-size:.9rem}.msg .meta{font-size:.8rem;color:var(--muted)}.msg p{margin:.2rem 0 0;white-space:pre-wrap}
.reports .report{max-width:72rem;margin:0 auto;padding:1rem}.filters{display:flex;flex-wrap:wrap;gap:.8rem;align-items:flex-end}
.filters label{display:flex;flex-direction:column;font-size:.9rem;gap:.2rem}.reports a.button{padding:.45rem .9rem;border:1px solid var(--accent);border-radius:6px;text-decoration:none}
[hidden]{display:none!important}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:.8rem}.reports .card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:.8rem 1rem;text-align:left;color:var(--ink)}
.reports .card:hover,.reports tr.clickable:hover{background:#eef3fa}.reports tr.clickable{cursor:pointer}.reports .visits li{margin-bottom:.6rem}.reports .events{font-size:.9rem;color:var(--muted)}
.card .value{display:block;font-size:1.6rem;font-weight:600}.card .label{display:block;font-size:.9rem;color:var(--muted)}.card.key{border-color:var(--accent);border-width:2px}
.chart{position:relative;height:18rem;background:#fff;border:1px solid var(--line);border-radius:10px;padding:.5rem}
.reports table{width:100%;border-collapse:collapse;background:#fff}.reports th,.reports td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line)}
.reports th button{background:none;border:0;color:var(--ink);padding:0;font-weight:600}.reports td.num,.reports th.num{text-align:right}
.tabs{display:flex;gap:.3rem;border-bottom:1px solid var(--line);margin:1rem 0}.reports .tabs [role=tab]{background:none;color:var(--ink);border:1px solid transparent;border-bottom:0;border-radius:6px 6px 0 0}
.reports .tabs [role=tab][aria-selected=true]{background:#fff;border-color:var(--line);font-weight:600}
.suggestion{background:#fff;border:1px solid var(--line);border-radius:10px;padding:.8rem 1.2rem;margin-bottom:.8rem}.suggestion h3{font-size:1.05rem;margin:.2rem 0}
.suggestion .file,.suggestion .evidence,.suggestion .examples{color:var(--muted);font-size:.9rem;margin:.2rem 0}.suggestion .harms{color:#8a5a00}
.suggestion .actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}.suggestion .wording{display:flex;gap:.4rem;align-items:center;flex:1 1 20rem}
.suggestion .wording input{flex:1}.reports button.secondary{background:#fff;color:var(--accent)}.outcome{color:#b3261e}
.msg .photo img{display:block;max-width:min(100%,28rem);height:auto;border-radius:6px;margin-top:.3rem}
.typing{color:var(--muted);font-size:.9rem;min-height:1.2em}#composer,#close-form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-top:.5rem}
#composer textarea{flex:1 1 100%}
.results li{margin-bottom:1rem}footer{max-width:60rem;margin:0 auto;padding:1rem 2rem 3rem;color:var(--muted)}
)";
}

}  // namespace firstfix::server
