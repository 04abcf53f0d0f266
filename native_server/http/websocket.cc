#include "native_server/http/websocket.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>

#include "native_server/base/log.h"

namespace firstfix::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct WebSocket::Impl {
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::deque<std::string> outbox;
  std::size_t outbox_bytes = 0;
  Limits limits;
  std::string client;
  std::shared_ptr<void> slot;
  bool writing = false;
  bool accepted = false;         // the handshake is done: writing may start
  bool close_requested = false;  // close once the outbox is written
  bool closed = false;
  OnMessage on_message;
  OnClose on_close;
  explicit Impl(asio::ip::tcp::socket socket) : ws(std::move(socket)) {}
};

WebSocket::WebSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebSocket::~WebSocket() = default;

std::shared_ptr<WebSocket> WebSocket::accept(asio::ip::tcp::socket socket, Request req, Limits limits, std::string client,
                                             std::shared_ptr<void> slot, OnMessage on_message, OnClose on_close) {
  auto impl = std::make_unique<Impl>(std::move(socket));
  impl->limits = limits;
  impl->client = std::move(client);
  impl->slot = std::move(slot);
  impl->on_message = std::move(on_message);
  impl->on_close = std::move(on_close);
  auto self = std::shared_ptr<WebSocket>(new WebSocket(std::move(impl)));
  auto& ws = self->impl_->ws;
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));  // pings keep idle connections honest
  ws.read_message_max(limits.max_message);
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) { res.set(http::field::server, "firstfix"); }));
  auto request = std::make_shared<Request>(std::move(req));
  // Everything on the socket's strand: the handshake, reads, writes.
  asio::post(ws.get_executor(), [self, request] {
    self->impl_->ws.async_accept(*request, [self, request](beast::error_code ec) {
      auto& im = *self->impl_;
      if (ec) {
        im.closed = true;
        return;
      }
      im.accepted = true;
      self->pump();
      self->read();
    });
  });
  return self;
}

void WebSocket::read() {
  auto self = shared_from_this();
  impl_->ws.async_read(impl_->buffer, [self](beast::error_code ec, std::size_t) {
    auto& m = *self->impl_;
    if (ec) {
      const bool was_closed = m.closed;
      m.closed = true;
      if (!was_closed && m.on_close) m.on_close(self);
      return;
    }
    std::string text = beast::buffers_to_string(m.buffer.data());
    m.buffer.consume(m.buffer.size());
    if (m.on_message) guarded("websocket message", [&] { m.on_message(self, std::move(text)); });
    self->read();
  });
}

void WebSocket::pump() {
  auto& m = *impl_;
  if (m.writing || !m.accepted || m.closed) return;
  if (m.outbox.empty()) {
    if (m.close_requested) {
      m.close_requested = false;
      m.ws.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
    }
    return;
  }
  m.writing = true;
  m.ws.text(true);
  m.ws.async_write(asio::buffer(m.outbox.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    auto& n = *self->impl_;
    n.writing = false;
    n.outbox_bytes -= n.outbox.front().size();
    n.outbox.pop_front();
    if (ec) {
      n.outbox.clear();
      n.outbox_bytes = 0;
      return;
    }
    self->pump();
  });
}

void WebSocket::send(std::string text) {
  asio::post(impl_->ws.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
    auto& m = *self->impl_;
    if (m.closed) return;
    if (m.outbox_bytes + text.size() > m.limits.max_outbox) {
      // A reader this far behind is cut off, not buffered for: it reconnects
      // and catches up by message number.
      log::info("websocket_cut_off", {{"client", m.client}, {"queued_bytes", m.outbox_bytes}});
      m.closed = true;
      m.outbox.clear();
      m.outbox_bytes = 0;
      beast::error_code ec;
      beast::get_lowest_layer(m.ws).socket().close(ec);
      if (m.on_close) m.on_close(self);
      return;
    }
    m.outbox_bytes += text.size();
    m.outbox.push_back(std::move(text));
    self->pump();
  });
}

const std::string& WebSocket::client() const { return impl_->client; }

void WebSocket::close() {
  asio::post(impl_->ws.get_executor(), [self = shared_from_this()] {
    self->impl_->close_requested = true;
    self->pump();
  });
}

}  // namespace firstfix::server
