// Everything the server keeps, as one narrow interface per concern (flow
// sessions and their journal and audit log, chat, staff, the outbox), so a
// second engine (PostgreSQL, for several servers sharing state) can replace
// the embedded SQLite one without touching the callers. Every method is
// all-or-nothing.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace firstfix::server {

struct StoredSession {
  std::string id;
  std::string flow_id;
  nlohmann::json state;  // flow::to_json(flow, session, /*redact=*/false)
  nlohmann::json context = nlohmann::json::object();  // where the customer started (page), from the widget
  std::int64_t version = 0;
  std::int64_t created_ms = 0, updated_ms = 0;
  std::string flow_version;  // the hash of the flow's definition it started on ("" if started before versions were kept)
};

// An action a connector completed, keyed by the idempotency key it ran under.
struct ActionRecord {
  std::string key;
  std::string outcome;
  nlohmann::json data = nlohmann::json::object();
};

struct AuditEntry {
  std::int64_t at_ms = 0;
  std::string flow_id, session_id, step, connector, idempotency_key;
  nlohmann::json input = nlohmann::json::object();  // sensitive answers redacted
  std::string outcome;                              // empty when it did not complete
  std::string error;                                // why it did not complete
  std::int64_t duration_ms = 0;
  bool replayed = false;                            // answered from the journal, not run again
};

// A file a customer attached to a flow step (a photo), kept with its session.
struct Upload {
  std::string id;  // "up_" + 24 hex digits
  std::string session_id;
  std::string content_type;
  std::string sha256;  // hex, of the bytes
  std::string bytes;
  std::int64_t created_ms = 0;
};

// A conversation with a person: queued until an agent accepts it, active,
// then closed with a disposition; a ticket when nobody could take it live.
struct ChatConversation {
  std::string id;                 // "cv_" + 32 hex digits
  std::string customer_key_hash;  // SHA-256 of the customer's secret key (hex); the key never stored
  std::string state;              // "queued", "active", "closed", "ticket"
  std::string locale;
  nlohmann::json packet = nlohmann::json::object();  // the hand-off context
  std::string agent_id;
  std::string disposition, reason_code;
  std::int64_t created_ms = 0, updated_ms = 0;
};

struct ChatMessage {
  std::int64_t seq = 0;  // per conversation, from 1, in order
  std::string conversation_id;
  std::string sender;    // "customer", "agent", "system"
  std::string author;    // display name
  std::string body;      // plain text (a photo's caption may be empty)
  std::string client_id; // the sender's id for it: a resend is stored once
  std::int64_t created_ms = 0;
  nlohmann::json attachment = nullptr;  // a photo: {id, content_type, size, width, height}
  bool repeated = false;  // from append_message: it was stored before (a resend), and this is that message
};

// A photo a customer showed in a chat, stored without its metadata.
struct ChatAttachment {
  std::string id;  // "ph_" + 24 hex digits
  std::string conversation_id;
  std::string content_type;
  std::string sha256;  // hex, of the bytes
  std::string bytes;   // empty unless asked for
  std::int64_t size = 0;
  int width = 0, height = 0;
  std::int64_t created_ms = 0;
};

// Staff who log in: agents (the console) and editors (the reports).
struct Agent {
  std::string id, email, name, password_hash;  // Argon2id (libsodium)
  std::string role = "agent";                  // "agent" or "editor"
};

struct AgentSession {
  std::string token_hash;  // SHA-256 of the cookie's token (hex)
  std::string agent_id;
  std::string csrf;        // echoed in a header on every state-changing request
  std::int64_t expires_ms = 0;
};

// An event for another system (a helpdesk), kept until it acknowledges it.
struct OutboundEvent {
  std::int64_t id = 0;
  std::string kind;  // "conversation.opened", "conversation.closed"
  std::string key;   // unique: the receiver's Idempotency-Key; enqueuing it again keeps one
  nlohmann::json payload;
  int attempts = 0;
  std::int64_t next_attempt_ms = 0, delivered_ms = 0;
  std::string last_error;
};

// Flow sessions, their remembered replies, the action journal, the audit
// log and the photos customers attach to steps.
class FlowStore {
 public:
  virtual ~FlowStore() = default;
  virtual void create_session(const StoredSession& session) = 0;
  virtual std::optional<StoredSession> find_session(const std::string& id) = 0;
  // Replaces the session's state if its version is still `expected_version`
  // (then version + 1), and remembers `reply` under `reply_key` when that is
  // not empty. Returns false, writing nothing, when another request got there first.
  virtual bool update_session(const std::string& id, const nlohmann::json& state, std::int64_t expected_version,
                              std::int64_t now_ms, const std::string& reply_key, const nlohmann::json& reply) = 0;
  // A reply remembered for (session, idempotency key).
  virtual std::optional<nlohmann::json> find_reply(const std::string& session_id, const std::string& reply_key) = 0;

  virtual std::optional<ActionRecord> find_action(const std::string& key) = 0;
  // Claims the right to run the action `key` until `until_ms`, so that of two
  // requests racing (on one server or several) one runs it and the other is
  // told to wait: false while another request's claim has not run out.
  virtual bool claim_action(const std::string& key, std::int64_t now_ms, std::int64_t until_ms) = 0;
  // Lets a claim go at once (the action failed: a retry may run it now).
  virtual void release_action(const std::string& key) = 0;
  // Journals a completed action and audits it in one transaction.
  virtual void record_action(const ActionRecord& action, const AuditEntry& audit) = 0;
  virtual void append_audit(const AuditEntry& audit) = 0;
  virtual void create_upload(const Upload& upload) = 0;
  // Without the bytes unless `with_bytes`.
  virtual std::optional<Upload> find_upload(const std::string& id, bool with_bytes) = 0;
  virtual std::size_t count_uploads(const std::string& session_id) = 0;
  // Deletes uploads made before `before_ms` that no session answer names; returns how many.
  virtual std::size_t delete_unreferenced_uploads(std::int64_t before_ms) = 0;

  // Newest first; for the audit page and tests.
  virtual std::vector<AuditEntry> audit_log(const std::string& session_id, size_t limit) = 0;
};

// Conversations with a person, their messages and photos.
class ChatStore {
 public:
  virtual ~ChatStore() = default;
  virtual void create_conversation(const ChatConversation& c) = 0;
  virtual std::optional<ChatConversation> find_conversation(const std::string& id) = 0;
  // Oldest first: the queue, in order.
  virtual std::vector<ChatConversation> conversations(const std::string& state, size_t limit) = 0;
  // Moves a conversation from `from_state` to `to`, all-or-nothing; false if it was no longer in `from_state`.
  virtual bool change_conversation(const std::string& id, const std::string& from_state, const ChatConversation& to) = 0;
  // Appends a message (seq = last + 1), with its photo if `photo` is not
  // null, in one transaction; a repeated (conversation, sender, client_id)
  // stores nothing and returns the stored message.
  virtual ChatMessage append_message(const ChatMessage& m, const ChatAttachment* photo) = 0;
  virtual std::optional<ChatAttachment> find_attachment(const std::string& id, bool with_bytes) = 0;
  // Photos a conversation received since `since_ms`, for the rate limit.
  virtual size_t count_attachments(const std::string& conversation_id, std::int64_t since_ms) = 0;
  virtual std::vector<ChatMessage> messages_after(const std::string& conversation_id, std::int64_t after_seq, size_t limit) = 0;
  // Agents online, counted by each server for its own sockets: a customer on
  // one server is queued for an agent on another. A server that stops
  // reporting (it died) stops counting after `fresh_ms`.
  virtual void set_presence(const std::string& server_id, std::size_t agents, std::int64_t now_ms) = 0;
  virtual std::size_t agents_online(std::int64_t now_ms, std::int64_t fresh_ms) = 0;
};

// Staff accounts (agents and editors) and their login sessions.
class StaffStore {
 public:
  virtual ~StaffStore() = default;
  virtual void upsert_agent(const Agent& a) = 0;
  virtual std::optional<Agent> find_agent(const std::string& email_or_id) = 0;
  virtual std::vector<Agent> agents() = 0;  // by email
  // Removes the account and its sessions; false if there was none.
  virtual bool delete_agent(const std::string& id) = 0;
  virtual void create_agent_session(const AgentSession& s) = 0;
  virtual std::optional<AgentSession> find_agent_session(const std::string& token_hash, std::int64_t now_ms) = 0;
  virtual void delete_agent_session(const std::string& token_hash) = 0;
  virtual void delete_agent_sessions(const std::string& agent_id) = 0;  // a new password logs everyone out
};

// Events for other systems (a helpdesk), kept until they are acknowledged.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  virtual void enqueue_event(const OutboundEvent& e) = 0;
  // Claims up to `limit` events that are due, oldest first, for `lease_ms`:
  // until then (or until event_attempted) no other caller, on this server or
  // another, is given them; a server that dies holding them lets them go
  // when the lease runs out.
  virtual std::vector<OutboundEvent> claim_due_events(std::int64_t now_ms, std::int64_t lease_ms, size_t limit) = 0;
  virtual void event_attempted(std::int64_t id, bool delivered, std::int64_t now_ms, std::int64_t next_attempt_ms,
                               const std::string& error) = 0;
};

// Everything the server keeps, in one database: each service sees only the
// narrow interface of its concern.
class Store : public FlowStore, public ChatStore, public StaffStore, public OutboxStore {};

// The embedded default: one SQLite file, created and migrated on open.
std::unique_ptr<Store> open_sqlite_store(const std::string& path);

// Several servers sharing state: a PostgreSQL database (a postgresql:// URL
// or libpq's key=value words), its tables created or migrated on open;
// `connections` is the pool's size. Throws PgError naming what went wrong.
std::unique_ptr<Store> open_postgres_store(const std::string& conninfo, std::size_t connections = 8);

// What `--database` names: "sqlite:" (the default: firstfix.db in
// `data_dir`) or a postgresql:// URL. Throws std::invalid_argument for
// anything else, naming the flag.
std::unique_ptr<Store> open_store(const std::string& database, const std::string& data_dir, std::size_t connections = 8);
bool is_sqlite_database(const std::string& database);

}  // namespace firstfix::server
