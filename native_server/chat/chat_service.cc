#include "native_server/chat/chat_service.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "core/flow/engine.h"
#include "native_server/photos/image_check.h"
#include "native_server/base/clock.h"
#include "native_server/base/crypto.h"
#include "native_server/base/json_fields.h"
#include "native_server/base/log.h"
#include "native_server/base/text.h"
#include "native_server/chat/handoff_packet.h"
#include "native_server/http/rate_limit.h"

namespace firstfix::server {
namespace {

using nlohmann::json;
namespace asio = boost::asio;

constexpr size_t kMaxBody = 4000;              // characters of one message
constexpr std::size_t kHistoryPage = 100;      // messages per history page on a socket
constexpr size_t kPhotosPerMinute = 5;         // per conversation
constexpr size_t kPhotosPerConversation = 20;
// A server's count of agents stops counting this long after its last
// heartbeat (App sends one every 5 s): a server that died holds nobody.
constexpr std::int64_t kPresenceFresh = 20000;

ChatReply error(int status, const std::string& message) { return {status, {{"error", message}}, {}}; }

json message_json(const ChatMessage& m) {
  json j = {{"seq", m.seq}, {"sender", m.sender}, {"author", m.author}, {"body", m.body}, {"client_id", m.client_id}, {"at", m.created_ms}};
  if (!m.attachment.is_null()) j["photo"] = m.attachment;
  return j;
}

}  // namespace

struct ChatService::Impl {
  ChatStore& store;
  ChatBus& bus;
  const std::string server_id = "srv_" + random_hex(8);
  StaffLookup staff_session;
  // Messages per client across all of its sockets (opening more sockets does not buy more).
  std::shared_ptr<RateLimiter> sends;
  asio::thread_pool& pool;
  std::function<std::optional<json>(const std::string&)> describe_flow;
  const IdentityVerifier* identity = nullptr;
  std::function<std::int64_t()> now;
  ChatService::EventSink events;
  std::function<std::string()> closed_now = [] { return std::string(); };

  struct Conn {
    std::weak_ptr<WebSocket> ws;
    bool agent = false;
    bool ready = false;             // authenticated
    std::string conversation;       // customer: the one conversation it may read
    std::string agent_id, agent_name;
    std::set<std::string> subscribed;
    // Per conversation, the last message number this socket has (from
    // history or live): live delivery sends what follows, so nothing is
    // sent twice or out of order, whichever server stored it.
    std::map<std::string, std::int64_t> seen;
    std::shared_ptr<asio::strand<asio::thread_pool::executor_type>> strand;
  };
  mutable std::mutex mu;
  std::map<const WebSocket*, Conn> conns;

  Impl(ChatStore& s, ChatBus& b, StaffLookup staff, asio::thread_pool& p, std::function<std::optional<json>(const std::string&)> describe,
       Clock clock)
      : store(s), bus(b), staff_session(std::move(staff)), pool(p), describe_flow(std::move(describe)), now(or_system_clock(std::move(clock))) {}
  // Runs `f` on the pool, after earlier work for the same connection.
  void on_strand(const std::shared_ptr<WebSocket>& ws, std::function<void()> f) {
    std::shared_ptr<asio::strand<asio::thread_pool::executor_type>> strand;
    {
      std::lock_guard lock(mu);
      auto& c = conns[ws.get()];
      if (!c.strand) {
        c.strand = std::make_shared<asio::strand<asio::thread_pool::executor_type>>(asio::make_strand(pool.get_executor()));
        c.ws = ws;
      }
      strand = c.strand;
    }
    // A broken store call must not take the server down: logged; the client sees no answer and retries.
    asio::post(*strand, [f = std::move(f)] { guarded("chat socket", f); });
  }

  static void send(const std::shared_ptr<WebSocket>& ws, const json& j) { ws->send(json_text(j)); }

  // A page of messages after `after`, and whether more follow: a long
  // conversation goes out a page at a time, as the client asks for it.
  // History and live messages go out one at a time (delivery_mu), so a
  // socket never gets a live message ahead of the history page before it.
  std::mutex delivery_mu;

  // Sends `ws` `out` with a page of conversation `id` after `after`, and
  // whether more follow (a long conversation goes a page at a time, as the
  // client asks). What it is sent counts as seen by it.
  void send_history(const std::shared_ptr<WebSocket>& ws, const std::string& id, std::int64_t after, json out) {
    std::lock_guard delivering(delivery_mu);
    json messages = json::array();
    auto page = store.messages_after(id, after, kHistoryPage + 1);
    const bool more = page.size() > kHistoryPage;
    if (more) page.pop_back();
    for (const auto& m : page) messages.push_back(message_json(m));
    {
      std::lock_guard lock(mu);
      auto& seen = conns[ws.get()].seen[id];
      seen = std::max(seen, page.empty() ? after : page.back().seq);
    }
    out["messages"] = std::move(messages);
    out["more"] = more;
    send(ws, out);
  }

  static std::int64_t after_of(const json& m) {
    return m.contains("after") && m["after"].is_number_integer() ? std::max<std::int64_t>(0, m["after"].get<std::int64_t>()) : 0;
  }

  // Everyone who should see something about `conversation`: its customer
  // connections and the agents subscribed to it.
  std::vector<std::shared_ptr<WebSocket>> audience(const std::string& conversation, bool customers, bool agents) {
    std::lock_guard lock(mu);
    std::vector<std::shared_ptr<WebSocket>> out;
    for (auto& [key, c] : conns) {
      if (!c.ready) continue;
      const bool match = c.agent ? agents && c.subscribed.count(conversation) : customers && c.conversation == conversation;
      if (match)
        if (auto ws = c.ws.lock()) out.push_back(ws);
    }
    return out;
  }

  std::vector<std::shared_ptr<WebSocket>> all_agents() {
    std::lock_guard lock(mu);
    std::vector<std::shared_ptr<WebSocket>> out;
    for (auto& [key, c] : conns)
      if (c.agent && c.ready)
        if (auto ws = c.ws.lock()) out.push_back(ws);
    return out;
  }

  // The queue as agents see it: a line per conversation (the full packet
  // comes with "subscribe"), so a long queue stays a small message.
  static json queue_item(const ChatConversation& c) {
    const json& p = c.packet;
    std::string first_search;
    for (const auto& e : p["trail"])
      if (e["type"] == "search") {
        first_search = e["query"];
        break;
      }
    return {{"conversation", c.id}, {"state", c.state}, {"locale", c.locale}, {"waiting_since", c.created_ms},
            {"who", customer_label(p, p["customer"]["anonymous_id"].get<std::string>())},
            {"verified", p["customer"].value("verified", json()).is_object()},
            {"trigger", p["trigger"]}, {"failures", p["failures"].size()}, {"first_search", first_search}, {"page", p["page"]}};
  }

  json queue_json() {
    json items = json::array(), tickets = json::array();
    for (const auto& c : store.conversations("queued", 200)) items.push_back(queue_item(c));
    for (const auto& c : store.conversations("ticket", 200)) tickets.push_back(queue_item(c));
    return {{"type", "queue"}, {"queued", items}, {"tickets", tickets}};
  }

  // After the queue changed, agents get it, at most every 200 ms however
  // busy it is; waiting customers get their new place when people ahead of
  // them left the queue (a new arrival joins at the end and moves no one).
  std::mutex queue_mu;
  bool queue_broadcast_pending = false;
  std::unique_ptr<asio::steady_timer> queue_timer;

  void queue_changed(bool positions_moved) {
    {
      std::lock_guard lock(queue_mu);
      if (!queue_broadcast_pending) {
        queue_broadcast_pending = true;
        queue_timer = std::make_unique<asio::steady_timer>(pool.get_executor(), std::chrono::milliseconds(200));
        queue_timer->async_wait([this](const boost::system::error_code& ec) {
          if (ec) return;
          {
            std::lock_guard relock(queue_mu);
            queue_broadcast_pending = false;
          }
          // On failure the next change sends it again.
          guarded("queue broadcast", [this] {
            const json q = queue_json();
            for (const auto& ws : all_agents()) send(ws, q);
          });
        });
      }
    }
    if (!positions_moved) return;
    size_t position = 0;
    for (const auto& c : store.conversations("queued", 1000)) {
      ++position;
      for (const auto& ws : audience(c.id, true, false)) send(ws, {{"type", "queue"}, {"position", position}});
    }
  }

  ChatMessage post(const std::string& conversation, const std::string& sender, const std::string& author, const std::string& body,
                   const std::string& client_id, const ChatAttachment* photo = nullptr) {
    ChatMessage m = store.append_message({0, conversation, sender, author, body, client_id, now()}, photo);
    // A resend went out when it was first stored: only its sender is answered (handle_send).
    if (!m.repeated) {
      ChatSignal signal{.kind = "message", .conversation = conversation, .seq = m.seq};
      json row = message_json(m);
      if (json_text(row).size() <= kMaxCarriedMessageBytes) signal.message = std::move(row);
      bus.publish(signal);
    }
    return m;
  }

  // What every server does with what one of them told: each sends its own sockets.
  void on_signal(const ChatSignal& s) {
    if (s.kind == "message") return deliver(s.conversation, s.seq, s.message.is_null() ? nullptr : &s.message);
    if (s.kind == "typing") {
      const bool to_agents = s.from == "customer";
      json out = {{"type", "typing"}, {"from", s.from}};
      if (to_agents) out["conversation"] = s.conversation;
      for (const auto& ws : audience(s.conversation, !to_agents, to_agents)) send(ws, out);
      return;
    }
    if (s.kind == "state") {
      json out = {{"type", "state"}, {"state", s.state}};
      if (!s.agent.empty()) out["agent"] = s.agent;
      for (const auto& ws : audience(s.conversation, true, false)) send(ws, out);
      return;
    }
    if (s.kind == "queue") return queue_changed(s.moved);
    if (s.kind == "resync") {
      // Signals may have been missed: every conversation with a socket here catches up.
      std::set<std::string> open;
      {
        std::lock_guard lock(mu);
        for (const auto& [key, c] : conns)
          for (const auto& [id, seq] : c.seen) open.insert(id);
      }
      for (const auto& id : open) deliver(id, std::numeric_limits<std::int64_t>::max());
      queue_changed(true);
    }
  }

  // Sends each socket of `conversation` here the messages after the last it
  // has, up to `seq`: read from the store, unless every socket behind has
  // all before `seq` and the signal carried message `seq` itself.
  // Signals come one at a time (ChatBus), so a socket's `seen` moves forward only.
  void deliver(const std::string& conversation, std::int64_t seq, const json* carried = nullptr) {
    std::lock_guard delivering(delivery_mu);
    std::vector<std::pair<std::shared_ptr<WebSocket>, std::int64_t>> behind;
    std::int64_t from = std::numeric_limits<std::int64_t>::max();
    {
      std::lock_guard lock(mu);
      for (auto& [key, c] : conns) {
        // Members only (an agent who asked for a history page without subscribing gets no live messages);
        // a socket whose history has not gone out yet gets it with its history.
        const bool member = c.agent ? c.subscribed.count(conversation) > 0 : c.conversation == conversation;
        const auto it = c.seen.find(conversation);
        if (!c.ready || !member || it == c.seen.end() || it->second >= seq) continue;
        const std::int64_t had = it->second;
        if (auto ws = c.ws.lock()) {
          behind.emplace_back(ws, had);
          from = std::min(from, had);
        }
      }
    }
    if (behind.empty()) return;
    if (carried && from == seq - 1) {
      const std::string out = json_text({{"type", "message"}, {"conversation", conversation}, {"message", *carried}});
      for (const auto& [ws, had] : behind) ws->send(out);
      std::lock_guard lock(mu);
      for (const auto& [ws, had] : behind)
        if (auto it = conns.find(ws.get()); it != conns.end()) it->second.seen[conversation] = std::max(it->second.seen[conversation], seq);
      return;
    }
    const auto messages = store.messages_after(conversation, from, kHistoryPage);
    for (const auto& [ws, had] : behind) {
      std::int64_t last = had;
      for (const auto& m : messages) {
        if (m.seq <= had || m.seq > seq) continue;
        send(ws, {{"type", "message"}, {"conversation", conversation}, {"message", message_json(m)}});
        last = m.seq;
      }
      std::lock_guard lock(mu);
      if (auto it = conns.find(ws.get()); it != conns.end()) it->second.seen[conversation] = std::max(it->second.seen[conversation], last);
    }
  }

  bool rate_limited(const std::shared_ptr<WebSocket>& ws) { return sends->take(ws->client(), now()) > 0; }

  // {client_id, body} from a socket: checked, stored, delivered.
  void handle_send(const std::shared_ptr<WebSocket>& ws, const std::string& conversation, const std::string& sender,
                   const std::string& author, const json& m) {
    std::string body, client_id;
    try {
      body = text_field(m, "body", kMaxBody * 4, true);
      client_id = text_field(m, "client_id", 64, true);
    } catch (const std::invalid_argument& e) {
      return send(ws, {{"type", "error"}, {"error", e.what()}});
    }
    body.erase(0, body.find_first_not_of(" \t\r\n"));
    body.erase(body.find_last_not_of(" \t\r\n") + 1);
    size_t chars = 0;
    for (unsigned char c : body) chars += (c & 0xC0) != 0x80;
    if (body.empty() || chars > kMaxBody)
      return send(ws, {{"type", "error"}, {"client_id", client_id}, {"error", "a message is 1 to " + std::to_string(kMaxBody) + " characters"}});
    if (rate_limited(ws))
      return send(ws, {{"type", "error"}, {"client_id", client_id}, {"error", "too many messages: wait a few seconds"}});
    const ChatMessage stored = post(conversation, sender, author, body, client_id);
    // The sender of a resend is told it is stored (it may never have seen the first answer).
    if (stored.repeated) send(ws, {{"type", "message"}, {"conversation", conversation}, {"message", message_json(stored)}});
  }

  // The conversation whose customer holds `authorization` ("Bearer <key>"); the same failure for a wrong key and an unknown id.
  std::optional<ChatConversation> customer_conversation(const std::string& id, const std::string& authorization) {
    const std::string prefix = "Bearer ";
    const std::string key = authorization.rfind(prefix, 0) == 0 ? authorization.substr(prefix.size()) : "";
    auto c = store.find_conversation(id);
    if (!c || key.empty() || !equal_secrets(sha256_hex(key), c->customer_key_hash)) return std::nullopt;
    return c;
  }

  static std::string customer_name(const ChatConversation& c) {
    return customer_label(c.packet, "Customer");
  }

};

ChatService::ChatService(ChatStore& store, ChatBus& bus, StaffLookup staff_session, asio::thread_pool& pool,
                         std::function<std::optional<json>(const std::string&)> describe_flow, std::shared_ptr<RateLimiter> message_limit,
                         Clock now_ms, const IdentityVerifier* identity)
    : impl_(std::make_unique<Impl>(store, bus, std::move(staff_session), pool, std::move(describe_flow), std::move(now_ms))) {
  impl_->identity = identity;
  impl_->sends = message_limit ? std::move(message_limit) : std::make_shared<RateLimiter>(120, 20);
  bus.subscribe([im = impl_.get()](const ChatSignal& s) { im->on_signal(s); });
}

ChatService::~ChatService() {
  // Stopping: this server's agents leave the count at once, not when the heartbeat goes stale.
  guarded("chat presence at shutdown", [&] { impl_->store.set_presence(impl_->server_id, 0, impl_->now()); });
}

void ChatService::on_event(EventSink sink) { impl_->events = std::move(sink); }
void ChatService::set_hours(std::function<std::string()> closed_now) { impl_->closed_now = std::move(closed_now); }

size_t ChatService::agents_online() const { return impl_->store.agents_online(impl_->now(), kPresenceFresh); }

void ChatService::heartbeat() {
  size_t here = 0;
  {
    std::lock_guard lock(impl_->mu);
    for (const auto& [key, c] : impl_->conns) here += c.agent && c.ready && !c.ws.expired();
  }
  impl_->store.set_presence(impl_->server_id, here, impl_->now());
}

ChatReply ChatService::open(const json& body, const std::string& user_agent) {
  auto& im = *impl_;
  json packet;
  try {
    packet = handoff_packet(body, user_agent, im.describe_flow, im.identity);
  } catch (const std::invalid_argument& e) {
    return error(400, e.what());
  }
  ChatConversation c;
  c.id = "cv_" + random_hex(16);
  const std::string key = random_hex(32);
  c.customer_key_hash = sha256_hex(key);
  const std::string closed_hours = im.closed_now();
  c.state = closed_hours.empty() && agents_online() > 0 ? "queued" : "ticket";
  c.locale = packet["locale"];
  c.packet = packet;
  c.created_ms = c.updated_ms = im.now();
  im.store.create_conversation(c);
  im.post(c.id, "system", "",
          c.state == "queued"     ? "Waiting for the next available person."
          : closed_hours.empty()  ? "Nobody can chat right now: this is now a ticket, and a person will reply by email."
                                  : "Chat is closed now (open " + closed_hours + "): this is now a ticket, and a person will reply by email.",
          "open");
  im.bus.publish({.kind = "queue", .moved = false});
  if (im.events)
    im.events("conversation.opened", c.id + ":opened", {{"conversation", c.id}, {"state", c.state}, {"opened_ms", c.created_ms}, {"packet", c.packet}});
  json out = {{"conversation", c.id}, {"key", key}, {"state", c.state}};
  if (c.state == "ticket") {
    out["expected_reply"] = "within one business day";
    out["reason"] = closed_hours.empty() ? "nobody_online" : "closed";
    if (!closed_hours.empty()) out["hours"] = closed_hours;
  }
  else {
    size_t position = 0;
    for (const auto& q : im.store.conversations("queued", 1000)) {
      ++position;
      if (q.id == c.id) break;
    }
    out["queue_position"] = position;
  }
  return {201, out, {}};
}

ChatReply ChatService::attach_photo(const std::string& id, const std::string& authorization, const std::string& content_type,
                                    const std::string& idempotency_key, const std::string& bytes) {
  auto& im = *impl_;
  auto c = im.customer_conversation(id, authorization);
  if (!c) return error(404, "unknown conversation or wrong key (send Authorization: Bearer <key>)");
  if (c->state == "closed") return error(409, "this conversation is closed");
  if (idempotency_key.empty() || idempotency_key.size() > 64) return error(400, "send an Idempotency-Key header (1 to 64 characters) with each photo");
  // A resend of a photo already stored is answered from the store, not counted again.
  for (const auto& m : im.store.messages_after(id, 0, 100000))
    if (m.sender == "customer" && m.client_id == idempotency_key) return {200, {{"message", message_json(m)}}, {}};
  const std::int64_t t = im.now();
  if (im.store.count_attachments(id, 0) >= kPhotosPerConversation)
    return error(429, "a conversation may have at most " + std::to_string(kPhotosPerConversation) + " photos");
  if (im.store.count_attachments(id, t - 60000) >= kPhotosPerMinute) {
    ChatReply r = error(429, "too many photos at once: wait a minute");
    r.headers.push_back({"Retry-After", "60"});
    return r;
  }
  CheckedImage image;
  try {
    image = clean_image(bytes, content_type);
  } catch (const ImageError& e) {
    return error(e.status(), e.what());
  }
  ChatAttachment photo{"ph_" + random_hex(12), id, image.content_type, sha256_hex(image.bytes), std::move(image.bytes), 0,
                       image.width, image.height, t};
  photo.size = static_cast<std::int64_t>(photo.bytes.size());
  const ChatMessage m = im.post(id, "customer", Impl::customer_name(*c), "", idempotency_key, &photo);
  // The helpdesk gets the photo itself (a ticket is answered there, often by someone who never opens this console).
  if (im.events && m.attachment.is_object() && m.attachment["id"] == photo.id)
    im.events("conversation.photo", id + ":photo:" + photo.id,
              {{"conversation", id}, {"seq", m.seq}, {"photo", m.attachment}, {"sha256", photo.sha256}, {"data_base64", base64(photo.bytes)}});
  return {201, {{"message", message_json(m)}}, {}};
}

ChatService::PhotoReply ChatService::customer_photo(const std::string& conversation_id, const std::string& authorization,
                                                    const std::string& photo_id) {
  auto& im = *impl_;
  if (!im.customer_conversation(conversation_id, authorization))
    return {404, "unknown conversation or wrong key (send Authorization: Bearer <key>)", {}};
  auto photo = im.store.find_attachment(photo_id, true);
  // Another conversation's photo is answered like a missing one.
  if (!photo || photo->conversation_id != conversation_id) return {404, "no photo '" + photo_id + "' in this conversation", {}};
  return {200, "", std::move(*photo)};
}

ChatService::PhotoReply ChatService::agent_photo(const std::string& photo_id) {
  auto photo = impl_->store.find_attachment(photo_id, true);
  if (!photo) return {404, "no photo '" + photo_id + "'", {}};
  return {200, "", std::move(*photo)};
}

void ChatService::customer_socket(std::shared_ptr<WebSocket> ws, std::string message) {
  impl_->on_strand(ws, [this, ws, message = std::move(message)] {
    auto& im = *impl_;
    json m = json::parse(message, nullptr, false);
    if (!m.is_object() || !m.contains("type") || !m["type"].is_string())
      return Impl::send(ws, {{"type", "error"}, {"error", "messages are JSON objects with a 'type'"}});
    const std::string type = m["type"];
    std::string conversation;
    bool ready = false;
    {
      std::lock_guard lock(im.mu);
      auto& c = im.conns[ws.get()];
      ready = c.ready;
      conversation = c.conversation;
    }
    if (type == "hello") {
      // A field that is not a string is a wrong key, not an exception.
      auto string_of = [&m](const char* k) { return m.contains(k) && m[k].is_string() ? m[k].get<std::string>() : std::string(); };
      const std::string id = string_of("conversation"), key = string_of("key");
      auto c = im.store.find_conversation(id);
      // The same answer for a wrong key and an unknown conversation.
      if (!c || key.empty() || !equal_secrets(sha256_hex(key), c->customer_key_hash)) {
        Impl::send(ws, {{"type", "error"}, {"error", "unknown conversation or wrong key"}});
        return ws->close();
      }
      {
        std::lock_guard lock(im.mu);
        auto& conn = im.conns[ws.get()];
        conn.ready = true;
        conn.conversation = id;
      }
      json welcome = {{"type", "welcome"}, {"conversation", id}, {"state", c->state}};
      if (c->state == "queued") {
        size_t position = 0;
        for (const auto& q : im.store.conversations("queued", 1000)) {
          ++position;
          if (q.id == id) break;
        }
        welcome["queue_position"] = position;
      }
      return im.send_history(ws, id, Impl::after_of(m), std::move(welcome));
    }
    if (!ready) return Impl::send(ws, {{"type", "error"}, {"error", "say hello first: {\"type\": \"hello\", \"conversation\", \"key\", \"after\"}"}});
    if (type == "history") return im.send_history(ws, conversation, Impl::after_of(m), {{"type", "history"}, {"conversation", conversation}});
    auto c = im.store.find_conversation(conversation);
    if (type == "send") {
      if (!c || c->state == "closed") return Impl::send(ws, {{"type", "error"}, {"error", "this conversation is closed"}});
      return im.handle_send(ws, conversation, "customer", Impl::customer_name(*c), m);
    }
    if (type == "typing") return im.bus.publish({.kind = "typing", .conversation = conversation, .from = "customer"});
    Impl::send(ws, {{"type", "error"}, {"error", "unknown message type '" + type + "'"}});
  });
}

void ChatService::agent_connected(std::shared_ptr<WebSocket> ws, const std::string& cookie_header) {
  impl_->on_strand(ws, [this, ws, cookie_header] {
    auto& im = *impl_;
    auto agent = im.staff_session(cookie_header);
    if (!agent || agent->role != "agent") {
      Impl::send(ws, {{"type", "error"}, {"error", agent ? "this needs an agent login" : "log in as an agent first"}});
      return ws->close();
    }
    {
      std::lock_guard lock(im.mu);
      auto& c = im.conns[ws.get()];
      c.agent = true;
      c.ready = true;
      c.agent_id = agent->id;
      c.agent_name = agent->name;
    }
    heartbeat();
    Impl::send(ws, {{"type", "hello"}, {"agent", {{"id", agent->id}, {"name", agent->name}}}});
    Impl::send(ws, im.queue_json());
  });
}

void ChatService::agent_socket(std::shared_ptr<WebSocket> ws, std::string message) {
  impl_->on_strand(ws, [this, ws, message = std::move(message)] {
    auto& im = *impl_;
    std::string agent_id, agent_name;
    {
      std::lock_guard lock(im.mu);
      auto& c = im.conns[ws.get()];
      if (!c.ready) return Impl::send(ws, {{"type", "error"}, {"error", "not logged in"}});
      agent_id = c.agent_id;
      agent_name = c.agent_name;
    }
    json m = json::parse(message, nullptr, false);
    if (!m.is_object() || !m.contains("type") || !m["type"].is_string() || !m.contains("conversation") || !m["conversation"].is_string())
      return Impl::send(ws, {{"type", "error"}, {"error", "messages are JSON objects with a 'type' and a 'conversation'"}});
    const std::string type = m["type"], id = m["conversation"];
    auto c = im.store.find_conversation(id);
    if (!c) return Impl::send(ws, {{"type", "error"}, {"error", "no conversation '" + id + "'"}});
    if (type == "subscribe") {
      {
        std::lock_guard lock(im.mu);
        im.conns[ws.get()].subscribed.insert(id);
      }
      return im.send_history(ws, id, Impl::after_of(m),
                             {{"type", "conversation"}, {"conversation", id}, {"state", c->state}, {"agent", c->agent_id}, {"packet", c->packet}});
    }
    if (type == "history") return im.send_history(ws, id, Impl::after_of(m), {{"type", "history"}, {"conversation", id}});
    if (c->agent_id != agent_id || c->state != "active")
      return Impl::send(ws, {{"type", "error"}, {"conversation", id}, {"error", "accept the conversation before writing in it"}});
    if (type == "send") return im.handle_send(ws, id, "agent", agent_name, m);
    if (type == "typing") return im.bus.publish({.kind = "typing", .conversation = id, .from = "agent"});
    Impl::send(ws, {{"type", "error"}, {"error", "unknown message type '" + type + "'"}});
  });
}

void ChatService::socket_closed(const std::shared_ptr<WebSocket>& ws) {
  bool agent = false;
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->conns.find(ws.get());
    if (it == impl_->conns.end()) return;
    agent = it->second.agent;
    impl_->conns.erase(it);
  }
  // Off the I/O thread: the count is a store write.
  if (agent) asio::post(impl_->pool, [this] { guarded("chat presence", [this] { heartbeat(); }); });
}

ChatReply ChatService::queue(const StaffSession& agent) {
  json q = impl_->queue_json();
  q.erase("type");
  q["agent"] = {{"id", agent.id}, {"name", agent.name}};
  // Same-origin pages may read it (CORS keeps other sites out); the console keeps it in memory only.
  q["csrf"] = agent.csrf;
  return {200, q, {}};
}

ChatReply ChatService::accept(const StaffSession& staff, const std::string& id) {
  auto& im = *impl_;
  const StaffSession* agent = &staff;
  auto c = im.store.find_conversation(id);
  if (!c) return error(404, "no conversation '" + id + "'");
  ChatConversation to = *c;
  to.state = "active";
  to.agent_id = agent->id;
  to.updated_ms = im.now();
  // Queued conversations, and tickets an agent picks up while the customer may still be there.
  if (!im.store.change_conversation(id, "queued", to) && !im.store.change_conversation(id, "ticket", to))
    return error(409, "this conversation is " + c->state + (c->agent_id.empty() ? "" : " with another agent"));
  im.bus.publish({.kind = "state", .conversation = id, .state = "active", .agent = agent->name});
  im.post(id, "system", "", agent->name + " joined the conversation.", "accept-" + agent->id);
  im.bus.publish({.kind = "queue", .moved = true});
  return {200, {{"conversation", id}, {"state", "active"}, {"agent", agent->id}}, {}};
}

ChatReply ChatService::close(const StaffSession& staff, const std::string& id, const json& body) {
  auto& im = *impl_;
  const StaffSession* agent = &staff;
  std::string disposition, reason;
  try {
    if (!body.is_object()) throw std::invalid_argument("the body must be {\"disposition\", \"reason_code\"}");
    disposition = text_field(body, "disposition", 32, true);
    reason = text_field(body, "reason_code", 64, true);
  } catch (const std::invalid_argument& e) {
    return error(400, e.what());
  }
  if (disposition != "resolved" && disposition != "unresolved" && disposition != "follow_up" && disposition != "spam")
    return error(400, "field 'disposition' must be resolved, unresolved, follow_up or spam");
  auto c = im.store.find_conversation(id);
  if (!c) return error(404, "no conversation '" + id + "'");
  if (c->agent_id != agent->id) return error(409, "only the agent in the conversation can close it");
  ChatConversation to = *c;
  to.state = "closed";
  to.disposition = disposition;
  to.reason_code = reason;
  to.updated_ms = im.now();
  if (!im.store.change_conversation(id, "active", to)) return error(409, "this conversation is not active");
  im.post(id, "system", "", "The conversation was closed.", "close");
  if (im.events) {
    json transcript = json::array();
    for (const auto& m : im.store.messages_after(id, 0, 100000)) transcript.push_back(message_json(m));
    im.events("conversation.closed", id + ":closed",
              {{"conversation", id}, {"agent", {{"id", agent->id}, {"name", agent->name}}}, {"disposition", disposition},
               {"reason_code", reason}, {"closed_ms", to.updated_ms}, {"packet", c->packet}, {"transcript", transcript}});
  }
  im.bus.publish({.kind = "state", .conversation = id, .state = "closed"});
  return {200, {{"conversation", id}, {"state", "closed"}, {"disposition", disposition}, {"reason_code", reason}}, {}};
}

}  // namespace firstfix::server
