// An HTTP/1.1 server on Boost.Beast: keep-alive, size limits, timeouts, and
// graceful shutdown (stop accepting, let requests in flight finish).
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <string>

#include "native_server/http_types.h"
#include "native_server/websocket.h"

namespace firstfix::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  unsigned io_threads = 2;
  // The largest body accepted for a request target, decided once its
  // header has arrived (uploads need more than JSON does).
  std::function<std::uint64_t(std::string_view target)> body_limit = [](std::string_view) { return 1024 * 1024; };
  // Requests asking for a WebSocket (Upgrade: websocket) go here with their socket; none: refused.
  UpgradeHandler on_upgrade;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();
  // Binds, then serves until SIGINT or SIGTERM. Throws if it cannot bind.
  void run(const std::function<void(unsigned short port)>& on_listening);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firstfix::server
