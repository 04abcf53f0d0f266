#include "cli/content_reloader.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
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
#include "native_server/storage/pg_connection.h"
#include "native_server/storage/pg_listener.h"
#include "native_server/storage/published_content.h"

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
  std::string content_dir, data_dir, connectors_file;
  bool watch;
  asio::io_context ioc;
  asio::signal_set hangup{ioc, SIGHUP};
  asio::steady_timer poll{ioc};
  std::string seen, published;  // folder signatures: the last one looked at, the last one published
  bool changed = false;
  int next = 1;
  std::vector<fs::path> folders;  // the versions this server compiled or fetched, oldest first
  std::unique_ptr<server::PublishedContent> database;  // PostgreSQL: the published versions
  std::unique_ptr<server::PgListener> listener;
  std::thread thread;

  Impl(server::App& a, std::string content, std::string data, bool w, const std::string& database_url, std::string connectors)
      : app(a), content_dir(std::move(content)), data_dir(std::move(data)), connectors_file(std::move(connectors)), watch(w) {
    // Folders a previous run compiled are not this run's versions.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(data_dir, ec))
      if (entry.path().filename().string().rfind("dist-", 0) == 0) fs::remove_all(entry.path(), ec);
    seen = published = folder_signature(content_dir);
    if (server::is_postgres_url(database_url)) {
      database = std::make_unique<server::PublishedContent>(database_url);
      take_latest("start");  // before the first request: a server started late serves what the others serve
      listener = std::make_unique<server::PgListener>(database_url, server::kContentChannel);
      listener->start([this](const std::string&) { asio::post(ioc, [this] { take_latest("published"); }); },
                      [this] { asio::post(ioc, [this] { take_latest("reconnected"); }); });
    }
    wait_for_hangup();
    if (watch) watch_folder();
    thread = std::thread([this] { ioc.run(); });
  }

  // The latest version published to the database, if it is not the one live.
  bool take_latest(const std::string& why) {
    const auto latest = database->latest();
    if (!latest) return false;
    if (latest->version == app.content_version()) return true;
    const fs::path dist = fs::path(data_dir) / ("dist-" + std::to_string(next++));
    try {
      database->fetch(latest->id, dist.string());
      const std::string version = app.publish_content(dist.string());
      std::cout << "firstfix: published content version " << version << " (number " << latest->id << " from the database, " << why << ")"
                << std::endl;
      keep(dist);
    } catch (const std::exception& e) {
      std::error_code ec;
      fs::remove_all(dist, ec);
      std::cerr << "firstfix: content version " << latest->id << " not taken (" << why << "): " << e.what()
                << "; the version live stays live" << std::endl;
    }
    return true;
  }

  // A request that began on an older version may still read its files: keep the two before the newest.
  void keep(const fs::path& dist) {
    folders.push_back(dist);
    while (folders.size() > 3) {
      std::error_code ec;
      fs::remove_all(folders.front(), ec);
      folders.erase(folders.begin());
    }
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
    // With content published to the database, it is the truth for every server.
    if (database && take_latest(why)) return;
    const std::string signature = folder_signature(content_dir);
    const fs::path dist = fs::path(data_dir) / ("dist-" + std::to_string(next++));
    try {
      if (build_command(content_dir, dist.string(), /*quiet=*/true, connectors_file) != 0) {
        std::cerr << "firstfix: content not published (" << why << "): it does not compile; the version live stays live" << std::endl;
        return;
      }
      const std::string version = app.publish_content(dist.string());
      published = signature;
      std::cout << "firstfix: published content version " << version << " (" << why << ")" << std::endl;
      keep(dist);
    } catch (const std::exception& e) {
      std::error_code ec;
      fs::remove_all(dist, ec);
      std::cerr << "firstfix: content not published (" << why << "): " << e.what() << "; the version live stays live" << std::endl;
    }
  }
};

ContentReloader::ContentReloader(server::App& app, std::string content_dir, std::string data_dir, bool watch, const std::string& database,
                                 std::string connectors_file)
    : impl_(std::make_unique<Impl>(app, std::move(content_dir), std::move(data_dir), watch, database, std::move(connectors_file))) {}

void ContentReloader::publish(const std::string& why) {
  asio::post(impl_->ioc, [impl = impl_.get(), why] { impl->publish(why); });
}

ContentReloader::~ContentReloader() {
  impl_->listener.reset();  // no more posts
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace firstfix::cli
