#include "native_server/http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "native_server/base/log.h"
#include "native_server/base/text.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <iostream>
#include <thread>
#include <vector>

namespace firstfix::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr std::uint64_t kHeaderLimit = 32 * 1024;

// The address a request comes from: the peer, or the last address a
// trusted proxy added to X-Forwarded-For.
std::string client_address(const std::string& peer, const Request& req, const std::vector<std::string>& trust_proxy) {
  if (std::find(trust_proxy.begin(), trust_proxy.end(), peer) == trust_proxy.end()) return peer;
  std::string_view forwarded = req["X-Forwarded-For"];
  const auto comma = forwarded.rfind(',');
  if (comma != std::string_view::npos) forwarded.remove_prefix(comma + 1);
  while (!forwarded.empty() && forwarded.front() == ' ') forwarded.remove_prefix(1);
  beast::error_code ec;
  auto address = asio::ip::make_address(std::string(forwarded.substr(0, 64)), ec);
  return ec ? peer : address.to_string();
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handler& handler, const ServerOptions& options, ConnectionSlot slot)
      : stream_(std::move(socket)), handler_(handler), options_(options), slot_(std::move(slot)) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? "unknown" : endpoint.address().to_string();
  }

  void start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // No limit while the header is read (Beast would compare Content-Length
    // with its 1 MB default there); the route's own limit is set below.
    parser_->body_limit(boost::none);
    stream_.expires_after(kIdleTimeout);
    http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read(ec, 0);
    const auto& header = parser_->get();
    const std::uint64_t limit = options_.body_limit(header.method(), header.target());
    if (parser_->content_length() && *parser_->content_length() > limit) return on_read(http::error::body_limit, 0);
    parser_->body_limit(limit);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset) {
      return close();
    }
    if (ec) {
      // Malformed or oversize requests get a JSON reason, then the connection closes.
      Request bad;
      bad.version(11);
      bad.keep_alive(false);
      const bool too_large = ec == http::error::body_limit || ec == http::error::header_limit;
      std::string why = too_large ? "the request is larger than this endpoint accepts" : "malformed request: " + ec.message();
      if (ec == http::error::body_limit && parser_ && parser_->is_header_done())
        why = "the body is larger than " + byte_size(options_.body_limit(parser_->get().method(), parser_->get().target()));
      log::info("request_refused", {{"client", peer_}, {"reason", why}});
      return write(json_error(bad, too_large ? http::status::payload_too_large : http::status::bad_request, why));
    }
    Request req = parser_->release();
    const std::string client = client_address(peer_, req, options_.trust_proxy);
    // X-Forwarded-Proto says the customer came over HTTPS (Secure cookies):
    // believed only from a proxy named by --trust-proxy.
    if (std::find(options_.trust_proxy.begin(), options_.trust_proxy.end(), peer_) == options_.trust_proxy.end())
      req.erase("X-Forwarded-Proto");
    if (boost::beast::websocket::is_upgrade(req)) {
      if (!options_.on_upgrade) return write(json_error(req, http::status::not_found, "no WebSocket here"));
      return options_.on_upgrade(std::move(req), stream_.release_socket(), client, slot_);
    }
    auto self = shared_from_this();
    auto executor = stream_.get_executor();
    handler_(std::move(req), [self, executor](http::message_generator res) {
      asio::post(executor, [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    }, client);
  }

  void write(http::message_generator res) {
    keep_alive_ = res.keep_alive();
    beast::async_write(stream_, std::move(res), beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec || !keep_alive_) return close();
    read();
  }

  // After the response: stop sending, then read and discard what the
  // client is still sending (say the rest of an oversize upload) for a
  // little while, so the close is not a reset that loses our answer.
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(5));
    drain(0);
  }

  void drain(std::size_t total) {
    constexpr std::size_t kDrainLimit = 16 * 1024 * 1024;
    if (total > kDrainLimit) return;
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this(), total](beast::error_code ec, std::size_t n) {
      if (!ec) self->drain(total + n);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  std::array<char, 16 * 1024> scratch_;
  const Handler& handler_;
  const ServerOptions& options_;
  ConnectionSlot slot_;
  std::string peer_;
};

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context ioc;
  tcp::acceptor acceptor{asio::make_strand(ioc)};  // accept, pause and resume in turn
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  asio::steady_timer retry{acceptor.get_executor()};
  // Open connections. Shared with the slots, which may outlive the server
  // (a WebSocket closing late): `resume` is cleared once the server stops.
  struct Slots {
    std::atomic<std::size_t> open{0};
    std::mutex mu;
    std::function<void()> resume;
  };
  std::shared_ptr<Slots> slots = std::make_shared<Slots>();
  bool paused = false;  // at the connection cap: accept again when one closes

  // Counts a connection while it lives.
  ConnectionSlot slot() {
    ++slots->open;
    const std::size_t cap = options.max_connections;
    return ConnectionSlot(static_cast<void*>(slots.get()), [slots = slots, cap](void*) {
      if (slots->open.fetch_sub(1) != cap) return;
      std::lock_guard lock(slots->mu);
      if (slots->resume) slots->resume();
    });
  }

  void accept() {
    if (slots->open.load() >= options.max_connections) {
      paused = true;
      log::warn("connection_cap", {{"open", slots->open.load()}, {"max_connections", options.max_connections}});
      return;
    }
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of file descriptors (or another passing failure): accepting
        // again at once would spin. Wait a little; connections close meanwhile.
        log::warn("accept_failed", {{"error", ec.message()}});
        retry.expires_after(std::chrono::milliseconds(100));
        retry.async_wait([this](beast::error_code e) {
          if (!e && acceptor.is_open()) accept();
        });
        return;
      }
      // Small responses go out at once: without this, Nagle's algorithm and the
      // client's delayed ACK hold many of them back by up to 40 ms.
      beast::error_code nodelay;
      socket.set_option(tcp::no_delay(true), nodelay);
      std::make_shared<Session>(std::move(socket), handler, options, slot())->start();
      accept();
    });
  }
};

HttpServer::HttpServer(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() = default;

void HttpServer::run(const std::function<void(unsigned short)>& on_listening) {
  auto& im = *impl_;
  tcp::endpoint endpoint{asio::ip::make_address(im.options.host), im.options.port};
  im.acceptor.open(endpoint.protocol());
  im.acceptor.set_option(asio::socket_base::reuse_address(true));
  im.acceptor.bind(endpoint);
  im.acceptor.listen(asio::socket_base::max_listen_connections);
  im.signals.async_wait([this](beast::error_code, int) {
    asio::post(impl_->acceptor.get_executor(), [this] {
      beast::error_code ec;
      impl_->acceptor.close(ec);
      impl_->retry.cancel();
    });
    // Give requests in flight a moment, then stop.
    auto timer = std::make_shared<asio::steady_timer>(impl_->ioc, std::chrono::milliseconds(200));
    timer->async_wait([this, timer](beast::error_code) { impl_->ioc.stop(); });
  });
  {
    std::lock_guard lock(im.slots->mu);
    im.slots->resume = [&im] {
      asio::post(im.acceptor.get_executor(), [&im] {
        if (im.paused && im.acceptor.is_open()) {
          im.paused = false;
          im.accept();
        }
      });
    };
  }
  im.accept();
  if (on_listening) on_listening(im.acceptor.local_endpoint().port());
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < im.options.io_threads; ++i) threads.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : threads) t.join();
  std::lock_guard lock(im.slots->mu);
  im.slots->resume = nullptr;
}

}  // namespace firstfix::server
