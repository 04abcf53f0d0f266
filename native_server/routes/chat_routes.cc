// Live chat over HTTP: customers open a conversation and show photos (any
// origin: the widget is embedded anywhere; the conversation's key is the
// credential); agents work the queue (same origin, session cookie, CSRF).
// The WebSockets themselves are in app.cc's upgrade.
#include "native_server/chat/chat_service.h"
#include "native_server/photos/image_check.h"
#include "native_server/routes/services.h"

namespace firstfix::server {
namespace {

Response reply(const Call& c, const ChatReply& r) {
  auto res = json_response(c.req, static_cast<unsigned>(r.status), r.body);
  for (const auto& [name, value] : r.headers) res.insert(name, value);
  return res;
}

// A photo as stored: never sniffed, run or framed by the browser as anything but an image.
Response photo(const Call& c, const ChatService::PhotoReply& r, bool any_origin) {
  if (r.status != 200) throw HttpError(static_cast<unsigned>(r.status), r.error);
  auto res = make_response(c.req, http::status::ok, r.photo.content_type, r.photo.bytes);
  res.set(http::field::cache_control, "private, max-age=31536000, immutable");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy", "default-src 'none'; sandbox");
  res.set(http::field::content_disposition, "inline; filename=\"" + r.photo.id + "\"");
  res.set(http::field::etag, "\"" + r.photo.sha256 + "\"");
  if (!any_origin) res.set("Cross-Origin-Resource-Policy", "same-origin");
  return res;
}

}  // namespace

void add_chat_routes(Router& router, const Services& s) {
  ChatService& chat = s.chat;
  router.add({.method = http::verb::post, .path = "/api/v1/chat/conversations", .operation_id = "openConversation",
              .handler = [&chat](Call& c) { return reply(c, chat.open(c.body, c.header(http::field::user_agent))); },
              .runs = Runs::flows, .body = Body::json, .cors = Cors::any_origin, .rate_limit = "conversations"});

  router.add({.method = http::verb::post, .path = "/api/v1/chat/conversations/{id}/photos", .operation_id = "attachChatPhoto",
              .handler = [&chat](Call& c) {
                return reply(c, chat.attach_photo(c.param("id"), c.header(http::field::authorization), c.header(http::field::content_type),
                                                  idempotency_key(c), c.req.body()));
              },
              .runs = Runs::flows, .body = Body::bytes, .body_limit = kMaxImageBytes + 1, .cors = Cors::any_origin,
              .access = Access::customer_key, .rate_limit = "uploads"});

  router.add({.method = http::verb::get, .path = "/api/v1/chat/conversations/{id}/photos/{photo}", .operation_id = "getChatPhoto",
              .handler = [&chat](Call& c) {
                return photo(c, chat.customer_photo(c.param("id"), c.header(http::field::authorization), c.param("photo")), true);
              },
              .runs = Runs::flows, .cors = Cors::any_origin, .access = Access::customer_key});

  router.add({.method = http::verb::get, .path = "/api/v1/agent/photos/{photo}", .operation_id = "getAgentPhoto",
              .handler = [&chat](Call& c) { return photo(c, chat.agent_photo(c.param("photo")), false); },
              .runs = Runs::flows, .access = Access::agent});

  router.add({.method = http::verb::get, .path = "/api/v1/agent/queue", .operation_id = "getAgentQueue",
              .handler = [&chat](Call& c) { return reply(c, chat.queue(*c.staff)); },
              .runs = Runs::flows, .access = Access::agent});

  router.add({.method = http::verb::post, .path = "/api/v1/agent/conversations/{id}/accept", .operation_id = "acceptConversation",
              .handler = [&chat](Call& c) { return reply(c, chat.accept(*c.staff, c.param("id"))); },
              .runs = Runs::flows, .body = Body::json, .body_limit = 4096, .access = Access::agent});

  router.add({.method = http::verb::post, .path = "/api/v1/agent/conversations/{id}/close", .operation_id = "closeConversation",
              .handler = [&chat](Call& c) { return reply(c, chat.close(*c.staff, c.param("id"), c.body)); },
              .runs = Runs::flows, .body = Body::json, .body_limit = 4096, .access = Access::agent});
}

}  // namespace firstfix::server
