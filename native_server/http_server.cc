#include "native_server/http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <iostream>
#include <thread>
#include <vector>

namespace firstfix::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

Response make_response(const Request& req, http::status status, std::string content_type, std::string body) {
  Response res{status, req.version()};
  res.set(http::field::server, "firstfix");
  res.set(http::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_error(const Request& req, http::status status, const std::string& message) {
  auto res = make_response(req, status, "application/json", nlohmann::json{{"error", message}}.dump());
  res.set(http::field::cache_control, "no-store");
  return res;
}

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr std::uint64_t kHeaderLimit = 32 * 1024;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handler& handler, const ServerOptions& options)
      : stream_(std::move(socket)), handler_(handler), options_(options) {}

  void start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read(ec, 0);
    parser_->body_limit(options_.body_limit(parser_->get().target()));
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
      auto status = (ec == http::error::body_limit || ec == http::error::header_limit)
                        ? http::status::payload_too_large
                        : http::status::bad_request;
      return write(json_error(bad, status, "malformed request: " + ec.message()));
    }
    Request req = parser_->release();
    if (boost::beast::websocket::is_upgrade(req)) {
      if (!options_.on_upgrade) return write(json_error(req, http::status::not_found, "no WebSocket here"));
      return options_.on_upgrade(std::move(req), stream_.release_socket());
    }
    auto self = shared_from_this();
    auto executor = stream_.get_executor();
    handler_(std::move(req), [self, executor](http::message_generator res) {
      asio::post(executor, [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    });
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
};

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGINT, SIGTERM};

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted) return;
      } else {
        // Small responses go out at once: without this, Nagle's algorithm and the
        // client's delayed ACK hold many of them back by up to 40 ms.
        beast::error_code nodelay;
        socket.set_option(tcp::no_delay(true), nodelay);
        std::make_shared<Session>(std::move(socket), handler, options)->start();
      }
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
    beast::error_code ec;
    impl_->acceptor.close(ec);
    // Give requests in flight a moment, then stop.
    auto timer = std::make_shared<asio::steady_timer>(impl_->ioc, std::chrono::milliseconds(200));
    timer->async_wait([this, timer](beast::error_code) { impl_->ioc.stop(); });
  });
  im.accept();
  if (on_listening) on_listening(im.acceptor.local_endpoint().port());
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < im.options.io_threads; ++i) threads.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : threads) t.join();
}

}  // namespace firstfix::server
