#include "native_server/storage/postgres_chat_bus.h"

#include <mutex>

#include "native_server/base/log.h"
#include "native_server/storage/pg_connection.h"
#include "native_server/storage/pg_listener.h"

namespace firstfix::server {
namespace {

constexpr const char* kChannel = "firstfix_chat";

class PostgresChatBus final : public ChatBus {
 public:
  explicit PostgresChatBus(std::string conninfo)
      : conninfo_(std::move(conninfo)), publisher_(std::make_unique<PgConnection>(conninfo_)), listener_(conninfo_, kChannel) {}

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
    listener_.start(
        [this](const std::string& payload) {
          ChatSignal s;
          try {
            s = ChatSignal::from_json(nlohmann::json::parse(payload));
          } catch (const std::exception& e) {
            log::warn("chat_signal_unreadable", {{"error", e.what()}});
            return;
          }
          handler_(s);
        },
        [this] { handler_(ChatSignal{.kind = "resync"}); });
  }

 private:
  std::string conninfo_;
  std::mutex publish_mu_;
  std::unique_ptr<PgConnection> publisher_;
  Handler handler_;
  PgListener listener_;  // last: its thread stops before the rest goes
};

}  // namespace

std::unique_ptr<ChatBus> postgres_chat_bus(const std::string& conninfo) { return std::make_unique<PostgresChatBus>(conninfo); }

}  // namespace firstfix::server
