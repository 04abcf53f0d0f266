// The PostgreSQL store (store.h's Store) for several servers sharing
// state. Private to storage/: one class, its methods in one file per
// concern (postgres_flow_store.cc, postgres_chat_store.cc,
// postgres_staff_store.cc, postgres_outbox_store.cc). Every race two
// servers can run is settled in the database, never in memory: versions
// compared in the UPDATE, rows locked with FOR UPDATE, unique keys with
// ON CONFLICT, leases claimed with FOR UPDATE SKIP LOCKED.
#pragma once

#include "native_server/storage/pg_connection.h"
#include "native_server/storage/store.h"

namespace firstfix::server {

class PostgresStore final : public Store {
 public:
  PostgresStore(const std::string& conninfo, std::size_t connections);

  // FlowStore
  void create_session(const StoredSession& session) override;
  std::optional<StoredSession> find_session(const std::string& id) override;
  bool update_session(const std::string& id, const nlohmann::json& state, std::int64_t expected_version, std::int64_t now_ms,
                      const std::string& reply_key, const nlohmann::json& reply) override;
  std::optional<nlohmann::json> find_reply(const std::string& session_id, const std::string& reply_key) override;
  std::optional<ActionRecord> find_action(const std::string& key) override;
  bool claim_action(const std::string& key, std::int64_t now_ms, std::int64_t until_ms) override;
  void release_action(const std::string& key) override;
  void record_action(const ActionRecord& action, const AuditEntry& audit) override;
  void append_audit(const AuditEntry& audit) override;
  void create_upload(const Upload& upload) override;
  std::optional<Upload> find_upload(const std::string& id, bool with_bytes) override;
  std::size_t count_uploads(const std::string& session_id) override;
  std::size_t delete_unreferenced_uploads(std::int64_t before_ms) override;
  std::vector<AuditEntry> audit_log(const std::string& session_id, size_t limit) override;

  // ChatStore
  void create_conversation(const ChatConversation& c) override;
  std::optional<ChatConversation> find_conversation(const std::string& id) override;
  std::vector<ChatConversation> conversations(const std::string& state, size_t limit) override;
  bool change_conversation(const std::string& id, const std::string& from_state, const ChatConversation& to) override;
  ChatMessage append_message(const ChatMessage& m, const ChatAttachment* photo) override;
  std::optional<ChatAttachment> find_attachment(const std::string& id, bool with_bytes) override;
  size_t count_attachments(const std::string& conversation_id, std::int64_t since_ms) override;
  std::vector<ChatMessage> messages_after(const std::string& conversation_id, std::int64_t after_seq, size_t limit) override;
  void set_presence(const std::string& server_id, std::size_t agents, std::int64_t now_ms) override;
  std::size_t agents_online(std::int64_t now_ms, std::int64_t fresh_ms) override;

  // StaffStore
  void upsert_agent(const Agent& a) override;
  std::optional<Agent> find_agent(const std::string& email_or_id) override;
  std::vector<Agent> agents() override;
  bool delete_agent(const std::string& id) override;
  void create_agent_session(const AgentSession& s) override;
  std::optional<AgentSession> find_agent_session(const std::string& token_hash, std::int64_t now_ms) override;
  void delete_agent_session(const std::string& token_hash) override;
  void delete_agent_sessions(const std::string& agent_id) override;

  // OutboxStore
  void enqueue_event(const OutboundEvent& e) override;
  std::vector<OutboundEvent> claim_due_events(std::int64_t now_ms, std::int64_t lease_ms, size_t limit) override;
  void event_attempted(std::int64_t id, bool delivered, std::int64_t now_ms, std::int64_t next_attempt_ms,
                       const std::string& error) override;

 private:
  PgPool pool_;
};

// The tables, oldest first (postgres_store_schema.cc).
const std::vector<std::string>& postgres_store_migrations();

}  // namespace firstfix::server
