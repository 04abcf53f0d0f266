// The firstfix server, wired: the compiled content, the services (flows,
// chat, staff, reports), the route table and its executors. Every decision
// comes from core/; every route is declared in routes/*.cc.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/content/help_center.h"
#include "native_server/http/types.h"
#include "native_server/http/websocket.h"

namespace firstfix::server {

// A per-client rate limit: `per_minute` requests a minute, `burst` at once.
struct LimitConfig {
  double per_minute = 0, burst = 0;
};

// The limits routes draw on, with their defaults (README: "Running it for real").
std::map<std::string, LimitConfig> default_limits();
// "NAME=PER_MINUTE[/BURST]"; throws std::invalid_argument naming what is wrong.
void apply_limit(std::map<std::string, LimitConfig>& limits, std::string_view spec);

struct AppConfig {
  std::string dist_dir;    // output of `firstfix build`
  std::string widget_dir;  // built widget files (loader.js, panel.js, worker.js, firstfix.{js,wasm})
  std::string data_dir;    // databases: firstfix.db (sessions, audit, staff), events.db, demo-back-office.db
  // Where flow sessions, chat, staff and the outbox live: "sqlite:" (the
  // default, firstfix.db in data_dir) or a postgresql:// URL that several
  // servers share.
  std::string database = "sqlite:";
  std::string connectors_file;  // optional YAML with webhook endpoints (flows/webhook_connector.h)
  unsigned search_threads = 2;
  // The demo: its back office (the "demo.*" connector), the demo staff
  // logins of the README and /demo/outbox. Never on a real deployment.
  bool demo = false;
  // Where customers reach the server ("https://help.example.com"); an
  // https URL makes the staff cookie Secure and is the only Origin agent
  // sockets accept. Empty: the request's own Host.
  std::string public_url;
  std::map<std::string, LimitConfig> limits = default_limits();
  // Search learning's Suggestions tab edits the folder the content is
  // compiled from (README: "Search learning"): `compile_content` compiles
  // it (false when it does not compile); with SQLite, `content_edited` is
  // called after each change to publish it. No folder, no suggestions.
  std::string content_dir;
  std::function<bool(const std::string& dir, content::HelpCenter& out)> compile_content;
  std::function<void()> content_edited;
};

class App {
 public:
  explicit App(const AppConfig& config);  // throws naming a missing file
  ~App();
  void handle(Request&& req, Respond respond, const std::string& client);
  // A request asking for a WebSocket: live chat for customers and agents.
  void upgrade(Request&& req, boost::asio::ip::tcp::socket&& socket, const std::string& client, ConnectionSlot slot);
  // The largest request body a request may send (ServerOptions::body_limit).
  std::uint64_t body_limit(http::verb method, std::string_view target) const;
  // A month of demo events when the events store is empty (the reports
  // page's demo); returns how many were added.
  size_t add_demo_events_if_empty();
  // Makes the compiled help center in `dist_dir` the one served, without a
  // restart: requests in flight finish on the version they began with, new
  // ones get the new one; a flow session goes on with the flow version it
  // started on. Throws (and changes nothing) if `dist_dir` cannot be served.
  // Returns the new version's name.
  std::string publish_content(const std::string& dist_dir);
  std::string content_version() const;
  // The route table as data (Router::describe).
  std::string describe_routes() const;
  // What start-up found worth saying: flows that are off and why, how to add staff.
  std::vector<std::string> notices() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firstfix::server
