// `firstfix serve`: compile the content, then serve it.
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "native_server/app.h"
#include "native_server/http_server.h"

namespace fs = std::filesystem;

namespace firstfix::cli {

int serve_command(const ServeOptions& o, const std::string& program_path) {
  const std::string dist = (fs::path(o.data_dir) / "dist").string();
  if (int rc = build_command(o.content_dir, dist, /*quiet=*/true); rc != 0) return rc;

  std::string widget = o.widget_dir;
  if (widget.empty()) {
    // build/native/firstfix -> build/widget
    fs::path beside = fs::weakly_canonical(fs::path(program_path)).parent_path().parent_path() / "widget";
    widget = fs::exists(beside) ? beside.string() : "build/widget";
  }
  if (!fs::exists(fs::path(widget) / "loader.js")) {
    std::cerr << "firstfix serve: no built widget in " << widget << " (run: npm ci && node widget/build.mjs)\n";
    return 2;
  }
  std::unique_ptr<server::App> app;
  try {
    app = std::make_unique<server::App>(
        server::AppConfig{.dist_dir = dist, .widget_dir = widget, .data_dir = o.data_dir, .connectors_file = o.connectors_file});
  } catch (const std::exception& e) {
    std::cerr << "firstfix serve: " << e.what() << "\n";
    return 1;
  }
  if (o.demo_events) {
    try {
      if (size_t n = app->add_demo_events_if_empty())
        std::cout << "firstfix: added " << n << " demo events for the reports page (/reports); --no-demo-events to start empty" << std::endl;
    } catch (const std::exception& e) {
      std::cerr << "firstfix serve: demo events: " << e.what() << "\n";
      return 1;
    }
  }
  server::HttpServer http({.host = o.host,
                           .port = o.port,
                           .body_limit = &server::App::body_limit,
                           .on_upgrade = [&app](server::Request&& req, boost::asio::ip::tcp::socket&& socket) {
                             app->upgrade(std::move(req), std::move(socket));
                           }},
                          [&app](server::Request&& req, server::Respond respond) { app->handle(std::move(req), std::move(respond)); });
  http.run([&](unsigned short port) {
    std::cout << "firstfix: serving " << o.content_dir << " at http://" << o.host << ":" << port << "/" << std::endl;
  });
  std::cout << "firstfix: stopped" << std::endl;
  return 0;
}

}  // namespace firstfix::cli
