// Live chat between a customer (in the widget) and an agent (in the
// console), over WebSockets, with every message stored before it is
// delivered. A reconnecting side says the last message number it has and
// gets everything after it: none lost, none twice (messages carry their
// sender's id, so a resend is stored once).
//
// Every server may hold some of a conversation's sockets: what happens is
// told to all of them on a ChatBus (chat_bus.h), and each sends its own
// sockets what they have not had yet, in order, read from the store.
//
// Customers hold a conversation's secret key (made when it is opened, never
// stored in clear) and can read only that conversation. Agents log in
// (staff/staff_service.h) and the route table checks their session. A
// socket gets history a page at a time, and a client's messages are rate
// limited across all of its sockets.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>

#include "native_server/base/clock.h"
#include "native_server/identity/identity_verifier.h"
#include "native_server/chat/chat_bus.h"
#include "native_server/http/rate_limit.h"
#include "native_server/http/router.h"
#include "native_server/storage/store.h"
#include "native_server/http/websocket.h"

namespace firstfix::server {

using StaffLookup = std::function<std::optional<StaffSession>(const std::string& cookie_header)>;

struct ChatReply {
  int status = 200;
  nlohmann::json body;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Set-Cookie
};

class ChatService {
 public:
  // Blocking store calls run on `pool`, in order per connection.
  // `staff_session` tells who an agent socket's cookie belongs to;
  // `describe_flow` gives a flow session as the agent should see it (redacted);
  // `message_limit` counts chat messages per client (default: 120 a minute, 20 at once).
  // `bus` carries what happens to every server (this one included).
  // `identity` verifies a customer the page signed (none: every signature is refused, and the chat opens anyway).
  ChatService(ChatStore& store, ChatBus& bus, StaffLookup staff_session, boost::asio::thread_pool& pool,
              std::function<std::optional<nlohmann::json>(const std::string& session_id)> describe_flow,
              std::shared_ptr<RateLimiter> message_limit = nullptr, Clock now_ms = {}, const IdentityVerifier* identity = nullptr);
  ~ChatService();

  // POST /api/v1/chat/conversations: the hand-off packet in, {conversation, key, state, queue_position} out.
  ChatReply open(const nlohmann::json& body, const std::string& user_agent);
  // Agent requests; the route table checked the session cookie (and the CSRF token of changes).
  ChatReply queue(const StaffSession& agent);
  ChatReply accept(const StaffSession& agent, const std::string& conversation_id);
  ChatReply close(const StaffSession& agent, const std::string& conversation_id, const nlohmann::json& body);

  // POST /api/v1/chat/conversations/<id>/photos: the customer (Authorization:
  // Bearer <key>) shows the problem. The bytes are checked by content,
  // limited in size and rate, stripped of metadata, stored, and shown to the
  // agent as a message; the same Idempotency-Key stores it once.
  ChatReply attach_photo(const std::string& conversation_id, const std::string& authorization, const std::string& content_type,
                         const std::string& idempotency_key, const std::string& bytes);
  // A stored photo, for the customer of its conversation or for an agent.
  struct PhotoReply {
    int status = 200;
    std::string error;
    ChatAttachment photo;  // with its bytes when status is 200
  };
  PhotoReply customer_photo(const std::string& conversation_id, const std::string& authorization, const std::string& photo_id);
  PhotoReply agent_photo(const std::string& photo_id);  // the route table checked the login

  // WebSockets: /api/v1/chat/ws (customers) and /agent/ws (agents, cookie; same-origin only).
  void customer_socket(std::shared_ptr<WebSocket> ws, std::string message);
  void agent_connected(std::shared_ptr<WebSocket> ws, const std::string& cookie_header);
  void agent_socket(std::shared_ptr<WebSocket> ws, std::string message);
  void socket_closed(const std::shared_ptr<WebSocket>& ws);

  // Agents online on every server (store.h: ChatStore::set_presence).
  size_t agents_online() const;
  // Tells the other servers this one is alive and how many agents it holds;
  // every few seconds (App's timer), and when an agent comes or goes.
  void heartbeat();

  // "" while chat is open, else the opening hours to tell the customer.
  void set_hours(std::function<std::string()> closed_now);

  // Called (on a worker thread) when a conversation opens and closes, with
  // the hand-off packet or the transcript: for a helpdesk webhook.
  using EventSink = std::function<void(const std::string& kind, const std::string& key, const nlohmann::json& payload)>;
  void on_event(EventSink sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firstfix::server
