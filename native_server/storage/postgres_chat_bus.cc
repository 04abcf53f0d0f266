#include "native_server/storage/postgres_chat_bus.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "native_server/base/log.h"
#include "native_server/storage/pg_connection.h"
#include "native_server/storage/pg_listener.h"

namespace firstfix::server {
namespace {

constexpr const char* kChannel = "firstfix_chat";
// Signals sent in one statement at most: a burst of messages costs one
// round trip, not one each.
constexpr std::size_t kMaxBatch = 200;

// A PostgreSQL text[] literal of `items`, each quoted and escaped.
std::string text_array(const std::deque<std::string>& items, std::size_t n) {
  std::string out = "{";
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// Publishing is queued: a server's signals go out in the order published,
// by one thread, as many in one statement as are waiting. The caller never
// waits on the database; a signal that cannot be sent (the database is
// gone) is retried, in order, until it can, or the server stops.
class PostgresChatBus final : public ChatBus {
 public:
  explicit PostgresChatBus(std::string conninfo)
      : conninfo_(std::move(conninfo)), publisher_(connect_publisher()), listener_(conninfo_, kChannel),
        sender_([this] { send_loop(); }) {}

  ~PostgresChatBus() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    sender_.join();
  }

  void publish(const ChatSignal& signal) override {
    std::string payload = signal.to_json().dump();
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(payload));
    }
    wake_.notify_one();
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
  // A signal holds nothing durable (the row it names is committed before it
  // is sent, and a listener that misses signals resyncs from the tables), so
  // its commit need not wait for the WAL to reach disk.
  std::unique_ptr<PgConnection> connect_publisher() {
    auto c = std::make_unique<PgConnection>(conninfo_);
    c->exec("SET synchronous_commit TO off");
    return c;
  }

  void send_loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      const std::size_t n = std::min(queue_.size(), kMaxBatch);
      const std::string batch = text_array(queue_, n);
      lock.unlock();
      bool sent = false;
      try {
        if (!publisher_) publisher_ = connect_publisher();
        // In array order: NOTIFYs of one transaction reach listeners in the order they were issued.
        publisher_->exec("SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS s(payload, n) ORDER BY n",
                         {kChannel, batch});
        sent = true;
      } catch (const std::exception& e) {
        log::warn("chat_signals_unsent", {{"signals", n}, {"error", e.what()}});
        publisher_.reset();
      }
      lock.lock();
      if (sent) {
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      } else if (!stopping_) {
        wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
      } else {
        return;
      }
    }
  }

  std::string conninfo_;
  std::unique_ptr<PgConnection> publisher_;  // the sender thread's
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;  // payloads not yet sent, oldest first
  bool stopping_ = false;
  Handler handler_;
  PgListener listener_;  // its thread stops before the sender's
  std::thread sender_;   // last: started when everything it uses exists
};

}  // namespace

std::unique_ptr<ChatBus> postgres_chat_bus(const std::string& conninfo) { return std::make_unique<PostgresChatBus>(conninfo); }

}  // namespace firstfix::server
