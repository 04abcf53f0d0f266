#include "native_server/storage/postgres_chat_bus.h"

#include <poll.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "native_server/base/log.h"
#include "native_server/storage/pg_connection.h"

namespace firstfix::server {
namespace {

constexpr const char* kChannel = "firstfix_chat";

class PostgresChatBus final : public ChatBus {
 public:
  explicit PostgresChatBus(std::string conninfo)
      : conninfo_(std::move(conninfo)), publisher_(std::make_unique<PgConnection>(conninfo_)), listener_(listen()) {}

  ~PostgresChatBus() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  void publish(const ChatSignal& signal) override {
    const std::string payload = signal.to_json().dump();
    std::lock_guard lock(publish_mu_);
    try {
      publisher_->exec("SELECT pg_notify($1, $2)", {kChannel, payload});
    } catch (const PgError&) {
      // Once more on a fresh connection (the database restarted, say); a second failure is the caller's.
      publisher_ = std::make_unique<PgConnection>(conninfo_);
      publisher_->exec("SELECT pg_notify($1, $2)", {kChannel, payload});
    }
  }

  void subscribe(Handler handler) override {
    handler_ = std::move(handler);
    thread_ = std::thread([this] { run(); });
  }

 private:
  std::unique_ptr<PgConnection> listen() {
    auto c = std::make_unique<PgConnection>(conninfo_);
    c->exec(std::string("LISTEN ") + kChannel);
    return c;
  }

  void deliver(const ChatSignal& s) {
    guarded("chat signal", [&] { handler_(s); });
  }

  void run() {
    while (!stop_) {
      pollfd fd{PQsocket(listener_->raw()), POLLIN, 0};
      if (::poll(&fd, 1, 200) < 0) continue;
      if (fd.revents && !PQconsumeInput(listener_->raw())) {
        reconnect();
        continue;
      }
      while (PGnotify* n = PQnotifies(listener_->raw())) {
        std::unique_ptr<PGnotify, void (*)(void*)> owned(n, PQfreemem);
        ChatSignal s;
        try {
          s = ChatSignal::from_json(nlohmann::json::parse(n->extra));
        } catch (const std::exception& e) {
          log::warn("chat_signal_unreadable", {{"error", e.what()}});
          continue;
        }
        deliver(s);
      }
    }
  }

  void reconnect() {
    log::warn("chat_bus_reconnecting", {{"error", PQerrorMessage(listener_->raw())}});
    while (!stop_) {
      try {
        listener_ = listen();
        log::info("chat_bus_reconnected", {});
        deliver(ChatSignal{.kind = "resync"});
        return;
      } catch (const PgError&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    }
  }

  std::string conninfo_;
  std::mutex publish_mu_;
  std::unique_ptr<PgConnection> publisher_;
  std::unique_ptr<PgConnection> listener_;  // used by the thread only, once it runs
  Handler handler_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<ChatBus> postgres_chat_bus(const std::string& conninfo) { return std::make_unique<PostgresChatBus>(conninfo); }

}  // namespace firstfix::server
