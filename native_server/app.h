// The firstfix server's routes: the widget's files, the search API, the
// demo help-center site, health. All decisions come from core/.
#pragma once

#include <memory>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

#include "native_server/http_types.h"

namespace firstfix::server {

struct AppConfig {
  std::string dist_dir;    // output of `firstfix build`
  std::string widget_dir;  // built widget files (loader.js, panel.js, worker.js, firstfix.{js,wasm})
  std::string data_dir;    // databases: firstfix.db (sessions, audit) and demo-back-office.db
  std::string connectors_file;  // optional YAML with webhook endpoints (webhook_connector.h)
  unsigned search_threads = 2;
};

class App {
 public:
  explicit App(const AppConfig& config);  // throws naming a missing file
  ~App();
  void handle(Request&& req, Respond respond);
  // A month of demo events when the events store is empty (the reports
  // page's demo); returns how many were added.
  size_t add_demo_events_if_empty();
  // A request asking for a WebSocket: live chat for customers and agents.
  void upgrade(Request&& req, boost::asio::ip::tcp::socket&& socket);
  // The largest request body accepted for a target (ServerOptions::body_limit).
  static std::uint64_t body_limit(std::string_view target);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firstfix::server
