// Publishing new content to a running `firstfix serve` without a restart:
// on SIGHUP, and with --watch whenever the content folder has changed and
// then held still for half a second (an editor saving several files). The
// content is compiled on this class's own thread into a new folder beside
// the first (DATA/dist-N); then the app swaps it in (App::publish_content).
// Content that does not compile, or cannot be served, is refused with its
// errors, and the version live before stays live.
#pragma once

#include <memory>
#include <string>

namespace firstfix::server {
class App;
}

namespace firstfix::cli {

class ContentReloader {
 public:
  ContentReloader(server::App& app, std::string content_dir, std::string data_dir, bool watch);
  ~ContentReloader();  // stops the thread; a publish in progress finishes first

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firstfix::cli
