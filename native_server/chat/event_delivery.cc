#include "native_server/chat/event_delivery.h"

#include <algorithm>

#include "native_server/base/clock.h"
#include "native_server/base/log.h"
#include "native_server/base/text.h"

namespace firstfix::server {
namespace {

std::int64_t now_ms() { return system_now_ms(); }

// Five events, each tried once with a timeout of at most a minute.
constexpr std::chrono::milliseconds kDeliveryLease = std::chrono::minutes(6);

}  // namespace

EventDelivery::EventDelivery(OutboxStore& store, const WebhookConnector& webhooks, std::string endpoint, std::chrono::milliseconds backoff)
    : store_(store), webhooks_(webhooks), endpoint_(std::move(endpoint)), backoff_(backoff), thread_([this] { loop(); }) {}

EventDelivery::~EventDelivery() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void EventDelivery::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void EventDelivery::loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      // Due events are also picked up on a timer: retries come due without a wake-up.
      cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_ || woken_; });
      if (stop_) return;
      woken_ = false;
    }
    // The store unavailable for a moment, say: logged, and the next round tries again.
    guarded("helpdesk event delivery", [&] {
      // A few at a time, leased long enough for their attempts (each at most
      // a minute): another server takes them only if this one died.
      for (const auto& e : store_.claim_due_events(now_ms(), kDeliveryLease.count(), 5)) {
        {
          std::lock_guard lock(mu_);
          if (stop_) return;
        }
        const nlohmann::json body = {{"event", e.kind}, {"id", e.key}, {"data", e.payload}};
        const std::string why = webhooks_.deliver(endpoint_, json_text(body), e.key, static_cast<unsigned>(e.attempts + 1));
        const auto delay = std::min<std::int64_t>(backoff_.count() << std::min(e.attempts, 20), 3600LL * 1000);
        store_.event_attempted(e.id, why.empty(), now_ms(), now_ms() + delay, why);
      }
    });
  }
}

}  // namespace firstfix::server
