// A WebSocket connection (Boost.Beast) whose owner gets each text message
// and the close, and may send from any thread: sends are queued on the
// connection's strand and written one at a time, in order.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <string>

#include "native_server/http/types.h"

namespace firstfix::server {

class WebSocket : public std::enable_shared_from_this<WebSocket> {
 public:
  using OnMessage = std::function<void(const std::shared_ptr<WebSocket>&, std::string)>;
  using OnClose = std::function<void(const std::shared_ptr<WebSocket>&)>;

  struct Limits {
    std::size_t max_message = 64 * 1024;      // bytes of one message read
    std::size_t max_outbox = 1024 * 1024;     // bytes waiting to be written: a reader this far behind is cut off
  };
  // Completes the upgrade `req` asked for on `socket`, then reads messages
  // until either side closes. `client` and `slot` as UpgradeHandler has them.
  static std::shared_ptr<WebSocket> accept(boost::asio::ip::tcp::socket socket, Request req, Limits limits,
                                           std::string client, std::shared_ptr<void> slot, OnMessage on_message,
                                           OnClose on_close);
  ~WebSocket();

  void send(std::string text);  // thread-safe; dropped once closed
  void close();                 // thread-safe
  const std::string& client() const;

 private:
  struct Impl;
  explicit WebSocket(std::unique_ptr<Impl> impl);
  void read();
  void pump();  // writes the outbox one message at a time, then closes if asked to
  std::unique_ptr<Impl> impl_;
};

// Upgrades: the HTTP server hands over the socket of a request that asks
// for a WebSocket.
// `client` as for Handler. `slot` counts the connection as open while it
// lives: the WebSocket keeps it until it closes.
using ConnectionSlot = std::shared_ptr<void>;
using UpgradeHandler =
    std::function<void(Request&&, boost::asio::ip::tcp::socket&&, const std::string& client, ConnectionSlot slot)>;

}  // namespace firstfix::server
