// Publishing new content to a running `firstfix serve` without a restart:
// on SIGHUP, and with --watch whenever the content folder has changed and
// then held still for half a second (an editor saving several files). The
// content is compiled on this class's own thread into a new folder beside
// the first (DATA/dist-N); then the app swaps it in (App::publish_content).
// Content that does not compile, or cannot be served, is refused with its
// errors, and the version live before stays live.
//
// On a PostgreSQL database, versions published with `firstfix publish` are
// the truth once there is one: the latest is served from the start, each
// new one is taken when its NOTIFY arrives (or when the listening
// connection comes back), and SIGHUP takes the latest again rather than
// compiling a folder that may differ from the other servers'.
#pragma once

#include <memory>
#include <string>

namespace firstfix::server {
class App;
}

namespace firstfix::cli {

class ContentReloader {
 public:
  // `database`: the server's --database; a postgresql:// one is followed.
  // `connectors_file`: the server's --connectors, whose operations flows are held to.
  ContentReloader(server::App& app, std::string content_dir, std::string data_dir, bool watch, const std::string& database,
                  std::string connectors_file);
  ~ContentReloader();  // stops the thread; a publish in progress finishes first
  // Publishes the folder as SIGHUP does, on the reloader's thread (returns at once).
  void publish(const std::string& why);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firstfix::cli
