#include "cli/content_reloader.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "core/content/manifest.h"
#include "native_server/app.h"
#include "native_server/base/log.h"

namespace fs = std::filesystem;
namespace asio = boost::asio;

namespace firstfix::cli {
namespace {

// What the folder holds, as names, sizes and modification times: a change
// to any file changes it.
std::string folder_signature(const fs::path& dir) {
  std::string out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const auto size = it->file_size(ec);
    const auto time = it->last_write_time(ec).time_since_epoch().count();
    out += it->path().string() + '\0' + std::to_string(size) + '\0' + std::to_string(time) + '\n';
  }
  return content::content_hash(out);
}

}  // namespace

struct ContentReloader::Impl {
  server::App& app;
  std::string content_dir, data_dir;
  bool watch;
  asio::io_context ioc;
  asio::signal_set hangup{ioc, SIGHUP};
  asio::steady_timer poll{ioc};
  std::string seen, published;  // folder signatures: the last one looked at, the last one published
  bool changed = false;
  int next = 1;
  std::vector<fs::path> folders;  // the versions this server compiled, oldest first
  std::thread thread;

  Impl(server::App& a, std::string content, std::string data, bool w)
      : app(a), content_dir(std::move(content)), data_dir(std::move(data)), watch(w) {
    // Folders a previous run compiled are not this run's versions.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(data_dir, ec))
      if (entry.path().filename().string().rfind("dist-", 0) == 0) fs::remove_all(entry.path(), ec);
    seen = published = folder_signature(content_dir);
    wait_for_hangup();
    if (watch) watch_folder();
    thread = std::thread([this] { ioc.run(); });
  }

  void wait_for_hangup() {
    hangup.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      publish("SIGHUP");
      wait_for_hangup();
    });
  }

  void watch_folder() {
    poll.expires_after(std::chrono::milliseconds(500));
    poll.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      const std::string now = folder_signature(content_dir);
      if (now != seen) {
        seen = now;  // still changing: wait until it holds still
        changed = true;
      } else if (changed) {
        changed = false;
        if (now != published) publish("a change in " + content_dir);
      }
      watch_folder();
    });
  }

  void publish(const std::string& why) {
    const std::string signature = folder_signature(content_dir);
    const fs::path dist = fs::path(data_dir) / ("dist-" + std::to_string(next++));
    try {
      if (build_command(content_dir, dist.string(), /*quiet=*/true) != 0) {
        std::cerr << "firstfix: content not published (" << why << "): it does not compile; the version live stays live" << std::endl;
        return;
      }
      const std::string version = app.publish_content(dist.string());
      published = signature;
      std::cout << "firstfix: published content version " << version << " (" << why << ")" << std::endl;
      // A request that began on an older version may still read its files: keep the two before this one.
      folders.push_back(dist);
      while (folders.size() > 3) {
        std::error_code ec;
        fs::remove_all(folders.front(), ec);
        folders.erase(folders.begin());
      }
    } catch (const std::exception& e) {
      std::error_code ec;
      fs::remove_all(dist, ec);
      std::cerr << "firstfix: content not published (" << why << "): " << e.what() << "; the version live stays live" << std::endl;
    }
  }
};

ContentReloader::ContentReloader(server::App& app, std::string content_dir, std::string data_dir, bool watch)
    : impl_(std::make_unique<Impl>(app, std::move(content_dir), std::move(data_dir), watch)) {}

ContentReloader::~ContentReloader() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace firstfix::cli
