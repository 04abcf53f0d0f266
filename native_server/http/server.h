// An HTTP/1.1 server on Boost.Beast: keep-alive, size limits, timeouts, and
// graceful shutdown (stop accepting, let requests in flight finish).
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <string>
#include <vector>

#include "native_server/http/types.h"
#include "native_server/http/websocket.h"

namespace firstfix::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  unsigned io_threads = 2;
  // The largest body accepted for a request, decided once its header has
  // arrived and before any of the body is read (a photo needs more than JSON).
  std::function<std::uint64_t(http::verb, std::string_view target)> body_limit =
      [](http::verb, std::string_view) -> std::uint64_t { return 64 * 1024; };
  // Requests asking for a WebSocket (Upgrade: websocket) go here with their socket; none: refused.
  UpgradeHandler on_upgrade;
  // Open connections at most (HTTP and WebSocket); more wait in the
  // kernel's backlog until one closes.
  std::size_t max_connections = 10000;
  // Peers whose X-Forwarded-For names the client (a reverse proxy on this
  // machine, say); everyone else is the client themselves.
  std::vector<std::string> trust_proxy;
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
