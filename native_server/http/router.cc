#include "native_server/http/router.h"

#include <boost/url.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>

#include "native_server/base/clock.h"
#include "native_server/base/crypto.h"
#include "native_server/base/log.h"
#include "native_server/base/text.h"

namespace firstfix::server {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t at = path.starts_with('/') ? 1 : 0;
  while (at <= path.size()) {
    std::size_t slash = path.find('/', at);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return out;
}

bool is_parameter(std::string_view segment) { return segment.size() > 2 && segment.front() == '{' && segment.back() == '}'; }

const char* method_names(http::verb v) {
  switch (v) {
    case http::verb::get: return "GET, HEAD";
    case http::verb::post: return "POST";
    default: return "";
  }
}

}  // namespace

HttpError::HttpError(unsigned status, const std::string& message) : std::runtime_error(message), status_(status) {}

const std::string& Call::param(std::string_view name) const {
  auto it = path.find(name);
  if (it == path.end()) throw std::logic_error("the route has no path parameter '" + std::string(name) + "'");
  return it->second;
}

std::optional<std::string> Call::query_value(std::string_view name) const {
  for (const auto& [key, value] : query)
    if (key == name) return value;
  return std::nullopt;
}

struct Router::Match {
  const Route* route;
  std::map<std::string, std::string, std::less<>> params;
};

Router::Router(RouterOptions options) : options_(std::move(options)) {}

void Router::add(Route route) {
  if (!route.rate_limit.empty() && !options_.limits.count(route.rate_limit))
    throw std::logic_error("route " + route.path + " names an unknown rate limit '" + route.rate_limit + "'");
  if (route.body == Body::none) route.body_limit = 0;
  routes_.push_back(std::move(route));
}

std::optional<Router::Match> Router::match(std::string_view path, http::verb method, std::string& allowed) const {
  const auto parts = segments(path);
  for (const Route& r : routes_) {
    const auto pattern = segments(r.path);
    if (pattern.size() != parts.size()) continue;
    Match m{&r, {}};
    bool ok = true;
    for (std::size_t i = 0; ok && i < parts.size(); ++i) {
      if (is_parameter(pattern[i])) {
        // No id, name or key has a control character (a NUL, say): such a path names nothing.
        if (parts[i].empty() || std::any_of(parts[i].begin(), parts[i].end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) ok = false;
        else m.params.emplace(std::string(pattern[i].substr(1, pattern[i].size() - 2)), std::string(parts[i]));
      } else {
        ok = pattern[i] == parts[i];
      }
    }
    if (!ok) continue;
    const bool same_method = r.method == method || (r.method == http::verb::get && method == http::verb::head);
    if (same_method) return m;
    if (!allowed.empty()) allowed += ", ";
    allowed += method_names(r.method);
  }
  return std::nullopt;
}

std::string Call::media_type() const {
  std::string_view type = req[http::field::content_type];
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

nlohmann::json Router::describe() const {
  static const char* const kAccess[] = {"open", "customer_key", "agent", "editor"};
  static const char* const kBody[] = {"none", "json", "bytes"};
  nlohmann::json out = nlohmann::json::array();
  for (const Route& r : routes_)
    out.push_back({{"method", std::string(http::to_string(r.method))}, {"path", r.path}, {"operation_id", r.operation_id},
                   {"access", kAccess[static_cast<int>(r.access)]}, {"body", kBody[static_cast<int>(r.body)]},
                   {"body_limit", r.body_limit}, {"cors", r.cors == Cors::any_origin ? "any_origin" : "same_origin"},
                   {"rate_limit", r.rate_limit}});
  return out;
}

std::uint64_t Router::body_limit(http::verb method, std::string_view target) const {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return 0;
  std::string allowed;
  auto m = match(parsed->path(), method, allowed);
  return m ? m->route->body_limit : fallback_body_limit_;
}

void Router::handle(Request&& incoming, Respond respond, const std::string& client) {
  const auto started = std::chrono::steady_clock::now();
  auto req = std::make_shared<Request>(std::move(incoming));
  const std::string request_id = random_hex(8);
  const std::string method(req->method_string());
  std::string logged_path = printable(req->target().substr(0, req->target().find('?')), 300);

  // Every answer leaves through here: the request id, the access log line.
  auto finish = [respond, request_id, client, method, logged_path, started](Response res, bool any_origin) {
    res.set("X-Request-Id", request_id);
    if (any_origin) res.set(http::field::access_control_allow_origin, "*");
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    log::info("request", {{"request_id", request_id}, {"client", client}, {"method", method}, {"path", logged_path},
                          {"status", res.result_int()}, {"bytes", res.body().size()}, {"ms", std::round(ms * 10) / 10}});
    respond(std::move(res));
  };
  auto refuse = [&](http::status status, const std::string& why, bool any_origin = false) {
    finish(json_error(*req, status, why), any_origin);
  };

  const bool is_options = req->method() == http::verb::options;
  if (!is_options && req->method() != http::verb::get && req->method() != http::verb::head && req->method() != http::verb::post) {
    auto res = json_error(*req, http::status::method_not_allowed, "only GET, HEAD and POST are supported here");
    res.set(http::field::allow, "GET, HEAD, POST");
    return finish(std::move(res), false);
  }
  auto parsed = boost::urls::parse_origin_form(req->target());
  if (!parsed) return refuse(http::status::bad_request, "malformed request target");
  const std::string path = parsed->path();
  if (!is_valid_utf8(path)) return refuse(http::status::bad_request, "the request path is not valid UTF-8");
  Call call{*req, request_id, client, {}, {}, nlohmann::json::object(), std::nullopt};
  for (const auto& p : parsed->params()) {
    if (!is_valid_utf8(p.key) || !is_valid_utf8(p.value))
      return refuse(http::status::bad_request, "query parameter '" + printable(p.key, 40) + "' is not valid UTF-8");
    call.query.emplace_back(p.key, p.value);
  }

  std::string allowed;
  auto m = match(path, is_options ? http::verb::get : req->method(), allowed);
  if (!m && is_options) m = match(path, http::verb::post, allowed);
  if (is_options) {
    // CORS preflight: the widget's calls from other sites' pages.
    auto res = make_response(*req, http::status::no_content, "text/plain", "");
    const bool any_origin = m && m->route->cors == Cors::any_origin;
    if (any_origin) {
      res.set(http::field::access_control_allow_methods, "GET, HEAD, POST");
      res.set(http::field::access_control_allow_headers, "Content-Type, Idempotency-Key, Authorization");
      res.set(http::field::access_control_max_age, "86400");
    }
    return finish(std::move(res), any_origin);
  }
  if (!m) {
    if (!allowed.empty()) {
      auto res = json_error(*req, http::status::method_not_allowed,
                            method + " is not supported on " + printable(path, 200) + "; use " + allowed);
      res.set(http::field::allow, allowed);
      return finish(std::move(res), false);
    }
    if (path.starts_with("/api/")) return refuse(http::status::not_found, "no such endpoint: " + printable(path, 200));
    if (req->method() == http::verb::post) {
      auto res = json_error(*req, http::status::method_not_allowed, "POST is not supported on " + printable(path, 200));
      res.set(http::field::allow, "GET, HEAD");
      return finish(std::move(res), false);
    }
    if (!options_.fallback) return refuse(http::status::not_found, "not found");
    log::debug("request", {{"request_id", request_id}, {"client", client}, {"method", method}, {"path", logged_path}});
    return options_.fallback(std::move(*req), std::move(respond), request_id);
  }

  const Route& route = *m->route;
  const bool any_origin = route.cors == Cors::any_origin;
  call.path = std::move(m->params);
  if (req->body().size() > route.body_limit)
    return refuse(http::status::payload_too_large, "the body is larger than " + byte_size(route.body_limit), any_origin);
  if (route.body == Body::json && !req->body().empty()) {
    if (call.media_type() != "application/json")
      return refuse(http::status::unsupported_media_type, "send the body as application/json", any_origin);
    if (!is_valid_utf8(req->body())) return refuse(http::status::bad_request, "the body is not valid UTF-8", any_origin);
    call.body = nlohmann::json::parse(req->body(), nullptr, /*allow_exceptions=*/false);
    if (call.body.is_discarded()) return refuse(http::status::bad_request, "the body is not valid JSON", any_origin);
    if (!call.body.is_object()) return refuse(http::status::bad_request, "the body must be a JSON object", any_origin);
  }
  if (!route.rate_limit.empty()) {
    if (const std::int64_t wait = options_.limits.at(route.rate_limit)->take(client, system_now_ms())) {
      const std::int64_t seconds = (wait + 999) / 1000;
      auto res = make_response(*req, http::status::too_many_requests, "application/json",
                               json_text({{"error", "too many requests: try again in " + std::to_string(seconds) + " s"},
                                          {"retry_after", seconds}}));
      res.set(http::field::retry_after, std::to_string(seconds));
      res.set(http::field::cache_control, "no-store");
      return finish(std::move(res), any_origin);
    }
  }

  auto task = [this, req, route = &route, call = std::move(call), finish, any_origin]() mutable {
    Response res;
    try {
      auto refused = authorize(*route, call);
      res = refused ? std::move(*refused) : route->handler(call);
    } catch (const HttpError& e) {
      res = json_error(*req, static_cast<http::status>(e.status()), e.what());
    } catch (const std::invalid_argument& e) {
      res = json_error(*req, http::status::bad_request, e.what());
    } catch (...) {
      log::error("handler_failed", {{"request_id", call.request_id}, {"route", route->operation_id},
                                    {"error", log::describe_current_exception()}});
      res = make_response(*req, http::status::internal_server_error, "application/json",
                          json_text({{"error", "internal error"}, {"request_id", call.request_id}}));
      res.set(http::field::cache_control, "no-store");
    }
    finish(std::move(res), any_origin);
  };
  if (route.runs == Runs::io) return task();
  options_.post(route.runs, std::move(task));
}

std::optional<Response> Router::authorize(const Route& route, Call& call) const {
  if (route.access != Access::agent && route.access != Access::editor) return std::nullopt;
  const std::string role = route.access == Access::agent ? "agent" : "editor";
  call.staff = options_.staff_session ? options_.staff_session(call.header(http::field::cookie)) : std::nullopt;
  if (!call.staff) return json_error(call.req, http::status::unauthorized, "log in as an " + role + " first");
  if (call.staff->role != role)
    return json_error(call.req, http::status::forbidden, "this is for " + role + "s (you are logged in as " + call.staff->role + ")");
  if (route.method == http::verb::post && !equal_secrets(call.header("X-CSRF-Token"), call.staff->csrf))
    return json_error(call.req, http::status::forbidden, "missing or wrong X-CSRF-Token");
  return std::nullopt;
}

}  // namespace firstfix::server
