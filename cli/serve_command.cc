// `firstfix serve`: compile the content, then serve it.
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>

#include "cli/commands.h"
#include "cli/content_files.h"
#include "cli/content_reloader.h"
#include "native_server/app.h"
#include "native_server/base/log.h"
#include "native_server/http/server.h"

namespace fs = std::filesystem;

namespace firstfix::cli {

int serve_command(const ServeOptions& o, const std::string& program_path) {
  const std::string dist = (fs::path(o.data_dir) / "dist").string();
  if (int rc = build_command(o.content_dir, dist, /*quiet=*/true, o.connectors_file); rc != 0) return rc;

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
  server::AppConfig config{.dist_dir = dist, .widget_dir = widget, .data_dir = o.data_dir, .database = o.database, .connectors_file = o.connectors_file,
                           .demo = o.demo, .public_url = o.public_url, .content_dir = o.content_dir,
                           .compile_content = [&o](const std::string& dir, content::HelpCenter& out) { return compile_content_dir(dir, out, o.connectors_file); }};
  // The reloader is made after the app, and goes before it: an accepted
  // suggestion (on the app's reports threads) publishes through it while it is there.
  std::unique_ptr<ContentReloader> reloader;
  struct {
    std::mutex mu;
    ContentReloader* reloader = nullptr;
  } publisher;
  config.content_edited = [&publisher] {
    std::lock_guard lock(publisher.mu);
    if (publisher.reloader) publisher.reloader->publish("an accepted suggestion");
  };
  std::unique_ptr<server::App> app;
  try {
    server::log::set_level(server::log::parse_level(o.log_level));
    for (const auto& spec : o.limits) server::apply_limit(config.limits, spec);
    if (!o.public_url.empty() && !o.public_url.starts_with("https://") && !o.public_url.starts_with("http://"))
      throw std::invalid_argument("--public-url must start with https:// or http://");
    app = std::make_unique<server::App>(config);
  } catch (const std::exception& e) {
    std::cerr << "firstfix serve: " << e.what() << "\n";
    return 1;
  }
  if (o.print_routes) {
    std::cout << app->describe_routes() << std::endl;
    return 0;
  }
  for (const auto& notice : app->notices()) std::cout << "firstfix: " << notice << std::endl;
  if (o.demo && o.demo_events) {
    try {
      if (size_t n = app->add_demo_events_if_empty())
        std::cout << "firstfix: added " << n << " demo events for the reports page (/reports); --no-demo-events to start empty" << std::endl;
    } catch (const std::exception& e) {
      std::cerr << "firstfix serve: demo events: " << e.what() << "\n";
      return 1;
    }
  }
  // Each connection is a file descriptor: raise the soft limit toward the
  // hard one so --max-connections can be reached, and say so if it cannot.
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0) {
    const rlim_t wanted = static_cast<rlim_t>(o.max_connections) + 256;  // the databases, the index, logs
    if (files.rlim_cur < wanted && files.rlim_cur < files.rlim_max) {
      files.rlim_cur = std::min(wanted, files.rlim_max);
      setrlimit(RLIMIT_NOFILE, &files);
    }
    if (files.rlim_cur < wanted)
      std::cout << "firstfix: at most " << files.rlim_cur << " open files (ulimit -n): fewer than --max-connections " << o.max_connections
                << " allows; new connections wait when they run out" << std::endl;
  }
  server::HttpServer http({.host = o.host,
                           .port = o.port,
                           .body_limit = [&app](server::http::verb method, std::string_view target) { return app->body_limit(method, target); },
                           .on_upgrade = [&app](server::Request&& req, boost::asio::ip::tcp::socket&& socket, const std::string& client,
                                                server::ConnectionSlot slot) {
                             app->upgrade(std::move(req), std::move(socket), client, std::move(slot));
                           },
                           .max_connections = o.max_connections,
                           .trust_proxy = o.trust_proxy},
                          [&app](server::Request&& req, server::Respond respond, const std::string& client) {
                            app->handle(std::move(req), std::move(respond), client);
                          });
  // New content without a restart: on SIGHUP, and with --watch when the folder changes.
  try {
    reloader = std::make_unique<ContentReloader>(*app, o.content_dir, o.data_dir, o.watch, o.database, o.connectors_file);
    std::lock_guard lock(publisher.mu);
    publisher.reloader = reloader.get();
  } catch (const std::exception& e) {
    std::cerr << "firstfix serve: published content: " << e.what() << "\n";
    return 1;
  }
  http.run([&](unsigned short port) {
    std::cout << "firstfix: serving " << o.content_dir << " at http://" << o.host << ":" << port << "/" << (o.demo ? " (demo)" : "")
              << std::endl;
  });
  {
    std::lock_guard lock(publisher.mu);
    publisher.reloader = nullptr;
  }
  reloader.reset();
  // The app first: its pools finish their tasks and its chat sockets (whose
  // timers belong to the server's I/O context) go while that context still exists.
  app.reset();
  std::cout << "firstfix: stopped" << std::endl;
  return 0;
}

}  // namespace firstfix::cli
