#include "native_server/storage/pg_listener.h"

#include <poll.h>

#include <chrono>

#include "native_server/base/log.h"
#include "native_server/storage/pg_connection.h"

namespace firstfix::server {

PgListener::PgListener(std::string conninfo, std::string channel)
    : conninfo_(std::move(conninfo)), channel_(std::move(channel)), connection_(listen()) {}

PgListener::~PgListener() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void PgListener::start(std::function<void(const std::string&)> on_notify, std::function<void()> resync) {
  on_notify_ = std::move(on_notify);
  resync_ = std::move(resync);
  thread_ = std::thread([this] { run(); });
}

std::unique_ptr<PgConnection> PgListener::listen() {
  auto c = std::make_unique<PgConnection>(conninfo_);
  c->exec("LISTEN " + channel_);
  return c;
}

void PgListener::run() {
  while (!stop_) {
    pollfd fd{PQsocket(connection_->raw()), POLLIN, 0};
    if (::poll(&fd, 1, 200) < 0) continue;
    if (fd.revents && !PQconsumeInput(connection_->raw())) {
      reconnect();
      continue;
    }
    while (PGnotify* n = PQnotifies(connection_->raw())) {
      std::unique_ptr<PGnotify, void (*)(void*)> owned(n, PQfreemem);
      const std::string payload = n->extra;
      guarded(channel_, [&] { on_notify_(payload); });
    }
  }
}

void PgListener::reconnect() {
  log::warn("listener_reconnecting", {{"channel", channel_}, {"error", PQerrorMessage(connection_->raw())}});
  while (!stop_) {
    try {
      connection_ = listen();
      log::info("listener_reconnected", {{"channel", channel_}});
      guarded(channel_, [&] { resync_(); });
      return;
    } catch (const PgError&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

}  // namespace firstfix::server
