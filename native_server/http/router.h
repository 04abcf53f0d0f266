// The route table. Each route declares, beside its method and path
// template, where its handler runs (never a blocking call on an I/O
// thread), which origins may call it, who must be logged in, how large its
// body may be (decided before the body is read) and which rate limit it
// draws on. Dispatch checks all of that once, for every route alike, and
// runs every handler under one guard: any exception becomes a logged
// `500 {"error": "internal error", "request_id": ...}`, never a crash and
// never the exception's text in the answer.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "native_server/http/rate_limit.h"
#include "native_server/http/types.h"

namespace firstfix::server {

// Where a handler runs. `io` only for handlers that answer from memory.
enum class Runs { io, search, flows, reports, login };
// `any_origin`: the widget calls it from other sites' pages.
enum class Cors { same_origin, any_origin };
// `agent`/`editor`: a session cookie of that role (and, on POST, the CSRF
// header). `customer_key`: the conversation's key as a bearer token,
// checked by the handler (it knows the conversation). Declared for the
// OpenAPI description too.
enum class Access { open, customer_key, agent, editor };
// `json`: an object, or nothing (read as {}); `bytes`: handed over as they are.
enum class Body { none, json, bytes };

// Thrown by a handler: the request is refused with `status` and the
// message, which is for the client (std::invalid_argument is read as 400).
class HttpError : public std::runtime_error {
 public:
  HttpError(unsigned status, const std::string& message);
  unsigned status() const { return status_; }

 private:
  unsigned status_;
};

// A staff member whose session cookie the router checked.
struct StaffSession {
  std::string id, email, name, role;  // role: "agent" or "editor"
  std::string csrf;                   // echoed in X-CSRF-Token by every change
};

// What a handler sees of its request.
struct Call {
  const Request& req;
  std::string request_id;
  std::string client;                                        // the client's address (see ServerOptions::trust_proxy)
  std::map<std::string, std::string, std::less<>> path;      // "{id}" -> its decoded segment
  std::vector<std::pair<std::string, std::string>> query;     // decoded, in order
  nlohmann::json body = nlohmann::json::object();            // Body::json
  std::optional<StaffSession> staff;                          // Access::staff and Access::editor

  const std::string& param(std::string_view name) const;      // a path parameter (throws if the route has none)
  std::optional<std::string> query_value(std::string_view name) const;
  std::string header(http::field f) const { return std::string(req[f]); }
  std::string header(std::string_view name) const { return std::string(req[name]); }
  // Whether a proxy named by --trust-proxy says the client came over HTTPS
  // (the server drops X-Forwarded-Proto from anyone else).
  bool forwarded_https() const { return req["X-Forwarded-Proto"] == "https"; }
  // The Content-Type's media type, lower-cased, without its parameters ("application/json").
  std::string media_type() const;
};

using RouteHandler = std::function<Response(Call&)>;

struct Route {
  http::verb method = http::verb::get;  // GET routes also answer HEAD
  std::string path;                     // "/api/v1/sessions/{id}/answers"
  std::string operation_id;             // as in openapi.yaml
  RouteHandler handler;
  Runs runs = Runs::io;
  Body body = Body::none;
  std::uint64_t body_limit = 64 * 1024;  // bytes; Body::none takes none
  Cors cors = Cors::same_origin;
  Access access = Access::open;
  std::string rate_limit;  // a bucket of RouterOptions::limits, per client; "" = none
};

struct RouterOptions {
  // Runs `task` on the executor for `runs` (never called for Runs::io).
  std::function<void(Runs, std::function<void()>)> post;
  // The staff session a Cookie header carries, if any (a store read: called off the I/O threads).
  std::function<std::optional<StaffSession>(const std::string& cookie_header)> staff_session;
  // Requests no route matches (the static assets and the site's pages): GET and HEAD only.
  std::function<void(Request&&, Respond, const std::string& request_id)> fallback;
  // Named per-client rate limits that routes draw on.
  std::map<std::string, std::shared_ptr<RateLimiter>, std::less<>> limits;
};

class Router {
 public:
  explicit Router(RouterOptions options);
  void add(Route route);
  // The largest body a request may send, known from its header alone; 0
  // for a target that takes none.
  std::uint64_t body_limit(http::verb method, std::string_view target) const;
  void handle(Request&& req, Respond respond, const std::string& client);
  const std::vector<Route>& routes() const { return routes_; }
  // The table as data: [{method, path, operation_id, access, body, body_limit, cors, rate_limit}]
  // (`firstfix serve --print-routes`; the tests hold openapi.yaml to it).
  nlohmann::json describe() const;

 private:
  struct Match;
  std::optional<Match> match(std::string_view path, http::verb method, std::string& allowed) const;
  // The refusal when the route needs a login the call lacks; nullopt to go on.
  std::optional<Response> authorize(const Route& route, Call& call) const;
  RouterOptions options_;
  std::vector<Route> routes_;
  // A request that matches no route still has its (small) body read, so it can be told 404 or 405.
  std::uint64_t fallback_body_limit_ = 16 * 1024;
};

}  // namespace firstfix::server
