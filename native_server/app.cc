#include "native_server/app.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/url.hpp>
#include <nlohmann/json.hpp>
#include <unicode/calendar.h>
#include <unicode/timezone.h>
#include <xapian.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <latch>
#include <map>
#include <stdexcept>

#include "core/content/manifest.h"
#include "core/escalation/business_hours.h"
#include "core/search/json.h"
#include "core/search/searcher.h"
#include "native_server/chat_service.h"
#include "native_server/image_check.h"
#include "native_server/demo_events.h"
#include "native_server/reports.h"
#include "native_server/demo_back_office.h"
#include "native_server/event_delivery.h"
#include "native_server/flow_service.h"
#include "native_server/webhook_connector.h"
#include "native_server/site_pages.h"
#include "native_server/static_assets.h"

namespace fs = std::filesystem;

namespace firstfix::server {
namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Query parameters of /api/v1/search, as a JSON request for core/search/json.h.
nlohmann::json search_params(const boost::urls::params_view& params) {
  static const std::map<std::string, std::string> kinds = {
      {"q", "string"},    {"locale", "string"}, {"category", "list"}, {"tag", "list"},     {"kind", "string"},
      {"limit", "count"}, {"offset", "count"},  {"as_you_type", "bool"}, {"facets", "bool"}, {"spelling", "bool"}};
  nlohmann::json j = nlohmann::json::object();
  for (const auto& p : params) {
    auto kind = kinds.find(p.key);
    if (kind == kinds.end()) throw std::invalid_argument("unknown parameter '" + p.key + "'");
    if (kind->second == "string") {
      j[p.key] = p.value;
    } else if (kind->second == "list") {
      j[p.key].push_back(p.value);
    } else if (kind->second == "bool") {
      if (p.value != "true" && p.value != "false" && p.value != "1" && p.value != "0")
        throw std::invalid_argument("parameter '" + p.key + "' must be true or false");
      j[p.key] = p.value == "true" || p.value == "1";
    } else {
      if (p.value.empty() || p.value.size() > 9 || p.value.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument("parameter '" + p.key + "' must be a non-negative integer");
      j[p.key] = std::stoll(p.value);
    }
  }
  return j;
}

// The flow API takes small JSON bodies; anything bigger is a mistake or an attack.
constexpr size_t kMaxFlowBody = 64 * 1024;

}  // namespace

std::uint64_t App::body_limit(std::string_view target) {
  // A photo (a flow step's upload, or shown in a chat) may be a few MB; every other request is small.
  const auto path = target.substr(0, target.find('?'));
  return path.ends_with("/uploads") || path.ends_with("/photos") ? kMaxImageBytes + 1 : 1024 * 1024;
}

struct App::Impl {
  AppConfig config;
  std::unique_ptr<Store> store;
  std::shared_ptr<DemoBackOffice> demo;
  Connectors connectors;
  std::unique_ptr<FlowService> flows;
  std::map<std::string, nlohmann::json> flow_definitions;
  std::unique_ptr<ChatService> chat;
  std::unique_ptr<Reports> reports;
  std::string reports_url;
  // Report queries may scan millions of rows: their own threads, so they never hold up a search or a flow.
  boost::asio::thread_pool reports_pool{2};
  std::shared_ptr<WebhookConnector> webhooks;  // declared before `delivery`, which uses it, so it outlives it
  std::unique_ptr<EventDelivery> delivery;     // hand-off events to a helpdesk, when configured
  std::string console_url;  // id -> the flow as written: the widget checks answers with it
  nlohmann::json manifest;
  std::string index_path;
  std::map<std::string, nlohmann::json> articles;  // id -> manifest entry
  AssetStore assets;
  SiteContext site;
  std::string loader_url = "/widget.js";
  boost::asio::thread_pool pool;
  // Flow requests wait on the store and on connectors (a webhook may take
  // seconds): their own threads, so searches never queue behind them.
  boost::asio::thread_pool flow_pool{8};

  explicit Impl(const AppConfig& c) : config(c), pool(c.search_threads) {}

  search::Searcher& searcher() {
    thread_local std::unique_ptr<search::Searcher> s;
    thread_local std::string opened;
    if (!s || opened != index_path) {
      s = std::make_unique<search::Searcher>(Xapian::Database(index_path));
      opened = index_path;
    }
    return *s;
  }

  // Opens each search thread's database and analyzers before the first
  // customer waits for it. The latch keeps each task on its own thread.
  void warm_searchers() {
    std::latch all_started(config.search_threads);
    std::latch done(config.search_threads);
    for (unsigned i = 0; i < config.search_threads; ++i) {
      boost::asio::post(pool, [&] {
        all_started.arrive_and_wait();
        try {
          for (const auto& locale : manifest["locales"]) {
            search::SearchRequest warm;
            warm.query = "warm";
            warm.locale = locale.get<std::string>();
            warm.facets = false;
            searcher().search(warm);
          }
        } catch (const std::exception&) {
          // A broken index is reported by the first real search.
        }
        done.count_down();
      });
    }
    done.wait();
  }

  void load() {
    const fs::path dist(config.dist_dir), widget(config.widget_dir);
    manifest = nlohmann::json::parse(read_file(dist / std::string(content::kManifestFile)));
    index_path = (dist / std::string(content::kIndexFile)).string();
    for (const auto& a : manifest["articles"]) articles[a["id"].get<std::string>()] = a;

    // Content-hashed, immutable files; the loader names them.
    nlohmann::json urls;
    // The index is served from disk (a big help center's is hundreds of MB).
    urls["index"] = assets.add_hashed_file("index.db", index_path, manifest["index"]["hash"].get<std::string>());
    auto widget_file = [&](const std::string& name) {
      const fs::path br = widget / (name + ".br");
      return assets.add_hashed(name, read_file(widget / name), fs::exists(br) ? read_file(br) : std::string());
    };
    urls["glue"] = widget_file("firstfix.js");
    urls["wasm"] = widget_file("firstfix.wasm");
    urls["worker"] = widget_file("worker.js");
    urls["panel"] = widget_file("panel.js");
    if (fs::exists(widget / "icu-cjk.dat")) urls["cjk"] = widget_file("icu-cjk.dat");
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
    // Flows first: on a page about orders, "Track an order" beats reading about it.
    nlohmann::json pages = nlohmann::json::array();
    for (const char* kind : {"flow", "article"})
      for (const auto& entry : manifest[std::string(kind) + "s"])
        if (!entry["pages"].empty())
          pages.push_back({{"id", entry["id"]}, {"kind", kind}, {"title", entry["title"]}, {"locale", entry["locale"]}, {"pages", entry["pages"]}});
    urls["pages"] = assets.add_hashed("pages.json", pages.dump());
    nlohmann::json config_json = {{"assets", urls},
                                  {"site", manifest["site"]},
                                  {"locales", manifest["locales"]},
                                  {"index_bytes", manifest["index"]["bytes"]},
                                  {"cjk", false}};
    std::string loader = read_file(widget / "loader.js");
    const std::string placeholder = "\"__FIRSTFIX_CONFIG__\"";
    auto at = loader.find(placeholder);
    if (at == std::string::npos) throw std::runtime_error((widget / "loader.js").string() + " lacks the config placeholder");
    loader.replace(at, placeholder.size(), config_json.dump());
    // The loader's own URL is stable, so it is cached briefly and revalidated.
    assets.add(loader_url, std::move(loader), "public, max-age=300, must-revalidate");
    // For bundler users: an ES module that injects the loader, and its types.
    assets.add("/firstfix.mjs", read_file(widget / "firstfix.mjs"), "public, max-age=300, must-revalidate");
    assets.add("/firstfix.d.ts", read_file(widget / "firstfix.d.ts"), "public, max-age=300, must-revalidate");

    warm_searchers();

    const fs::path data(config.data_dir);
    fs::create_directories(data);
    store = open_sqlite_store((data / "firstfix.db").string());
    demo = std::make_shared<DemoBackOffice>((data / "demo-back-office.db").string());
    connectors.add("demo", demo);
    ConnectorsConfig connectors_config;
    if (!config.connectors_file.empty()) {
      connectors_config = load_connectors_config(config.connectors_file);
      webhooks = std::make_shared<WebhookConnector>(connectors_config.endpoints);
      connectors.add("webhook", webhooks);
    }
    flows = std::make_unique<FlowService>(load_flows(config.dist_dir), *store, connectors);
    for (const auto& f : manifest["flows"])
      flow_definitions[f["id"].get<std::string>()] = nlohmann::json::parse(read_file(dist / f["file"].get<std::string>()));
    if (!connectors_config.handoff_endpoint.empty())
      delivery = std::make_unique<EventDelivery>(*store, *webhooks, connectors_config.handoff_endpoint,
                                                 connectors_config.handoff_backoff);
    chat = std::make_unique<ChatService>(*store, flow_pool, [this](const std::string& id) { return flows->handoff(id); });
    chat->on_event([this](const std::string& kind, const std::string& key, const nlohmann::json& payload) {
      if (!delivery) return;
      store->enqueue_event({0, kind, key, payload, 0, 0, 0, ""});
      delivery->wake();
    });
    chat->ensure_demo_agent();
    // Opening hours, in the help center's time zone (ICU knows the zones).
    const std::string hours = manifest["site"].value("chat_hours", "");
    const std::string zone_name = manifest["site"].value("chat_timezone", "UTC");
    std::string hours_problem;
    if (auto windows = hours.empty() ? std::nullopt : escalation::parse_business_hours(hours, hours_problem)) {
      chat->set_hours([windows = *windows, hours, zone_name]() -> std::string {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::Calendar> cal(
            icu::Calendar::createInstance(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone_name)), status));
        if (U_FAILURE(status)) return "";
        cal->setTime(icu::Calendar::getNow(), status);
        const int weekday = (cal->get(UCAL_DAY_OF_WEEK, status) + 5) % 7;  // ICU: 1 = Sunday; ours: 0 = Monday
        const int minute = cal->get(UCAL_HOUR_OF_DAY, status) * 60 + cal->get(UCAL_MINUTE, status);
        if (U_FAILURE(status) || escalation::open_at(windows, weekday, minute)) return "";
        return hours + " (" + zone_name + ")";
      });
    }

    reports = std::make_unique<Reports>(manifest, (data / "events.db").string());
    console_url = widget_file("console.js");
    reports_url = widget_file("reports.js");
    site.manifest = manifest;
    site.stylesheet_url = assets.add_hashed("site.css", site_stylesheet());
    site.widget_tag = "<script src=\"" + loader_url + "\" async></script>";
  }

  Response html(const Request& req, http::status status, std::string body) {
    auto res = make_response(req, status, "text/html; charset=utf-8", std::move(body));
    res.set(http::field::cache_control, "no-cache");
    // The demo site runs under a strict CSP, as a careful host page would.
    res.set("Content-Security-Policy",
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; "
            "style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'");
    compress_if_accepted(req, res);
    return res;
  }

  Response json(const Request& req, const nlohmann::json& body, const char* cache = "no-store") {
    auto res = make_response(req, http::status::ok, "application/json", body.dump());
    res.set(http::field::cache_control, cache);
    res.set(http::field::access_control_allow_origin, "*");
    compress_if_accepted(req, res);
    return res;
  }

  Response flow_response(const Request& req, const FlowReply& r) {
    auto res = make_response(req, static_cast<http::status>(r.status), "application/json", r.body.dump());
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::access_control_allow_origin, "*");
    return res;
  }

  // The flow API: /api/v1/flows, /api/v1/flows/<id>[/sessions], /api/v1/sessions/<id>[/answers|/back|/not-solved].
  // Returns false when `path` is not one of its routes.
  bool handle_flow_api(Request& req, const std::string& path, const boost::urls::params_view& params, Respond& respond) {
    std::vector<std::string> parts;
    for (size_t at = 8; at <= path.size();) {  // after "/api/v1/"
      size_t slash = path.find('/', at);
      if (slash == std::string::npos) slash = path.size();
      parts.push_back(path.substr(at, slash - at));
      at = slash + 1;
    }
    if (parts.empty() || (parts[0] != "flows" && parts[0] != "sessions")) return false;
    const bool post = req.method() == http::verb::post;
    auto refuse_method = [&](const char* allowed) {
      auto res = json_error(req, http::status::method_not_allowed, std::string("use ") + allowed + " here");
      res.set(http::field::allow, allowed);
      respond(std::move(res));
      return true;
    };
    if (parts[0] == "flows" && parts.size() == 1) {
      if (post) return refuse_method("GET, HEAD");
      std::string locale;
      if (auto l = params.find("locale"); l != params.end()) locale = (*l).value;
      respond(json(req, {{"flows", flows->list(locale)}}, "public, max-age=60"));
      return true;
    }
    // Everything below reads or writes the store: off the I/O threads.
    if (post && parts[0] == "sessions" && parts.size() == 3 && parts[2] == "uploads") {
      boost::asio::post(flow_pool, [this, req = std::move(req), id = parts[1], respond]() mutable {
        try {
          respond(flow_response(req, flows->upload(id, std::string(req[http::field::content_type]), req.body())));
        } catch (const std::exception& e) {
          respond(json_error(req, http::status::internal_server_error, e.what()));
        }
      });
      return true;
    }
    nlohmann::json body = nlohmann::json::object();
    if (post) {
      if (req.body().size() > kMaxFlowBody) {
        respond(json_error(req, http::status::payload_too_large, "the body is larger than " + std::to_string(kMaxFlowBody) + " bytes"));
        return true;
      }
      const auto type = req[http::field::content_type];
      if (!req.body().empty() && type.substr(0, 16) != "application/json") {
        respond(json_error(req, http::status::unsupported_media_type, "send the body as application/json"));
        return true;
      }
      if (!req.body().empty()) {
        body = nlohmann::json::parse(req.body(), nullptr, /*allow_exceptions=*/false);
        if (body.is_discarded()) {
          respond(json_error(req, http::status::bad_request, "the body is not valid JSON"));
          return true;
        }
      }
    }
    std::function<FlowReply()> work;
    const std::string idempotency_key(req["Idempotency-Key"]);
    if (parts[0] == "flows" && parts.size() == 2) {
      if (post) return refuse_method("GET, HEAD");
      auto it = flows->flows().find(parts[1]);
      if (it == flows->flows().end()) {
        respond(json_error(req, http::status::not_found, "no flow with id '" + parts[1] + "'"));
        return true;
      }
      respond(json(req, {{"id", it->first}, {"title", it->second.title}, {"locale", it->second.locale},
                         {"intents", it->second.intents}, {"definition", flow_definitions.at(it->first)}}, "public, max-age=60"));
      return true;
    } else if (parts[0] == "flows" && parts.size() == 3 && parts[2] == "sessions") {
      if (!post) return refuse_method("POST");
      work = [this, id = parts[1], body] { return flows->start(id, body); };
    } else if (parts[0] == "sessions" && parts.size() == 2) {
      if (post) return refuse_method("GET, HEAD");
      work = [this, id = parts[1]] { return flows->get(id); };
    } else if (parts[0] == "sessions" && parts.size() == 3) {
      if (!post) return refuse_method("POST");
      const std::string& id = parts[1];
      if (parts[2] == "answers") work = [this, id, body, idempotency_key] { return flows->answer(id, body, idempotency_key); };
      else if (parts[2] == "back") work = [this, id, body] { return flows->back(id, body); };
      else if (parts[2] == "not-solved") work = [this, id, body] { return flows->not_solved(id, body); };
      else return false;
    } else {
      return false;
    }
    boost::asio::post(flow_pool, [this, req = std::move(req), work = std::move(work), respond]() mutable {
      try {
        respond(flow_response(req, work()));
      } catch (const std::invalid_argument& e) {
        respond(json_error(req, http::status::bad_request, e.what()));
      } catch (const std::exception& e) {
        respond(json_error(req, http::status::internal_server_error, e.what()));
      }
    });
    return true;
  }

  Response chat_response(const Request& req, const ChatReply& r) {
    auto res = make_response(req, static_cast<http::status>(r.status), "application/json", r.body.dump());
    res.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) res.insert(name, value);
    return res;
  }

  // Chat: customers open a conversation (any origin: the widget is embedded
  // anywhere); agents log in and work the queue (same origin only: the
  // cookie is SameSite=Strict and every change carries the CSRF token).
  // A photo as stored: never sniffed, run or framed by the browser as anything but an image.
  Response photo_response(const Request& req, const ChatService::PhotoReply& r, bool any_origin) {
    if (r.status != 200) {
      auto res = json_error(req, static_cast<http::status>(r.status), r.error);
      if (any_origin) res.set(http::field::access_control_allow_origin, "*");
      return res;
    }
    auto res = make_response(req, http::status::ok, r.photo.content_type, r.photo.bytes);
    res.set(http::field::cache_control, "private, max-age=31536000, immutable");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Content-Security-Policy", "default-src 'none'; sandbox");
    res.set(http::field::content_disposition, "inline; filename=\"" + r.photo.id + "\"");
    res.set(http::field::etag, "\"" + r.photo.sha256 + "\"");
    if (any_origin) res.set(http::field::access_control_allow_origin, "*");
    else res.set("Cross-Origin-Resource-Policy", "same-origin");
    return res;
  }

  bool handle_chat_api(Request& req, const std::string& path, Respond& respond) {
    const bool post = req.method() == http::verb::post;
    std::function<ChatReply(const nlohmann::json&)> work;
    const std::string cookie(req[http::field::cookie]), csrf(req["X-CSRF-Token"]), user_agent(req[http::field::user_agent]);
    const std::string authorization(req[http::field::authorization]);
    // Photos: /api/v1/chat/conversations/<id>/photos[/<photo>] (the customer) and /api/v1/agent/photos/<photo>.
    const std::string conversations = "/api/v1/chat/conversations/";
    if (path.rfind(conversations, 0) == 0) {
      const std::string rest = path.substr(conversations.size());
      const auto slash = rest.find('/');
      const std::string id = rest.substr(0, slash), tail = slash == std::string::npos ? "" : rest.substr(slash + 1);
      if (tail == "photos" && post) {
        boost::asio::post(flow_pool, [this, req = std::move(req), id, authorization, respond]() mutable {
          try {
            auto res = chat_response(req, chat->attach_photo(id, authorization, std::string(req[http::field::content_type]),
                                                             std::string(req["Idempotency-Key"]), req.body()));
            res.set(http::field::access_control_allow_origin, "*");
            respond(std::move(res));
          } catch (const std::exception& e) {
            respond(json_error(req, http::status::internal_server_error, e.what()));
          }
        });
        return true;
      }
      if (tail.rfind("photos/", 0) == 0 && !post) {
        boost::asio::post(flow_pool, [this, req = std::move(req), id, photo = tail.substr(7), authorization, respond]() mutable {
          respond(photo_response(req, chat->customer_photo(id, authorization, photo), true));
        });
        return true;
      }
      if (tail == "photos" || tail.rfind("photos/", 0) == 0) {
        auto res = json_error(req, http::status::method_not_allowed, tail == "photos" ? "use POST here" : "use GET here");
        res.set(http::field::allow, tail == "photos" ? "POST" : "GET, HEAD");
        respond(std::move(res));
        return true;
      }
      return false;
    }
    if (path.rfind("/api/v1/agent/photos/", 0) == 0 && !post) {
      boost::asio::post(flow_pool, [this, req = std::move(req), cookie, photo = path.substr(21), respond]() mutable {
        respond(photo_response(req, chat->agent_photo(cookie, photo), false));
      });
      return true;
    }
    if (path == "/api/v1/chat/conversations") {
      work = [this, user_agent](const nlohmann::json& body) { return chat->open(body, user_agent); };
    } else if (path == "/agent/login") {
      work = [this](const nlohmann::json& body) { return chat->login(body); };
    } else if (path == "/agent/logout") {
      work = [this, cookie](const nlohmann::json&) { return chat->logout(cookie); };
    } else if (path == "/api/v1/agent/queue") {
      if (post) return false;
      boost::asio::post(flow_pool, [this, req = std::move(req), cookie, respond]() mutable { respond(chat_response(req, chat->queue(cookie))); });
      return true;
    } else if (path.rfind("/api/v1/agent/conversations/", 0) == 0) {
      const std::string rest = path.substr(28);
      const auto slash = rest.find('/');
      if (slash == std::string::npos) return false;
      const std::string id = rest.substr(0, slash), action = rest.substr(slash + 1);
      if (action == "accept") work = [this, cookie, csrf, id](const nlohmann::json&) { return chat->accept(cookie, csrf, id); };
      else if (action == "close") work = [this, cookie, csrf, id](const nlohmann::json& body) { return chat->close(cookie, csrf, id, body); };
      else return false;
    } else {
      return false;
    }
    if (!post) {
      auto res = json_error(req, http::status::method_not_allowed, "use POST here");
      res.set(http::field::allow, "POST");
      respond(std::move(res));
      return true;
    }
    if (req.body().size() > kMaxFlowBody) {
      respond(json_error(req, http::status::payload_too_large, "the body is larger than " + std::to_string(kMaxFlowBody) + " bytes"));
      return true;
    }
    nlohmann::json body = nlohmann::json::object();
    if (!req.body().empty()) {
      if (req[http::field::content_type].substr(0, 16) != "application/json") {
        respond(json_error(req, http::status::unsupported_media_type, "send the body as application/json"));
        return true;
      }
      body = nlohmann::json::parse(req.body(), nullptr, false);
      if (body.is_discarded()) {
        respond(json_error(req, http::status::bad_request, "the body is not valid JSON"));
        return true;
      }
    }
    boost::asio::post(flow_pool, [this, req = std::move(req), work = std::move(work), body, respond]() mutable {
      try {
        auto res = chat_response(req, work(body));
        if (req.target().starts_with("/api/v1/chat/")) res.set(http::field::access_control_allow_origin, "*");
        respond(std::move(res));
      } catch (const std::exception& e) {
        respond(json_error(req, http::status::internal_server_error, e.what()));
      }
    });
    return true;
  }

  // Events in from any page that embeds the widget; reports out to logged-in editors only.
  bool handle_reports_api(Request& req, const std::string& path, const boost::urls::params_view& params, Respond& respond) {
    const bool post = req.method() == http::verb::post;
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (path == "/api/v1/events") {
      if (!post) {
        auto res = json_error(req, http::status::method_not_allowed, "use POST here");
        res.set(http::field::allow, "POST");
        respond(std::move(res));
        return true;
      }
      // sendBeacon sends text/plain (a CORS-safelisted type, so no preflight); fetch sends JSON.
      const auto type = req[http::field::content_type];
      if (!type.starts_with("application/json") && !type.starts_with("text/plain")) {
        auto res = json_error(req, http::status::unsupported_media_type, "send the events as application/json or text/plain");
        res.set(http::field::access_control_allow_origin, "*");
        respond(std::move(res));
        return true;
      }
      boost::asio::post(reports_pool, [this, req = std::move(req), now, respond]() mutable {
        Response res = [&] {
          try {
            const ReportsReply r = reports->ingest(req.body(), now);
            return make_response(req, static_cast<http::status>(r.status), "application/json", r.body.dump());
          } catch (const std::exception& e) {
            return json_error(req, http::status::internal_server_error, e.what());
          }
        }();
        res.set(http::field::cache_control, "no-store");
        res.set(http::field::access_control_allow_origin, "*");
        respond(std::move(res));
      });
      return true;
    }
    if (post) return false;
    std::map<std::string, std::string> query;
    for (const auto& p : params) query[std::string(p.key)] = std::string(p.value);
    const std::string cookie(req[http::field::cookie]);
    boost::asio::post(reports_pool, [this, req = std::move(req), path, query, cookie, now, respond]() mutable {
      try {
        auto editor = chat->signed_in(cookie);
        if (!editor) return respond(json_error(req, http::status::unauthorized, "log in as an editor first"));
        if (editor->role != "editor") return respond(json_error(req, http::status::forbidden, "reports are for editors (you are logged in as " + editor->role + ")"));
        ReportFilter f;
        try {
          f = reports->filter(query, metrics::utc_day(now));
        } catch (const std::invalid_argument& e) {
          return respond(json_error(req, http::status::bad_request, e.what()));
        }
        auto get = [&](const char* k, const char* fallback) { return query.count(k) ? query.at(k) : std::string(fallback); };
        size_t limit = 100;
        try {
          limit = std::clamp<size_t>(std::stoul(get("limit", "100")), 1, 1000);
        } catch (const std::exception&) {
          return respond(json_error(req, http::status::bad_request, "parameter 'limit' must be a number from 1 to 1000"));
        }
        Response res;
        try {
          if (path == "/api/v1/reports") res = json(req, reports->report(f));
          else if (path == "/api/v1/reports.csv") {
            res = make_response(req, http::status::ok, "text/csv; charset=utf-8", Reports::csv(reports->report(f)));
            res.set(http::field::content_disposition, "attachment; filename=\"firstfix-report-" + f.from + "-to-" + f.to + ".csv\"");
          } else if (path == "/api/v1/reports/searches") res = json(req, {{"searches", reports->searches(f, get("which", "all"), get("normalized", ""), limit)}});
          else if (path == "/api/v1/reports/visits") res = json(req, {{"visits", reports->visits(f, get("which", "all"), limit)}});
          else return respond(json_error(req, http::status::not_found, "no report at " + path));
        } catch (const std::invalid_argument& e) {
          return respond(json_error(req, http::status::bad_request, std::string("parameter ") + e.what()));
        }
        res.set(http::field::cache_control, "no-store");
        respond(std::move(res));
      } catch (const std::exception& e) {
        respond(json_error(req, http::status::internal_server_error, e.what()));
      }
    });
    return true;
  }

  void upgrade(Request&& req, boost::asio::ip::tcp::socket&& socket) {
    auto parsed = boost::urls::parse_origin_form(req.target());
    const std::string path = parsed ? std::string(parsed->path()) : "";
    constexpr std::size_t kMaxMessage = 64 * 1024;
    if (path == "/api/v1/chat/ws") {
      WebSocket::accept(std::move(socket), std::move(req), kMaxMessage,
                        [this](const std::shared_ptr<WebSocket>& ws, std::string m) { chat->customer_socket(ws, std::move(m)); },
                        [this](const std::shared_ptr<WebSocket>& ws) { chat->socket_closed(ws); });
      return;
    }
    if (path == "/agent/ws") {
      // A page on another site must not open an agent's socket with the agent's cookie.
      const std::string origin(req[http::field::origin]), host(req[http::field::host]);
      const bool same_origin = origin == "http://" + host || origin == "https://" + host;
      const std::string cookie(req[http::field::cookie]);
      auto ws = WebSocket::accept(std::move(socket), std::move(req), kMaxMessage,
                                  [this](const std::shared_ptr<WebSocket>& s, std::string m) { chat->agent_socket(s, std::move(m)); },
                                  [this](const std::shared_ptr<WebSocket>& s) { chat->socket_closed(s); });
      if (!same_origin) {
        ws->send(nlohmann::json{{"type", "error"}, {"error", "agent sockets are same-origin only"}}.dump());
        ws->close();
        return;
      }
      chat->agent_connected(ws, cookie);
      return;
    }
    beast_refuse(std::move(socket));
  }

  // Not a WebSocket we serve: a plain 404 on the raw socket, then close.
  static void beast_refuse(boost::asio::ip::tcp::socket&& socket) {
    boost::system::error_code ec;
    const std::string body = R"({"error":"no WebSocket here"})";
    const std::string res = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\nConnection: close\r\n\r\n" + body;
    boost::asio::write(socket, boost::asio::buffer(res), ec);
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  }

  void handle(Request&& req, Respond respond) {
    if (req.method() == http::verb::options) {
      // CORS preflight: the widget runs on other sites' pages.
      auto res = make_response(req, http::status::no_content, "text/plain", "");
      res.set(http::field::access_control_allow_origin, "*");
      res.set(http::field::access_control_allow_methods, "GET, HEAD, POST");
      res.set(http::field::access_control_allow_headers, "Content-Type, Idempotency-Key, Authorization");
      res.set(http::field::access_control_max_age, "86400");
      return respond(std::move(res));
    }
    const bool post = req.method() == http::verb::post;
    if (req.method() != http::verb::get && req.method() != http::verb::head && !post) {
      auto res = json_error(req, http::status::method_not_allowed, "only GET, HEAD and POST are supported here");
      res.set(http::field::allow, "GET, HEAD, POST");
      return respond(std::move(res));
    }
    auto parsed = boost::urls::parse_origin_form(req.target());
    if (!parsed) return respond(json_error(req, http::status::bad_request, "malformed request target"));
    const std::string path = parsed->path();
    const auto params = parsed->params();

    if ((path.rfind("/api/v1/chat/", 0) == 0 || path.rfind("/api/v1/agent/", 0) == 0 || path.rfind("/agent/", 0) == 0) &&
        handle_chat_api(req, path, respond))
      return;
    if ((path == "/api/v1/events" || path.rfind("/api/v1/reports", 0) == 0) && handle_reports_api(req, path, params, respond)) return;
    if (path.rfind("/api/v1/", 0) == 0 && handle_flow_api(req, path, params, respond)) return;
    if (post) {
      auto res = json_error(req, http::status::method_not_allowed, "POST is not supported on " + path);
      res.set(http::field::allow, "GET, HEAD");
      return respond(std::move(res));
    }
    if (const Asset* a = assets.find(path)) {
      if (!a->reads_disk()) return respond(AssetStore::respond(req, *a));
      return boost::asio::post(pool, [req = std::move(req), a, respond]() mutable {
        try {
          respond(AssetStore::respond(req, *a));
        } catch (const std::exception& e) {
          respond(json_error(req, http::status::internal_server_error, e.what()));
        }
      });
    }
    if (path == "/favicon.ico") {
      // Browsers ask every page for it: a small mark, not a 404 in every console.
      auto res = make_response(req, http::status::ok, "image/svg+xml",
                               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><circle cx=\"16\" cy=\"16\" r=\"15\" "
                               "fill=\"#0b5cad\"/><path d=\"M9 17l5 5 9-11\" stroke=\"#fff\" stroke-width=\"3.5\" fill=\"none\" "
                               "stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>");
      res.set(http::field::cache_control, "public, max-age=86400");
      return respond(std::move(res));
    }
    if (path == "/healthz")
      return respond(json(req, {{"status", "ok"}, {"articles", manifest["articles"].size()}, {"flows", manifest["flows"].size()}}));
    if (path == "/api/v1/search") {
      nlohmann::json request;
      try {
        request = search_params(params);
        search::request_from_json(request);  // validate before queueing
      } catch (const std::exception& e) {
        return respond(json_error(req, http::status::bad_request, e.what()));
      }
      // Searching reads the index: off the I/O threads.
      boost::asio::post(pool, [this, req = std::move(req), request, respond]() mutable {
        try {
          auto result = searcher().search(search::request_from_json(request));
          respond(json(req, search::to_json(result)));
        } catch (const std::invalid_argument& e) {
          respond(json_error(req, http::status::bad_request, e.what()));
        } catch (const std::exception& e) {
          respond(json_error(req, http::status::internal_server_error, e.what()));
        }
      });
      return;
    }
    if (path.rfind("/api/v1/articles/", 0) == 0) {
      auto it = articles.find(path.substr(17));
      if (it == articles.end()) return respond(json_error(req, http::status::not_found, "no article with id '" + path.substr(17) + "'"));
      // Reading the file is blocking I/O: off the I/O threads.
      return boost::asio::post(pool, [this, req = std::move(req), entry = it->second, respond]() mutable {
        try {
          nlohmann::json body = entry;
          body["html"] = read_file(fs::path(config.dist_dir) / entry["html"].get<std::string>());
          respond(json(req, body, "public, max-age=60"));
        } catch (const std::exception& e) {
          respond(json_error(req, http::status::internal_server_error, e.what()));
        }
      });
    }
    if (path.rfind("/api/", 0) == 0) return respond(json_error(req, http::status::not_found, "no such endpoint: " + path));
    if (path == "/" || path == "/index.html") {
      std::string locale = manifest["site"]["default_locale"];
      if (auto l = params.find("locale"); l != params.end()) locale = (*l).value;
      bool known = false;
      for (const auto& l : manifest["locales"]) known |= l == locale;
      if (!known) return respond(html(req, http::status::not_found, not_found_page(site)));
      return respond(html(req, http::status::ok, home_page(site, locale)));
    }
    if (path.rfind("/articles/", 0) == 0) {
      auto it = articles.find(path.substr(10));
      if (it == articles.end()) return respond(html(req, http::status::not_found, not_found_page(site)));
      return boost::asio::post(pool, [this, req = std::move(req), entry = it->second, respond]() mutable {
        try {
          const std::string body = read_file(fs::path(config.dist_dir) / entry["html"].get<std::string>());
          respond(html(req, http::status::ok, article_page(site, entry, body)));
        } catch (const std::exception&) {
          respond(html(req, http::status::internal_server_error, not_found_page(site)));
        }
      });
    }
    if (path.rfind("/flows/", 0) == 0) {
      auto it = flows->flows().find(path.substr(7));
      if (it == flows->flows().end()) return respond(html(req, http::status::not_found, not_found_page(site)));
      return respond(html(req, http::status::ok, flow_page(site, it->second)));
    }
    if (path == "/agent" || path == "/agent/") return respond(html(req, http::status::ok, agent_console_page(site, console_url)));
    if (path == "/reports" || path == "/reports/") return respond(html(req, http::status::ok, reports_page(site, reports_url)));
    if (path == "/demo/outbox") {
      return boost::asio::post(pool, [this, req = std::move(req), respond]() mutable {
        try {
          respond(html(req, http::status::ok, outbox_page(site, demo->outbox(50))));
        } catch (const std::exception& e) {
          respond(json_error(req, http::status::internal_server_error, e.what()));
        }
      });
    }
    if (path == "/search") {
      search::SearchRequest sr;
      if (auto q = params.find("q"); q != params.end()) sr.query = (*q).value;
      if (auto l = params.find("locale"); l != params.end()) sr.locale = (*l).value;
      boost::asio::post(pool, [this, req = std::move(req), sr, respond]() mutable {
        try {
          respond(html(req, http::status::ok, search_page(site, sr.query, searcher().search(sr))));
        } catch (const std::invalid_argument&) {
          respond(html(req, http::status::bad_request, not_found_page(site)));
        }
      });
      return;
    }
    respond(html(req, http::status::not_found, not_found_page(site)));
  }
};

App::App(const AppConfig& config) : impl_(std::make_unique<Impl>(config)) { impl_->load(); }
App::~App() {
  impl_->reports_pool.join();
  impl_->pool.join();
  impl_->flow_pool.join();
}
size_t App::add_demo_events_if_empty() {
  if (impl_->reports->store().has_events()) return 0;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return add_demo_events(*impl_->reports, impl_->manifest, now, {});
}

void App::handle(Request&& req, Respond respond) { impl_->handle(std::move(req), std::move(respond)); }
void App::upgrade(Request&& req, boost::asio::ip::tcp::socket&& socket) { impl_->upgrade(std::move(req), std::move(socket)); }

}  // namespace firstfix::server
