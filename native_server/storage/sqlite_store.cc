// The embedded store: SQLite in WAL mode. One connection behind a mutex:
// SQLite serializes writers anyway, and the server's worker pool is small.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "native_server/storage/sqlite_schema.h"
#include "native_server/storage/sqlite_store_schema.h"
#include "native_server/storage/store.h"

namespace firstfix::server {
namespace {

using nlohmann::json;

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : db_(open_sqlite(path, store_migrations())) {}

  void create_session(const StoredSession& s) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "INSERT INTO flow_sessions (id, flow_id, state, version, created_ms, updated_ms, context, flow_version) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, s.id);
    q.bind(2, s.flow_id);
    q.bind(3, s.state.dump());
    q.bind(4, static_cast<int64_t>(s.version));
    q.bind(5, static_cast<int64_t>(s.created_ms));
    q.bind(6, static_cast<int64_t>(s.updated_ms));
    q.bind(7, s.context.dump());
    q.bind(8, s.flow_version);
    q.exec();
  }

  std::optional<StoredSession> find_session(const std::string& id) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT flow_id, state, version, created_ms, updated_ms, context, flow_version FROM flow_sessions WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    StoredSession s;
    s.id = id;
    s.flow_id = q.getColumn(0).getString();
    s.state = json::parse(q.getColumn(1).getString());
    s.version = q.getColumn(2).getInt64();
    s.created_ms = q.getColumn(3).getInt64();
    s.updated_ms = q.getColumn(4).getInt64();
    s.context = json::parse(q.getColumn(5).getString());
    s.flow_version = q.getColumn(6).getString();
    return s;
  }

  bool update_session(const std::string& id, const json& state, int64_t expected_version, int64_t now_ms,
                      const std::string& reply_key, const json& reply) override {
    std::lock_guard lock(mu_);
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(db_, "UPDATE flow_sessions SET state = ?, version = version + 1, updated_ms = ? WHERE id = ? AND version = ?");
    q.bind(1, state.dump());
    q.bind(2, static_cast<int64_t>(now_ms));
    q.bind(3, id);
    q.bind(4, static_cast<int64_t>(expected_version));
    if (q.exec() != 1) return false;
    if (!reply_key.empty()) {
      SQLite::Statement r(db_, "INSERT INTO replies VALUES (?, ?, ?)");
      r.bind(1, id);
      r.bind(2, reply_key);
      r.bind(3, reply.dump());
      r.exec();
    }
    tx.commit();
    return true;
  }

  std::optional<json> find_reply(const std::string& session_id, const std::string& reply_key) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT reply FROM replies WHERE session_id = ? AND reply_key = ?");
    q.bind(1, session_id);
    q.bind(2, reply_key);
    if (!q.executeStep()) return std::nullopt;
    return json::parse(q.getColumn(0).getString());
  }

  std::optional<ActionRecord> find_action(const std::string& key) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT outcome, data FROM actions WHERE key = ?");
    q.bind(1, key);
    if (!q.executeStep()) return std::nullopt;
    return ActionRecord{key, q.getColumn(0).getString(), json::parse(q.getColumn(1).getString())};
  }

  bool claim_action(const std::string& key, std::int64_t now_ms, std::int64_t until_ms) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "INSERT INTO action_claims VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET until_ms = excluded.until_ms "
                             "WHERE action_claims.until_ms <= ? RETURNING key");
    q.bind(1, key);
    q.bind(2, static_cast<int64_t>(until_ms));
    q.bind(3, static_cast<int64_t>(now_ms));
    return q.executeStep();
  }

  void release_action(const std::string& key) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "DELETE FROM action_claims WHERE key = ?");
    q.bind(1, key);
    q.exec();
  }

  void record_action(const ActionRecord& a, const AuditEntry& audit) override {
    std::lock_guard lock(mu_);
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(db_, "INSERT OR IGNORE INTO actions VALUES (?, ?, ?)");
    q.bind(1, a.key);
    q.bind(2, a.outcome);
    q.bind(3, a.data.dump());
    q.exec();
    insert_audit(audit);
    tx.commit();
  }

  void append_audit(const AuditEntry& audit) override {
    std::lock_guard lock(mu_);
    insert_audit(audit);
  }

  void create_upload(const Upload& u) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, u.id);
    q.bind(2, u.session_id);
    q.bind(3, u.content_type);
    q.bind(4, u.sha256);
    q.bind(5, static_cast<int64_t>(u.bytes.size()));
    q.bindNoCopy(6, u.bytes.data(), static_cast<int>(u.bytes.size()));
    q.bind(7, static_cast<int64_t>(u.created_ms));
    q.exec();
  }

  std::size_t count_uploads(const std::string& session_id) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT count(*) FROM uploads WHERE session_id = ?");
    q.bind(1, session_id);
    q.executeStep();
    return static_cast<std::size_t>(q.getColumn(0).getInt64());
  }

  std::size_t delete_unreferenced_uploads(std::int64_t before_ms) override {
    std::lock_guard lock(mu_);
    // A photo is kept while its session's answers name it.
    SQLite::Statement q(db_, "DELETE FROM uploads WHERE created_ms < ? AND NOT EXISTS ("
                             "SELECT 1 FROM flow_sessions s WHERE s.id = uploads.session_id AND instr(s.state, uploads.id) > 0)");
    q.bind(1, static_cast<int64_t>(before_ms));
    return static_cast<std::size_t>(q.exec());
  }

  std::optional<Upload> find_upload(const std::string& id, bool with_bytes) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, std::string("SELECT session_id, content_type, sha256, created_ms") + (with_bytes ? ", data" : "") +
                                 " FROM uploads WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    Upload u;
    u.id = id;
    u.session_id = q.getColumn(0).getString();
    u.content_type = q.getColumn(1).getString();
    u.sha256 = q.getColumn(2).getString();
    u.created_ms = q.getColumn(3).getInt64();
    if (with_bytes) {
      const auto blob = q.getColumn(4);
      u.bytes.assign(static_cast<const char*>(blob.getBlob()), static_cast<size_t>(blob.getBytes()));
    }
    return u;
  }

  void create_conversation(const ChatConversation& c) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    bind_conversation(q, c);
    q.exec();
  }

  std::optional<ChatConversation> find_conversation(const std::string& id) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT * FROM conversations WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    return read_conversation(q);
  }

  std::vector<ChatConversation> conversations(const std::string& state, size_t limit) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT * FROM conversations WHERE state = ? ORDER BY created_ms, id LIMIT ?");
    q.bind(1, state);
    q.bind(2, static_cast<int64_t>(limit));
    std::vector<ChatConversation> out;
    while (q.executeStep()) out.push_back(read_conversation(q));
    return out;
  }

  bool change_conversation(const std::string& id, const std::string& from_state, const ChatConversation& to) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "UPDATE conversations SET state = ?, agent_id = ?, disposition = ?, reason_code = ?, updated_ms = ?, packet = ? "
                             "WHERE id = ? AND state = ?");
    q.bind(1, to.state);
    q.bind(2, to.agent_id);
    q.bind(3, to.disposition);
    q.bind(4, to.reason_code);
    q.bind(5, static_cast<int64_t>(to.updated_ms));
    q.bind(6, to.packet.dump());
    q.bind(7, id);
    q.bind(8, from_state);
    return q.exec() == 1;
  }

  ChatMessage append_message(const ChatMessage& m, const ChatAttachment* photo) override {
    std::lock_guard lock(mu_);
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement seen(db_, "SELECT seq FROM messages WHERE conversation_id = ? AND sender = ? AND client_id = ?");
    seen.bind(1, m.conversation_id);
    seen.bind(2, m.sender);
    seen.bind(3, m.client_id);
    if (seen.executeStep()) {
      const int64_t seq = seen.getColumn(0).getInt64();
      seen.reset();
      ChatMessage stored = select_messages("AND seq = ?", m.conversation_id, seq, 1).at(0);
      stored.repeated = true;
      return stored;
    }
    SQLite::Statement next(db_, "SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE conversation_id = ?");
    next.bind(1, m.conversation_id);
    next.executeStep();
    ChatMessage out = m;
    out.seq = next.getColumn(0).getInt64();
    if (photo) {
      SQLite::Statement a(db_, "INSERT INTO chat_attachments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      a.bind(1, photo->id);
      a.bind(2, photo->conversation_id);
      a.bind(3, photo->content_type);
      a.bind(4, photo->sha256);
      a.bind(5, static_cast<int64_t>(photo->bytes.size()));
      a.bind(6, photo->width);
      a.bind(7, photo->height);
      a.bindNoCopy(8, photo->bytes.data(), static_cast<int>(photo->bytes.size()));
      a.bind(9, static_cast<int64_t>(photo->created_ms));
      a.exec();
      out.attachment = attachment_json(photo->id, photo->content_type, static_cast<int64_t>(photo->bytes.size()), photo->width, photo->height);
    }
    SQLite::Statement q(db_, "INSERT INTO messages (conversation_id, seq, sender, author, body, client_id, created_ms, attachment_id) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, m.conversation_id);
    q.bind(2, static_cast<int64_t>(out.seq));
    q.bind(3, m.sender);
    q.bind(4, m.author);
    q.bind(5, m.body);
    q.bind(6, m.client_id);
    q.bind(7, static_cast<int64_t>(m.created_ms));
    if (photo) q.bind(8, photo->id);
    else q.bind(8);
    q.exec();
    tx.commit();
    return out;
  }

  std::vector<ChatMessage> messages_after(const std::string& conversation_id, int64_t after_seq, size_t limit) override {
    std::lock_guard lock(mu_);
    return select_messages("AND seq > ?", conversation_id, after_seq, limit);
  }

  std::optional<ChatAttachment> find_attachment(const std::string& id, bool with_bytes) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, std::string("SELECT conversation_id, content_type, sha256, size, width, height, created_ms") +
                                 (with_bytes ? ", data" : "") + " FROM chat_attachments WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    ChatAttachment a;
    a.id = id;
    a.conversation_id = q.getColumn(0).getString();
    a.content_type = q.getColumn(1).getString();
    a.sha256 = q.getColumn(2).getString();
    a.size = q.getColumn(3).getInt64();
    a.width = q.getColumn(4).getInt();
    a.height = q.getColumn(5).getInt();
    a.created_ms = q.getColumn(6).getInt64();
    if (with_bytes) {
      const auto blob = q.getColumn(7);
      a.bytes.assign(static_cast<const char*>(blob.getBlob()), static_cast<size_t>(blob.getBytes()));
    }
    return a;
  }

  size_t count_attachments(const std::string& conversation_id, std::int64_t since_ms) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT count(*) FROM chat_attachments WHERE conversation_id = ? AND created_ms >= ?");
    q.bind(1, conversation_id);
    q.bind(2, static_cast<int64_t>(since_ms));
    q.executeStep();
    return static_cast<size_t>(q.getColumn(0).getInt64());
  }

  void set_presence(const std::string& server_id, std::size_t agents, std::int64_t now_ms) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "INSERT INTO chat_presence VALUES (?, ?, ?) ON CONFLICT(server_id) DO UPDATE SET agents = excluded.agents, seen_ms = excluded.seen_ms");
    q.bind(1, server_id);
    q.bind(2, static_cast<int64_t>(agents));
    q.bind(3, static_cast<int64_t>(now_ms));
    q.exec();
  }

  std::size_t agents_online(std::int64_t now_ms, std::int64_t fresh_ms) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT coalesce(sum(agents), 0) FROM chat_presence WHERE seen_ms > ?");
    q.bind(1, static_cast<int64_t>(now_ms - fresh_ms));
    q.executeStep();
    return static_cast<std::size_t>(q.getColumn(0).getInt64());
  }

  void upsert_agent(const Agent& a) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "INSERT INTO agents (id, email, name, password_hash, role) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                             "email = excluded.email, name = excluded.name, password_hash = excluded.password_hash, role = excluded.role");
    q.bind(1, a.id);
    q.bind(2, a.email);
    q.bind(3, a.name);
    q.bind(4, a.password_hash);
    q.bind(5, a.role);
    q.exec();
  }

  std::optional<Agent> find_agent(const std::string& email_or_id) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT id, email, name, password_hash, role FROM agents WHERE email = ? OR id = ?");
    q.bind(1, email_or_id);
    q.bind(2, email_or_id);
    if (!q.executeStep()) return std::nullopt;
    return Agent{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(), q.getColumn(3).getString(),
                 q.getColumn(4).getString()};
  }

  std::vector<Agent> agents() override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT id, email, name, password_hash, role FROM agents ORDER BY email");
    std::vector<Agent> out;
    while (q.executeStep())
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(), q.getColumn(3).getString(),
                     q.getColumn(4).getString()});
    return out;
  }

  bool delete_agent(const std::string& id) override {
    std::lock_guard lock(mu_);
    SQLite::Transaction t(db_);
    SQLite::Statement sessions(db_, "DELETE FROM agent_sessions WHERE agent_id = ?");
    sessions.bind(1, id);
    sessions.exec();
    SQLite::Statement q(db_, "DELETE FROM agents WHERE id = ?");
    q.bind(1, id);
    const bool deleted = q.exec() > 0;
    t.commit();
    return deleted;
  }

  void delete_agent_sessions(const std::string& agent_id) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "DELETE FROM agent_sessions WHERE agent_id = ?");
    q.bind(1, agent_id);
    q.exec();
  }

  void create_agent_session(const AgentSession& s) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "INSERT INTO agent_sessions VALUES (?, ?, ?, ?)");
    q.bind(1, s.token_hash);
    q.bind(2, s.agent_id);
    q.bind(3, s.csrf);
    q.bind(4, static_cast<int64_t>(s.expires_ms));
    q.exec();
  }

  std::optional<AgentSession> find_agent_session(const std::string& token_hash, int64_t now_ms) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT agent_id, csrf, expires_ms FROM agent_sessions WHERE token_hash = ? AND expires_ms > ?");
    q.bind(1, token_hash);
    q.bind(2, static_cast<int64_t>(now_ms));
    if (!q.executeStep()) return std::nullopt;
    return AgentSession{token_hash, q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64()};
  }

  void delete_agent_session(const std::string& token_hash) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "DELETE FROM agent_sessions WHERE token_hash = ?");
    q.bind(1, token_hash);
    q.exec();
  }

  void enqueue_event(const OutboundEvent& e) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "INSERT OR IGNORE INTO outbound_events (kind, key, payload, next_attempt_ms) VALUES (?, ?, ?, ?)");
    q.bind(1, e.kind);
    q.bind(2, e.key);
    q.bind(3, e.payload.dump());
    q.bind(4, static_cast<int64_t>(e.next_attempt_ms));
    q.exec();
  }

  std::vector<OutboundEvent> claim_due_events(int64_t now_ms, int64_t lease_ms, size_t limit) override {
    std::lock_guard lock(mu_);
    // The lease is the next attempt's time: one writer at a time, so an UPDATE ... RETURNING claims them.
    SQLite::Statement q(db_, "UPDATE outbound_events SET next_attempt_ms = ? WHERE id IN (SELECT id FROM outbound_events "
                             "WHERE delivered_ms = 0 AND next_attempt_ms <= ? ORDER BY id LIMIT ?) "
                             "RETURNING id, kind, key, payload, attempts, next_attempt_ms, last_error");
    q.bind(1, static_cast<int64_t>(now_ms + lease_ms));
    q.bind(2, static_cast<int64_t>(now_ms));
    q.bind(3, static_cast<int64_t>(limit));
    std::vector<OutboundEvent> out;
    while (q.executeStep()) {
      OutboundEvent e;
      e.id = q.getColumn(0).getInt64();
      e.kind = q.getColumn(1).getString();
      e.key = q.getColumn(2).getString();
      e.payload = json::parse(q.getColumn(3).getString());
      e.attempts = q.getColumn(4).getInt();
      e.next_attempt_ms = q.getColumn(5).getInt64();
      e.last_error = q.getColumn(6).getString();
      out.push_back(std::move(e));
    }
    std::sort(out.begin(), out.end(), [](const OutboundEvent& a, const OutboundEvent& b) { return a.id < b.id; });
    return out;
  }

  void event_attempted(int64_t id, bool delivered, int64_t now_ms, int64_t next_attempt_ms, const std::string& error) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "UPDATE outbound_events SET attempts = attempts + 1, delivered_ms = ?, next_attempt_ms = ?, last_error = ? WHERE id = ?");
    q.bind(1, static_cast<int64_t>(delivered ? now_ms : 0));
    q.bind(2, static_cast<int64_t>(next_attempt_ms));
    q.bind(3, error);
    q.bind(4, static_cast<int64_t>(id));
    q.exec();
  }

  std::vector<AuditEntry> audit_log(const std::string& session_id, size_t limit) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_,
                        "SELECT at_ms, flow_id, session_id, step, connector, idempotency_key, input, outcome, error, "
                        "duration_ms, replayed FROM audit_log WHERE ? = '' OR session_id = ? ORDER BY seq DESC LIMIT ?");
    q.bind(1, session_id);
    q.bind(2, session_id);
    q.bind(3, static_cast<int64_t>(limit));
    std::vector<AuditEntry> out;
    while (q.executeStep()) {
      AuditEntry e;
      e.at_ms = q.getColumn(0).getInt64();
      e.flow_id = q.getColumn(1).getString();
      e.session_id = q.getColumn(2).getString();
      e.step = q.getColumn(3).getString();
      e.connector = q.getColumn(4).getString();
      e.idempotency_key = q.getColumn(5).getString();
      e.input = json::parse(q.getColumn(6).getString());
      e.outcome = q.getColumn(7).getString();
      e.error = q.getColumn(8).getString();
      e.duration_ms = q.getColumn(9).getInt64();
      e.replayed = q.getColumn(10).getInt() != 0;
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  static nlohmann::json attachment_json(const std::string& id, const std::string& type, int64_t size, int width, int height) {
    return {{"id", id}, {"content_type", type}, {"size", size}, {"width", width}, {"height", height}};
  }

  // Messages of a conversation with their photos; `where` narrows by seq. Call with mu_ held.
  std::vector<ChatMessage> select_messages(const std::string& where, const std::string& conversation_id, int64_t seq, size_t limit) {
    SQLite::Statement q(db_, "SELECT m.seq, m.sender, m.author, m.body, m.client_id, m.created_ms, a.id, a.content_type, a.size, a.width, a.height "
                             "FROM messages m LEFT JOIN chat_attachments a ON a.id = m.attachment_id "
                             "WHERE m.conversation_id = ? " + where + " ORDER BY m.seq LIMIT ?");
    q.bind(1, conversation_id);
    q.bind(2, static_cast<int64_t>(seq));
    q.bind(3, static_cast<int64_t>(limit));
    std::vector<ChatMessage> out;
    while (q.executeStep()) {
      ChatMessage m{q.getColumn(0).getInt64(), conversation_id, q.getColumn(1).getString(), q.getColumn(2).getString(),
                    q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getInt64()};
      if (!q.getColumn(6).isNull())
        m.attachment = attachment_json(q.getColumn(6).getString(), q.getColumn(7).getString(), q.getColumn(8).getInt64(),
                                       q.getColumn(9).getInt(), q.getColumn(10).getInt());
      out.push_back(std::move(m));
    }
    return out;
  }

  void insert_audit(const AuditEntry& e) {
    SQLite::Statement q(db_,
                        "INSERT INTO audit_log (at_ms, flow_id, session_id, step, connector, idempotency_key, input, "
                        "outcome, error, duration_ms, replayed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, static_cast<int64_t>(e.at_ms));
    q.bind(2, e.flow_id);
    q.bind(3, e.session_id);
    q.bind(4, e.step);
    q.bind(5, e.connector);
    q.bind(6, e.idempotency_key);
    q.bind(7, e.input.dump());
    q.bind(8, e.outcome);
    q.bind(9, e.error);
    q.bind(10, static_cast<int64_t>(e.duration_ms));
    q.bind(11, e.replayed ? 1 : 0);
    q.exec();
  }

  static void bind_conversation(SQLite::Statement& q, const ChatConversation& c) {
    q.bind(1, c.id);
    q.bind(2, c.customer_key_hash);
    q.bind(3, c.state);
    q.bind(4, c.locale);
    q.bind(5, c.packet.dump());
    q.bind(6, c.agent_id);
    q.bind(7, c.disposition);
    q.bind(8, c.reason_code);
    q.bind(9, static_cast<int64_t>(c.created_ms));
    q.bind(10, static_cast<int64_t>(c.updated_ms));
  }

  static ChatConversation read_conversation(SQLite::Statement& q) {
    ChatConversation c;
    c.id = q.getColumn(0).getString();
    c.customer_key_hash = q.getColumn(1).getString();
    c.state = q.getColumn(2).getString();
    c.locale = q.getColumn(3).getString();
    c.packet = json::parse(q.getColumn(4).getString());
    c.agent_id = q.getColumn(5).getString();
    c.disposition = q.getColumn(6).getString();
    c.reason_code = q.getColumn(7).getString();
    c.created_ms = q.getColumn(8).getInt64();
    c.updated_ms = q.getColumn(9).getInt64();
    return c;
  }

  std::mutex mu_;
  SQLite::Database db_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) { return std::make_unique<SqliteStore>(path); }

}  // namespace firstfix::server
