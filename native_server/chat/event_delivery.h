// Delivers the outbox of events (store.h: OutboundEvent) to a webhook
// endpoint: each event until the receiver acknowledges it (2xx), with
// exponential backoff up to an hour between attempts, under the event's
// own key as Idempotency-Key, so a receiver that honours it records each
// event once. The outbox is in the database: a restart loses nothing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "native_server/storage/store.h"
#include "native_server/flows/webhook_connector.h"

namespace firstfix::server {

class EventDelivery {
 public:
  EventDelivery(OutboxStore& store, const WebhookConnector& webhooks, std::string endpoint, std::chrono::milliseconds backoff);
  ~EventDelivery();  // stops the delivery thread
  void wake();       // an event was enqueued

 private:
  void loop();
  OutboxStore& store_;
  const WebhookConnector& webhooks_;
  std::string endpoint_;
  std::chrono::milliseconds backoff_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace firstfix::server
