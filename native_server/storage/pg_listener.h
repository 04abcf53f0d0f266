// A PostgreSQL channel listened to on a thread of its own: each NOTIFY's
// payload goes to a handler, in commit order. A lost connection is reopened
// (every 500 ms until it is), and `resync` is then called, because
// notifications may have gone by meanwhile. Used by the chat bus and by
// content publishing.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace firstfix::server {

class PgConnection;

class PgListener {
 public:
  // Throws PgError when the database cannot be reached.
  PgListener(std::string conninfo, std::string channel);
  ~PgListener();  // stops the thread
  // Starts listening; the handlers run on the listener's thread.
  void start(std::function<void(const std::string& payload)> on_notify, std::function<void()> resync);

 private:
  void run();
  void reconnect();
  std::unique_ptr<PgConnection> listen();

  std::string conninfo_, channel_;
  std::unique_ptr<PgConnection> connection_;  // used by the thread only, once it runs
  std::function<void(const std::string&)> on_notify_;
  std::function<void()> resync_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace firstfix::server
