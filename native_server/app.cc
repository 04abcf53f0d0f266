#include "native_server/app.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/url.hpp>
#include <nlohmann/json.hpp>
#include <xapian.h>

#include <charconv>
#include <filesystem>
#include <latch>
#include <map>
#include <stdexcept>

#include "core/content/manifest.h"
#include "core/content/suggested.h"
#include "core/escalation/business_hours.h"
#include "core/metrics/visit.h"
#include "core/text/analyzer.h"
#include "native_server/base/clock.h"
#include "native_server/base/crypto.h"
#include "native_server/base/files.h"
#include "native_server/base/local_time.h"
#include "native_server/base/log.h"
#include "native_server/base/text.h"
#include "native_server/chat/chat_service.h"
#include "native_server/chat/event_delivery.h"
#include "native_server/storage/postgres_chat_bus.h"
#include "native_server/demo/back_office.h"
#include "native_server/demo/demo_events.h"
#include "native_server/flows/flow_service.h"
#include "native_server/flows/webhook_connector.h"
#include "native_server/http/router.h"
#include "native_server/photos/image_check.h"
#include "native_server/identity/identity_verifier.h"
#include "native_server/http/static_assets.h"
#include "native_server/reports/reports.h"
#include "native_server/reports/suggestions_service.h"
#include "native_server/routes/services.h"
#include "native_server/site/pages.h"
#include "native_server/storage/published_content.h"
#include "native_server/staff/staff_service.h"

namespace fs = std::filesystem;

namespace firstfix::server {

std::map<std::string, LimitConfig> default_limits() {
  return {
      {"search", {600, 120}},        // the widget asks while its own engine warms up, and hedges cold lazy reads
      {"login", {10, 10}},           // per client; accounts back off on their own (staff_service.h)
      {"conversations", {10, 5}},    // chat opens
      {"messages", {120, 20}},       // chat messages, across all of a client's sockets
      {"uploads", {20, 10}},         // photos to flow steps and chats
      {"events", {120, 60}},         // the widget's event batches
      {"reports", {120, 30}},        // editors' reports and suggestions: each may scan a year of events
  };
}

void apply_limit(std::map<std::string, LimitConfig>& limits, std::string_view spec) {
  const auto eq = spec.find('=');
  const std::string name(spec.substr(0, eq));
  if (eq == std::string_view::npos || !limits.count(name)) {
    std::string names;
    for (const auto& [n, l] : limits) names += (names.empty() ? "" : ", ") + n;
    throw std::invalid_argument("--limit '" + std::string(spec) + "': expected NAME=PER_MINUTE[/BURST] with NAME one of " + names);
  }
  std::string_view rest = spec.substr(eq + 1);
  auto number = [&](std::string_view text) {
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v <= 0)
      throw std::invalid_argument("--limit '" + std::string(spec) + "': '" + std::string(text) + "' is not a positive number");
    return v;
  };
  const auto slash = rest.find('/');
  LimitConfig l;
  l.per_minute = number(rest.substr(0, slash));
  l.burst = slash == std::string_view::npos ? std::max(1.0, l.per_minute / 6) : number(rest.substr(slash + 1));
  limits[name] = l;
}

struct App::Impl {
  AppConfig config;
  // The executors, declared before the services so they outlive them (the
  // services' timers run on them). Searches read the index; flows and chat wait on the
  // store and connectors (a webhook may take seconds); reports may scan
  // millions of rows; logins spend Argon2's memory and time on purpose;
  // ranges of the index are a pread each (the page cache: microseconds), and
  // an in-page engine waits on them in turn, so they do not queue behind a
  // search (10,000 articles, two loops of searches running: a 2 KB range took
  // p50 1.3 ms on the search pool, 1.05 ms on its own; a slow search would
  // hold it longer).
  // Each its own threads, so none queues behind another.
  boost::asio::thread_pool search_pool;
  boost::asio::thread_pool asset_pool{2};
  boost::asio::thread_pool flow_pool{8};
  boost::asio::thread_pool reports_pool{2};
  boost::asio::thread_pool login_pool{1};

  // Housekeeping, hourly: photos uploaded to a flow step that no answer came
  // to name (the customer left) are deleted once a day old.
  boost::asio::strand<boost::asio::thread_pool::executor_type> housekeeping{boost::asio::make_strand(flow_pool)};
  boost::asio::steady_timer housekeeping_timer{housekeeping};
  // Every 5 s: this server tells the others it is alive and how many agents it holds.
  boost::asio::steady_timer presence_timer{housekeeping};
  bool stopping = false;  // on the housekeeping strand

  void tell_presence() {
    guarded("chat presence", [&] { chat->heartbeat(); });
    presence_timer.expires_after(std::chrono::seconds(5));
    presence_timer.async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopping) tell_presence();
    });
  }

  void housekeep() {
    guarded("deleting stale uploads", [&] {
      if (const std::size_t n = flows->delete_stale_uploads()) log::info("stale_uploads_deleted", {{"count", n}});
    });
    guarded("refreshing the opening list", [&] { refresh_suggested(); });
    housekeeping_timer.expires_after(std::chrono::hours(1));
    housekeeping_timer.async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopping) housekeep();
    });
  }

  AssetStore assets;
  nlohmann::json widget_urls;  // the widget's own files: the same for every content version
  // The content version live now; a publish swaps it whole (publish_content).
  mutable std::mutex content_mu;
  std::shared_ptr<const Content> live;
  std::shared_ptr<const nlohmann::json> suggested;  // the panel's opening list for `live`
  std::mutex publishing;  // one publish at a time

  std::shared_ptr<const Content> content() const {
    std::lock_guard lock(content_mu);
    return live;
  }
  std::vector<std::string> notices;

  std::unique_ptr<Store> store;
  std::shared_ptr<DemoBackOffice> demo;
  std::unique_ptr<IdentityVerifier> identity;
  Connectors connectors;
  std::shared_ptr<WebhookConnector> webhooks;  // declared before `delivery`, which uses it, so it outlives it
  std::unique_ptr<EventDelivery> delivery;     // hand-off events to a helpdesk, when configured
  std::unique_ptr<FlowService> flows;
  std::unique_ptr<StaffService> staff;
  std::unique_ptr<ChatService> chat;
  std::unique_ptr<Reports> reports;
  std::unique_ptr<SuggestionsService> suggestions;
  std::unique_ptr<Router> router;
  // Declared after `chat`, whose handler it calls: destroyed first, so its
  // listening thread stops before the chat service goes.
  std::unique_ptr<ChatBus> chat_bus;
  std::map<std::string, std::shared_ptr<RateLimiter>, std::less<>> limiters;

  explicit Impl(const AppConfig& c) : config(c), search_pool(c.search_threads) {}

  // Each search thread's searcher, opened on the version a request holds; a
  // search that began on the version before finishes on it.
  static search::Searcher& searcher(const Content& c) {
    thread_local std::unique_ptr<search::Searcher> s;
    thread_local std::string opened;
    if (!s || opened != c.index_path) {
      s = std::make_unique<search::Searcher>(Xapian::Database(c.index_path));
      opened = c.index_path;
    }
    return *s;
  }

  // Opens each search thread's database and analyzers before the first
  // customer waits for it. The latch keeps each task on its own thread.
  void warm_searchers(const Content& c) {
    std::latch all_started(config.search_threads);
    std::latch done(config.search_threads);
    for (unsigned i = 0; i < config.search_threads; ++i) {
      boost::asio::post(search_pool, [&] {
        all_started.arrive_and_wait();
        // A broken index is reported by the first real search.
        guarded("warming the searcher", [&] {
          for (const auto& locale : c.manifest["locales"]) {
            search::SearchRequest warm;
            warm.query = "warm";
            warm.locale = locale.get<std::string>();
            warm.facets = false;
            searcher(c).search(warm);
          }
        });
        done.count_down();
      });
    }
    done.wait();
  }

  void post(Runs runs, std::function<void()> task) {
    boost::asio::thread_pool* pool = &flow_pool;
    switch (runs) {
      case Runs::search: pool = &search_pool; break;
      case Runs::reports: pool = &reports_pool; break;
      case Runs::login: pool = &login_pool; break;
      case Runs::flows:
      case Runs::io: break;
    }
    // The router's task guards itself; this guard is for the unexpected (say, out of memory while logging).
    boost::asio::post(*pool, [task = std::move(task)] { guarded("request", task); });
  }

  // A compiled help center (`firstfix build`'s output) as a content version.
  std::shared_ptr<Content> load_content(const std::string& dist_dir) {
    const fs::path dist(dist_dir);
    auto c = std::make_shared<Content>();
    c->dist_dir = dist_dir;
    c->manifest = nlohmann::json::parse(read_file(dist / std::string(content::kManifestFile)));
    c->index_path = (dist / std::string(content::kIndexFile)).string();
    for (const auto& a : c->manifest["articles"]) c->articles[a["id"].get<std::string>()] = a;
    for (const auto& f : c->manifest["flows"])
      c->flow_definitions[f["id"].get<std::string>()] = nlohmann::json::parse(read_file(dist / f["file"].get<std::string>()));
    c->version = dist_version(dist_dir);
    return c;
  }

  // The widget's own files: content-hashed, immutable, loaded once.
  void load_widget_assets() {
    const fs::path widget(config.widget_dir);
    widget_urls["glue"] = widget_file("firstfix.js");
    widget_urls["wasm"] = widget_file("firstfix.wasm");
    widget_urls["flow_glue"] = widget_file("firstfix-flow.js");  // the flow engine, loaded when a flow opens
    widget_urls["flow_wasm"] = widget_file("firstfix-flow.wasm");
    widget_urls["worker"] = widget_file("worker.js");
    widget_urls["panel"] = widget_file("panel.js");
    if (fs::exists(widget / "icu-cjk.dat")) widget_urls["cjk"] = widget_file("icu-cjk.dat");
    // The panel's chunks (its flow and chat views), imported relative to the
    // panel's own URL; their names already carry a content hash.
    if (fs::is_directory(widget / "chunks"))
      for (const auto& entry : fs::directory_iterator(widget / "chunks")) {
        const std::string name = entry.path().filename().string();
        if (!name.ends_with(".js")) continue;
        const fs::path br = entry.path().string() + ".br";
        assets.add("/assets/chunks/" + name, read_file(entry.path()), "public, max-age=31536000, immutable",
                   fs::exists(br) ? read_file(br) : std::string());
      }
    // For bundler users: an ES module that injects the loader, and its types.
    assets.add("/firstfix.mjs", read_file(widget / "firstfix.mjs"), "public, max-age=300, must-revalidate");
    assets.add("/firstfix.d.ts", read_file(widget / "firstfix.d.ts"), "public, max-age=300, must-revalidate");
    // For content editors: the flow files' JSON Schema (docs/flow.schema.json), for completion and checks in their editor.
    assets.add("/schemas/flow.json", read_file(widget / "flow.schema.json"), "public, max-age=300, must-revalidate");
  }

  // A content version's files, under names that carry its hashes (so no
  // browser mixes two versions), and the loader that names them. Files of
  // earlier versions stay served: a page open on one finishes on it.
  void add_content_assets(Content& c) {
    nlohmann::json urls = widget_urls;
    // The index is served from disk (a big help center's is hundreds of MB).
    urls["index"] = assets.add_hashed_file("index.db", c.index_path, c.manifest["index"]["hash"].get<std::string>());
    // Which locales read right to left: the core's table, for any locale a host page may set.
    nlohmann::json rtl = nlohmann::json::array();
    for (const auto& l : text::supported_locales())
      if (l.right_to_left) rtl.push_back(std::string(l.code));
    c.widget_config = {{"assets", urls},
                       {"site", c.manifest["site"]},
                       {"locales", c.manifest["locales"]},
                       {"rtl", rtl},
                       // The photos the server takes: the widget checks the same before sending.
                       {"photos", {{"types", std::vector<std::string>(kImageTypes.begin(), kImageTypes.end())},
                                   {"max_bytes", kMaxImageBytes}}},
                       {"index_bytes", c.manifest["index"]["bytes"]},
                       {"cjk", false}};
    c.site.manifest = c.manifest;
    c.site.stylesheet_url = assets.add_hashed("site.css", site_stylesheet());
    c.site.widget_tag = "<script src=\"/widget.js\" async></script>";
  }

  // The loader, with the content's config and its opening list inside, so
  // opening the panel costs no request. Its URL is stable, so it is cached
  // briefly and revalidated: installed when everything it names is served.
  void install_loader(const Content& c, const nlohmann::json& opening) {
    const fs::path widget(config.widget_dir);
    nlohmann::json config_json = c.widget_config;
    config_json["suggested"] = opening;
    std::string loader = read_file(widget / "loader.js");
    const std::string placeholder = "\"__FIRSTFIX_CONFIG__\"";
    auto at = loader.find(placeholder);
    if (at == std::string::npos) throw std::runtime_error((widget / "loader.js").string() + " lacks the config placeholder");
    loader.replace(at, placeholder.size(), json_text(config_json));
    assets.add("/widget.js", std::move(loader), "public, max-age=300, must-revalidate");
  }

  // The opening list for `manifest`, from what resolved in the last
  // kSuggestedWindowDays (until the reports open: none, the static list).
  nlohmann::json compile_suggested(const nlohmann::json& manifest) {
    std::vector<content::Resolutions> counts;
    if (reports) {
      const std::int64_t now = system_now_ms();
      ReportFilter window{metrics::utc_day(now - (content::kSuggestedWindowDays - 1) * metrics::kDayMs), metrics::utc_day(now), "", ""};
      counts = reports->store().resolutions(window);
    }
    return content::compile_suggested(manifest, counts);
  }

  // Makes `dist_dir` the live content: loaded, its files served, every search
  // thread's searcher opened on it, its flows published, then swapped in.
  std::shared_ptr<const Content> publish_content(const std::string& dist_dir) {
    std::lock_guard one_at_a_time(publishing);
    auto c = load_content(dist_dir);
    // Read and checked before anything changes: a broken version changes nothing.
    auto flow_versions = load_flows(dist_dir);
    (void)Xapian::Database(c->index_path);
    add_content_assets(*c);
    auto opening = std::make_shared<const nlohmann::json>(compile_suggested(c->manifest));
    c->loaded_ms = system_now_ms();
    std::shared_ptr<const Content> ready = std::move(c);
    warm_searchers(*ready);
    // The services exist from the second version on (the first is published before they open).
    if (flows) flows->publish(std::move(flow_versions));
    if (reports) reports->set_manifest(ready->manifest);
    {
      std::lock_guard lock(content_mu);
      live = ready;
      suggested = opening;
    }
    install_loader(*ready, *opening);
    return ready;
  }

  // The opening list again, from the reports as they are now (hourly, and
  // once they open): the live content stays as it is.
  void refresh_suggested() {
    std::lock_guard one_at_a_time(publishing);
    const auto c = content();
    auto opening = std::make_shared<const nlohmann::json>(compile_suggested(c->manifest));
    if (*opening == *suggested_now()) return;
    {
      std::lock_guard lock(content_mu);
      suggested = opening;
    }
    install_loader(*c, *opening);
    log::info("suggestions_refreshed", {{"version", c->version}});
  }

  std::shared_ptr<const nlohmann::json> suggested_now() const {
    std::lock_guard lock(content_mu);
    return suggested;
  }

  std::string widget_file(const std::string& name) {
    const fs::path widget(config.widget_dir);
    const fs::path br = widget / (name + ".br");
    return assets.add_hashed(name, read_file(widget / name), fs::exists(br) ? read_file(br) : std::string());
  }

  void open_services() {
    const fs::path data(config.data_dir);
    fs::create_directories(data);
    for (const auto& [name, l] : config.limits) limiters[name] = std::make_shared<RateLimiter>(l.per_minute, l.burst);
    // A connection for each flow worker and two to spare (chat, staff, delivery).
    store = open_store(config.database, config.data_dir, 10);
    staff = std::make_unique<StaffService>(*store);
    if (config.demo) {
      demo = std::make_shared<DemoBackOffice>((data / "demo-back-office.db").string());
      connectors.add("demo", demo);
      staff->ensure_demo_accounts();
    } else {
      // A data folder once served with --demo keeps no published password.
      for (const char* email : {"agent@brightloop.example", "editor@brightloop.example"})
        if (staff->remove(email)) notices.push_back(std::string("removed the demo login ") + email + " (this server runs without --demo)");
    }
    identity = std::make_unique<IdentityVerifier>(IdentityVerifier::from_environment());
    if (!identity->enabled() && config.demo) {
      // The demo site signs its customer itself; a real host site shares a secret set in the environment.
      identity = std::make_unique<IdentityVerifier>(std::vector<std::string>{random_hex(32)});
      notices.push_back("identity: the demo signs its customer with a random secret of this run; set FIRSTFIX_IDENTITY_SECRET "
                        "(the same on every server) so a host site can sign its customers");
    }
    ConnectorsConfig connectors_config;
    if (!config.connectors_file.empty()) {
      connectors_config = load_connectors_config(config.connectors_file);
      webhooks = std::make_shared<WebhookConnector>(connectors_config.endpoints);
      connectors.add("webhook", webhooks);
    }
    flows = std::make_unique<FlowService>(load_flows(content()->dist_dir), *store, connectors, Clock{}, [this](std::int64_t now_ms) {
      // "today" in the help center's time zone, as published now.
      const auto t = local_time(now_ms, content()->manifest["site"].value("timezone", "UTC"));
      return t ? t->date : local_time(now_ms, "UTC")->date;
    }, identity.get());
    for (const auto& [id, why] : flows->flows()->off) notices.push_back("flow '" + id + "' is off: " + why);
    if (!connectors_config.handoff_endpoint.empty())
      delivery = std::make_unique<EventDelivery>(*store, *webhooks, connectors_config.handoff_endpoint, connectors_config.handoff_backoff);
    chat_bus = is_sqlite_database(config.database) ? in_process_chat_bus() : postgres_chat_bus(config.database);
    chat = std::make_unique<ChatService>(
        *store, *chat_bus, [this](const std::string& cookie) { return staff->session(cookie); }, flow_pool,
        [this](const std::string& id) { return flows->handoff(id); }, limiters.at("messages"), Clock{}, identity.get());
    chat->on_event([this](const std::string& kind, const std::string& key, const nlohmann::json& payload) {
      if (!delivery) return;
      store->enqueue_event({0, kind, key, payload, 0, 0, 0, ""});
      delivery->wake();
    });
    set_chat_hours();
    // Events come in and reports go out on the reports pool (2 threads): 4 connections at most.
    reports = std::make_unique<Reports>(content()->manifest, open_event_store(config.database, config.data_dir, 4));
    // With PostgreSQL the servers serve what `firstfix publish` stored, not their folders: an accepted change waits for it.
    suggestions = std::make_unique<SuggestionsService>(
        reports->store(), SuggestionsConfig{.content_dir = config.content_dir,
                                            .scratch_dir = (data / "learning").string(),
                                            .compile = config.compile_content,
                                            .edited = is_sqlite_database(config.database) ? config.content_edited : std::function<void()>()});
    if (staff->list().empty())
      notices.push_back("no staff account yet: add one with `firstfix staff add " +
                        (is_sqlite_database(config.database) ? "--data " + config.data_dir : std::string("--database URL")) +
                        " --email you@example.com --role agent` (or editor); the password is read from the terminal or stdin");
  }

  // Opening hours, in the help center's time zone (ICU knows the zones).
  void set_chat_hours() {
    const nlohmann::json site = content()->manifest["site"];
    const std::string hours = site.value("chat_hours", "");
    const std::string zone_name = site.value("timezone", "UTC");
    std::string hours_problem;
    auto windows = hours.empty() ? std::nullopt : escalation::parse_business_hours(hours, hours_problem);
    if (!windows) return;
    chat->set_hours([windows = *windows, hours, zone_name]() -> std::string {
      const auto now = local_time(system_now_ms(), zone_name);
      if (!now || escalation::open_at(windows, now->weekday, now->minute)) return "";
      return hours + " (" + zone_name + ")";
    });
  }

  void build_routes() {
    RouterOptions options;
    options.post = [this](Runs runs, std::function<void()> task) { post(runs, std::move(task)); };
    options.staff_session = [this](const std::string& cookie) { return staff->session(cookie); };
    options.fallback = [this](Request&& req, Respond respond, const std::string& request_id) { serve_asset(std::move(req), respond, request_id); };
    options.limits = limiters;
    router = std::make_unique<Router>(std::move(options));
    const Services services{[this] { return content(); }, [](const Content& c) -> search::Searcher& { return searcher(c); },
                            [this] { return suggested_now(); },
                            *flows, *chat, *staff, *reports, *suggestions, demo.get(), *identity, widget_file("console.js"), widget_file("reports.js"),
                            config.public_url.starts_with("https://")};
    add_search_routes(*router, services);
    add_site_routes(*router, services);
    add_flow_routes(*router, services);
    add_chat_routes(*router, services);
    add_staff_routes(*router, services);
    add_reports_routes(*router, services);
  }

  // GET and HEAD that no route matches: the static assets, else the site's 404 page.
  void serve_asset(Request&& req, const Respond& respond, const std::string& request_id) {
    const auto parsed = boost::urls::parse_origin_form(req.target());
    std::shared_ptr<const Asset> a = parsed ? assets.find(parsed->path()) : nullptr;
    if (!a) {
      auto res = not_found_html(req, content()->site);
      res.set("X-Request-Id", request_id);
      return respond(std::move(res));
    }
    if (!a->reads_disk()) return respond(AssetStore::respond(req, *a));
    // Ranges of the index are read from disk: off the I/O threads.
    boost::asio::post(asset_pool, [req = std::move(req), a, respond, request_id]() mutable {
      try {
        respond(AssetStore::respond(req, *a));
      } catch (...) {
        log::error("asset_failed", {{"request_id", request_id}, {"error", log::describe_current_exception()}});
        respond(make_response(req, http::status::internal_server_error, "application/json",
                              json_text({{"error", "internal error"}, {"request_id", request_id}})));
      }
    });
  }

  // The WebSockets: customers at /api/v1/chat/ws, agents at /agent/ws (same origin only).
  void upgrade(Request&& req, boost::asio::ip::tcp::socket&& socket, const std::string& client, ConnectionSlot slot) {
    auto parsed = boost::urls::parse_origin_form(req.target());
    const std::string path = parsed ? std::string(parsed->path()) : "";
    const WebSocket::Limits limits;
    if (path == "/api/v1/chat/ws") {
      WebSocket::accept(std::move(socket), std::move(req), limits, client, std::move(slot),
                        [this](const std::shared_ptr<WebSocket>& ws, std::string m) { chat->customer_socket(ws, std::move(m)); },
                        [this](const std::shared_ptr<WebSocket>& ws) { chat->socket_closed(ws); });
      return;
    }
    if (path == "/agent/ws") {
      // A page on another site must not open an agent's socket with the agent's cookie.
      const std::string origin(req[http::field::origin]), host(req[http::field::host]);
      const bool same_origin = config.public_url.empty() ? origin == "http://" + host || origin == "https://" + host
                                                         : origin == config.public_url;
      const std::string cookie(req[http::field::cookie]);
      auto ws = WebSocket::accept(std::move(socket), std::move(req), limits, client, std::move(slot),
                                  [this](const std::shared_ptr<WebSocket>& s, std::string m) { chat->agent_socket(s, std::move(m)); },
                                  [this](const std::shared_ptr<WebSocket>& s) { chat->socket_closed(s); });
      if (!same_origin) {
        ws->send(json_text({{"type", "error"}, {"error", "agent sockets are same-origin only"}}));
        ws->close();
        return;
      }
      chat->agent_connected(ws, cookie);
      return;
    }
    // Not a WebSocket we serve: a plain 404 on the raw socket, then close.
    boost::system::error_code ec;
    const std::string body = R"({"error":"no WebSocket here"})";
    const std::string res = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\nConnection: close\r\n\r\n" + body;
    boost::asio::write(socket, boost::asio::buffer(res), ec);
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  }
};

App::App(const AppConfig& config) : impl_(std::make_unique<Impl>(config)) {
  impl_->load_widget_assets();
  impl_->publish_content(config.dist_dir);
  impl_->open_services();
  impl_->refresh_suggested();  // now that the reports are open
  impl_->build_routes();
  boost::asio::post(impl_->housekeeping, [im = impl_.get()] {
    im->housekeep();
    im->tell_presence();
  });
}

App::~App() {
  boost::asio::post(impl_->housekeeping, [im = impl_.get()] {
    im->stopping = true;
    im->housekeeping_timer.cancel();
    im->presence_timer.cancel();
  });
  impl_->reports_pool.join();
  impl_->search_pool.join();
  impl_->asset_pool.join();
  impl_->flow_pool.join();
  impl_->login_pool.join();
}

std::string App::publish_content(const std::string& dist_dir) {
  const auto c = impl_->publish_content(dist_dir);
  log::info("content_published", {{"version", c->version}, {"dist", dist_dir}});
  return c->version;
}

std::string App::content_version() const { return impl_->content()->version; }

void App::handle(Request&& req, Respond respond, const std::string& client) { impl_->router->handle(std::move(req), std::move(respond), client); }
void App::upgrade(Request&& req, boost::asio::ip::tcp::socket&& socket, const std::string& client, ConnectionSlot slot) {
  impl_->upgrade(std::move(req), std::move(socket), client, std::move(slot));
}
std::uint64_t App::body_limit(http::verb method, std::string_view target) const { return impl_->router->body_limit(method, target); }
std::vector<std::string> App::notices() const { return impl_->notices; }

std::string App::describe_routes() const { return impl_->router->describe().dump(2); }

size_t App::add_demo_events_if_empty() {
  if (impl_->reports->store().has_events()) return 0;
  const size_t added = add_demo_events(*impl_->reports, impl_->content()->manifest, system_now_ms(), {});
  impl_->refresh_suggested();
  return added;
}

}  // namespace firstfix::server
