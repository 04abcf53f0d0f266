#include "native_server/chat_service.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "core/flow/engine.h"
#include "native_server/image_check.h"
#include "native_server/random_hex.h"

namespace firstfix::server {
namespace {

using nlohmann::json;
namespace asio = boost::asio;

constexpr size_t kMaxBody = 4000;              // characters of one message
constexpr size_t kMaxTrail = 200;              // entries in a hand-off trail
constexpr int kSendsPerWindow = 20;            // messages per connection ...
constexpr std::int64_t kSendWindowMs = 10000;  // ... per 10 seconds
constexpr size_t kPhotosPerMinute = 5;         // per conversation
constexpr size_t kPhotosPerConversation = 20;
constexpr std::int64_t kAgentSessionMs = 12LL * 3600 * 1000;
const char* kCookie = "ff_agent";

bool same(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string cookie_value(const std::string& header, const std::string& name) {
  size_t at = 0;
  while (at < header.size()) {
    size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    std::string item = header.substr(at, end - at);
    item.erase(0, item.find_first_not_of(' '));
    if (item.rfind(name + "=", 0) == 0) return item.substr(name.size() + 1);
    at = end + 1;
  }
  return "";
}

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

ChatReply error(int status, const std::string& message) { return {status, {{"error", message}}, {}}; }

json message_json(const ChatMessage& m) {
  json j = {{"seq", m.seq}, {"sender", m.sender}, {"author", m.author}, {"body", m.body}, {"client_id", m.client_id}, {"at", m.created_ms}};
  if (!m.attachment.is_null()) j["photo"] = m.attachment;
  return j;
}

std::string text_field(const json& j, const char* key, size_t max, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw std::invalid_argument(std::string("field '") + key + "' is required");
    return "";
  }
  if (!it->is_string()) throw std::invalid_argument(std::string("field '") + key + "' must be text");
  if (it->get<std::string>().size() > max)
    throw std::invalid_argument(std::string("field '") + key + "' is longer than " + std::to_string(max) + " bytes");
  return it->get<std::string>();
}

}  // namespace

struct ChatService::Impl {
  Store& store;
  asio::thread_pool& pool;
  std::function<std::optional<json>(const std::string&)> describe_flow;
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
    std::deque<std::int64_t> sends;  // recent send times, for the rate limit
    std::shared_ptr<asio::strand<asio::thread_pool::executor_type>> strand;
  };
  mutable std::mutex mu;
  std::map<const WebSocket*, Conn> conns;

  Impl(Store& s, asio::thread_pool& p, std::function<std::optional<json>(const std::string&)> describe, std::function<std::int64_t()> clock)
      : store(s), pool(p), describe_flow(std::move(describe)), now(std::move(clock)) {
    if (!now)
      now = [] { return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count(); };
  }

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
    asio::post(*strand, [f = std::move(f)] {
      try {
        f();
      } catch (const std::exception&) {
        // A broken store call must not take the server down; the client sees no answer and retries.
      }
    });
  }

  static void send(const std::shared_ptr<WebSocket>& ws, const json& j) { ws->send(j.dump()); }

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
    const json& claimed = p["customer"]["claimed"];
    std::string first_search;
    for (const auto& e : p["trail"])
      if (e["type"] == "search") {
        first_search = e["query"];
        break;
      }
    return {{"conversation", c.id}, {"state", c.state}, {"locale", c.locale}, {"waiting_since", c.created_ms},
            {"who", claimed.is_object() && !claimed.value("name", "").empty() ? claimed.value("name", "")
                    : claimed.is_object() && !claimed.value("email", "").empty() ? claimed.value("email", "")
                                                                                  : p["customer"]["anonymous_id"].get<std::string>()},
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
          try {
            const json q = queue_json();
            for (const auto& ws : all_agents()) send(ws, q);
          } catch (const std::exception&) {
            // The next change sends it again.
          }
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
    const json out = {{"type", "message"}, {"conversation", conversation}, {"message", message_json(m)}};
    for (const auto& ws : audience(conversation, true, true)) send(ws, out);
    return m;
  }

  bool rate_limited(const std::shared_ptr<WebSocket>& ws) {
    std::lock_guard lock(mu);
    auto& sends = conns[ws.get()].sends;
    const auto t = now();
    while (!sends.empty() && sends.front() <= t - kSendWindowMs) sends.pop_front();
    if (sends.size() >= static_cast<size_t>(kSendsPerWindow)) return true;
    sends.push_back(t);
    return false;
  }

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
    post(conversation, sender, author, body, client_id);
  }

  // The conversation whose customer holds `authorization` ("Bearer <key>"); the same failure for a wrong key and an unknown id.
  std::optional<ChatConversation> customer_conversation(const std::string& id, const std::string& authorization) {
    const std::string prefix = "Bearer ";
    const std::string key = authorization.rfind(prefix, 0) == 0 ? authorization.substr(prefix.size()) : "";
    auto c = store.find_conversation(id);
    if (!c || key.empty() || !same(sha256_hex(key), c->customer_key_hash)) return std::nullopt;
    return c;
  }

  static std::string customer_name(const ChatConversation& c) {
    const json& claimed = c.packet["customer"]["claimed"];
    return claimed.is_object() && !claimed.value("name", "").empty() ? claimed.value("name", "") : "Customer";
  }

  std::optional<AgentSession> agent_session(const std::string& cookie_header) {
    const std::string token = cookie_value(cookie_header, kCookie);
    if (token.empty()) return std::nullopt;
    return store.find_agent_session(sha256_hex(token), now());
  }

  // The logged-in staff member, if their role is `role` ("" = any role).
  std::optional<Agent> authorized(const std::string& cookie_header, const std::string* csrf, ChatReply& failure,
                                  const std::string& role = "agent") {
    auto s = agent_session(cookie_header);
    if (!s) {
      failure = error(401, "log in as an agent first");
      return std::nullopt;
    }
    if (csrf && !same(*csrf, s->csrf)) {
      failure = error(403, "missing or wrong X-CSRF-Token");
      return std::nullopt;
    }
    auto a = store.find_agent(s->agent_id);
    if (!a) failure = error(401, "log in as an agent first");
    else if (!role.empty() && a->role != role) {
      failure = error(403, "this needs the " + role + " role (you are logged in as " + a->role + ")");
      return std::nullopt;
    }
    return a;
  }
};

ChatService::ChatService(Store& store, asio::thread_pool& pool, std::function<std::optional<json>(const std::string&)> describe_flow,
                         std::function<std::int64_t()> now_ms)
    : impl_(std::make_unique<Impl>(store, pool, std::move(describe_flow), std::move(now_ms))) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not start");
}
ChatService::~ChatService() = default;

void ChatService::ensure_demo_agent() {
  auto make = [&](const char* id, const char* email, const char* name, const std::string& password, const char* role) {
    if (impl_->store.find_agent(email)) return;
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password.c_str(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
      throw std::runtime_error(std::string("cannot hash the password of ") + email + " (out of memory)");
    impl_->store.upsert_agent({id, email, name, hash, role});
  };
  make("ag_demo", "agent@brightloop.example", "Sam (demo agent)", "brightloop-agent", "agent");
  make("ed_demo", "editor@brightloop.example", "Robin (demo editor)", "brightloop-editor", "editor");
}

std::optional<Agent> ChatService::signed_in(const std::string& cookie_header) {
  ChatReply failure;
  return impl_->authorized(cookie_header, nullptr, failure, "");
}

void ChatService::on_event(EventSink sink) { impl_->events = std::move(sink); }
void ChatService::set_hours(std::function<std::string()> closed_now) { impl_->closed_now = std::move(closed_now); }

size_t ChatService::agents_online() const {
  std::lock_guard lock(impl_->mu);
  size_t n = 0;
  for (const auto& [key, c] : impl_->conns) n += c.agent && c.ready && !c.ws.expired();
  return n;
}

ChatReply ChatService::open(const json& body, const std::string& user_agent) {
  auto& im = *impl_;
  if (!body.is_object()) return error(400, "the body must be a JSON object");
  json packet;
  try {
    for (const auto& [key, value] : body.items())
      if (key != "locale" && key != "page" && key != "customer" && key != "trigger" && key != "trail" && key != "failures")
        throw std::invalid_argument("unknown field '" + key + "' (expected locale, page, customer, trigger, trail, failures)");
    const std::string locale = text_field(body, "locale", 16, true);
    const std::string trigger = text_field(body, "trigger", 32, false);
    if (!trigger.empty() && trigger != "failures" && trigger != "request" && trigger != "frustration" && trigger != "contact")
      throw std::invalid_argument("field 'trigger' must be failures, request, frustration or contact");
    json customer = nullptr;
    if (auto c = body.find("customer"); c != body.end() && !c->is_null()) {
      if (!c->is_object()) throw std::invalid_argument("field 'customer' must be an object like {\"id\", \"email\", \"name\"}");
      customer = json::object();
      for (const char* k : {"id", "email", "name"}) customer[k] = text_field(*c, k, 200, false);
    }
    json failures = json::array();
    if (auto f = body.find("failures"); f != body.end()) {
      if (!f->is_array() || f->size() > 50) throw std::invalid_argument("field 'failures' must be a list of at most 50 reasons");
      for (const auto& r : *f) {
        if (!r.is_string() || r.get<std::string>().size() > 500) throw std::invalid_argument("each failure is text of at most 500 bytes");
        failures.push_back(r);
      }
    }
    json trail = json::array();
    if (auto t = body.find("trail"); t != body.end()) {
      if (!t->is_array() || t->size() > kMaxTrail) throw std::invalid_argument("field 'trail' must be a list of at most " + std::to_string(kMaxTrail) + " entries");
      for (size_t i = 0; i < t->size(); ++i) {
        const json& e = (*t)[i];
        const std::string where = "trail[" + std::to_string(i) + "]";
        if (!e.is_object()) throw std::invalid_argument(where + " must be an object");
        const std::string type = text_field(e, "type", 16, true);
        if (type == "search") {
          json shown = e.value("shown", json::array());
          if (!shown.is_array() || shown.size() > 20) throw std::invalid_argument(where + ".shown must be a list of at most 20 ids");
          trail.push_back({{"type", "search"}, {"query", text_field(e, "query", 500, true)}, {"shown", shown},
                           {"clicked", text_field(e, "clicked", 100, false)}});
        } else if (type == "article") {
          json entry = {{"type", "article"}, {"id", text_field(e, "id", 100, true)}, {"title", text_field(e, "title", 300, false)}};
          if (auto v = e.find("helpful"); v != e.end() && v->is_boolean()) entry["helpful"] = *v;
          trail.push_back(entry);
        } else if (type == "flow") {
          // The server's own record of the flow, answers redacted: never what the browser says it did.
          const std::string session = text_field(e, "session", 64, true);
          auto described = im.describe_flow(session);
          if (!described) throw std::invalid_argument(where + ": no flow session '" + session + "'");
          trail.push_back({{"type", "flow"}, {"session", session}, {"flow", *described}});
        } else {
          throw std::invalid_argument(where + ".type must be search, article or flow");
        }
      }
    }
    const bool mobile = user_agent.find("Mobi") != std::string::npos;
    packet = {{"customer", {{"claimed", customer}, {"anonymous_id", "anon_" + random_hex(8)}}},
              {"page", text_field(body, "page", 2000, false)},
              {"locale", locale},
              {"device", mobile ? "mobile" : "desktop"},
              {"user_agent", user_agent.substr(0, 300)},
              {"trigger", trigger.empty() ? "contact" : trigger},
              {"failures", failures},
              {"trail", trail}};
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
  im.queue_changed(/*positions_moved=*/false);
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

ChatService::PhotoReply ChatService::agent_photo(const std::string& cookie_header, const std::string& photo_id) {
  ChatReply failure;
  if (!impl_->authorized(cookie_header, nullptr, failure)) return {failure.status, failure.body["error"], {}};
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
      const std::string id = m.value("conversation", ""), key = m.value("key", "");
      auto c = im.store.find_conversation(id);
      // The same answer for a wrong key and an unknown conversation.
      if (!c || key.empty() || !same(sha256_hex(key), c->customer_key_hash)) {
        Impl::send(ws, {{"type", "error"}, {"error", "unknown conversation or wrong key"}});
        return ws->close();
      }
      {
        std::lock_guard lock(im.mu);
        auto& conn = im.conns[ws.get()];
        conn.ready = true;
        conn.conversation = id;
      }
      const std::int64_t after = m.contains("after") && m["after"].is_number_integer() ? m["after"].get<std::int64_t>() : 0;
      json history = json::array();
      for (const auto& msg : im.store.messages_after(id, after, 10000)) history.push_back(message_json(msg));
      json welcome = {{"type", "welcome"}, {"conversation", id}, {"state", c->state}, {"messages", history}};
      if (c->state == "queued") {
        size_t position = 0;
        for (const auto& q : im.store.conversations("queued", 1000)) {
          ++position;
          if (q.id == id) break;
        }
        welcome["queue_position"] = position;
      }
      return Impl::send(ws, welcome);
    }
    if (!ready) return Impl::send(ws, {{"type", "error"}, {"error", "say hello first: {\"type\": \"hello\", \"conversation\", \"key\", \"after\"}"}});
    auto c = im.store.find_conversation(conversation);
    if (type == "send") {
      if (!c || c->state == "closed") return Impl::send(ws, {{"type", "error"}, {"error", "this conversation is closed"}});
      return im.handle_send(ws, conversation, "customer", Impl::customer_name(*c), m);
    }
    if (type == "typing") {
      for (const auto& agent : im.audience(conversation, false, true)) Impl::send(agent, {{"type", "typing"}, {"conversation", conversation}, {"from", "customer"}});
      return;
    }
    Impl::send(ws, {{"type", "error"}, {"error", "unknown message type '" + type + "'"}});
  });
}

void ChatService::agent_connected(std::shared_ptr<WebSocket> ws, const std::string& cookie_header) {
  impl_->on_strand(ws, [this, ws, cookie_header] {
    auto& im = *impl_;
    ChatReply failure;
    auto agent = im.authorized(cookie_header, nullptr, failure);
    if (!agent) {
      Impl::send(ws, {{"type", "error"}, {"error", failure.body["error"]}});
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
      const std::int64_t after = m.contains("after") && m["after"].is_number_integer() ? m["after"].get<std::int64_t>() : 0;
      json history = json::array();
      for (const auto& msg : im.store.messages_after(id, after, 10000)) history.push_back(message_json(msg));
      return Impl::send(ws, {{"type", "conversation"}, {"conversation", id}, {"state", c->state}, {"agent", c->agent_id},
                             {"packet", c->packet}, {"messages", history}});
    }
    if (c->agent_id != agent_id || c->state != "active")
      return Impl::send(ws, {{"type", "error"}, {"conversation", id}, {"error", "accept the conversation before writing in it"}});
    if (type == "send") return im.handle_send(ws, id, "agent", agent_name, m);
    if (type == "typing") {
      for (const auto& customer : im.audience(id, true, false)) Impl::send(customer, {{"type", "typing"}, {"from", "agent"}});
      return;
    }
    Impl::send(ws, {{"type", "error"}, {"error", "unknown message type '" + type + "'"}});
  });
}

void ChatService::socket_closed(const std::shared_ptr<WebSocket>& ws) {
  std::lock_guard lock(impl_->mu);
  impl_->conns.erase(ws.get());
}

ChatReply ChatService::login(const json& body) {
  auto& im = *impl_;
  if (!body.is_object()) return error(400, "the body must be {\"email\": ..., \"password\": ...}");
  std::string email, password;
  try {
    email = text_field(body, "email", 254, true);
    password = text_field(body, "password", 1024, true);
  } catch (const std::invalid_argument& e) {
    return error(400, e.what());
  }
  auto agent = im.store.find_agent(email);
  // The same answer whether the email or the password was wrong.
  if (!agent || crypto_pwhash_str_verify(agent->password_hash.c_str(), password.c_str(), password.size()) != 0)
    return error(401, "wrong email or password");
  const std::string token = random_hex(32), csrf = random_hex(16);
  im.store.create_agent_session({sha256_hex(token), agent->id, csrf, im.now() + kAgentSessionMs});
  return {200,
          {{"agent", {{"id", agent->id}, {"name", agent->name}, {"email", agent->email}, {"role", agent->role}}}, {"csrf", csrf}},
          {{"Set-Cookie", std::string(kCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                              std::to_string(kAgentSessionMs / 1000)}}};
}

ChatReply ChatService::logout(const std::string& cookie_header) {
  const std::string token = cookie_value(cookie_header, kCookie);
  if (!token.empty()) impl_->store.delete_agent_session(sha256_hex(token));
  return {200, {{"status", "logged out"}}, {{"Set-Cookie", std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"}}};
}

ChatReply ChatService::queue(const std::string& cookie_header) {
  ChatReply failure;
  auto agent = impl_->authorized(cookie_header, nullptr, failure);
  if (!agent) return failure;
  json q = impl_->queue_json();
  q.erase("type");
  q["agent"] = {{"id", agent->id}, {"name", agent->name}};
  // Same-origin pages may read it (CORS keeps other sites out); the console keeps it in memory only.
  q["csrf"] = impl_->agent_session(cookie_header)->csrf;
  return {200, q, {}};
}

ChatReply ChatService::accept(const std::string& cookie_header, const std::string& csrf, const std::string& id) {
  auto& im = *impl_;
  ChatReply failure;
  auto agent = im.authorized(cookie_header, &csrf, failure);
  if (!agent) return failure;
  auto c = im.store.find_conversation(id);
  if (!c) return error(404, "no conversation '" + id + "'");
  ChatConversation to = *c;
  to.state = "active";
  to.agent_id = agent->id;
  to.updated_ms = im.now();
  // Queued conversations, and tickets an agent picks up while the customer may still be there.
  if (!im.store.change_conversation(id, "queued", to) && !im.store.change_conversation(id, "ticket", to))
    return error(409, "this conversation is " + c->state + (c->agent_id.empty() ? "" : " with another agent"));
  for (const auto& ws : im.audience(id, true, false)) Impl::send(ws, {{"type", "state"}, {"state", "active"}, {"agent", agent->name}});
  im.post(id, "system", "", agent->name + " joined the conversation.", "accept-" + agent->id);
  im.queue_changed(/*positions_moved=*/true);
  return {200, {{"conversation", id}, {"state", "active"}, {"agent", agent->id}}, {}};
}

ChatReply ChatService::close(const std::string& cookie_header, const std::string& csrf, const std::string& id, const json& body) {
  auto& im = *impl_;
  ChatReply failure;
  auto agent = im.authorized(cookie_header, &csrf, failure);
  if (!agent) return failure;
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
  for (const auto& ws : im.audience(id, true, false)) Impl::send(ws, {{"type", "state"}, {"state", "closed"}});
  return {200, {{"conversation", id}, {"state", "closed"}, {"disposition", disposition}, {"reason_code", reason}}, {}};
}

}  // namespace firstfix::server
