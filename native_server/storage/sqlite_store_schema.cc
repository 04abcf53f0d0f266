#include "native_server/storage/sqlite_store_schema.h"

namespace firstfix::server {

const std::vector<std::string>& store_migrations() {
  static const std::vector<std::string> migrations = {
    R"(CREATE TABLE flow_sessions (
         id TEXT PRIMARY KEY,
         flow_id TEXT NOT NULL,
         state TEXT NOT NULL,
         version INTEGER NOT NULL,
         created_ms INTEGER NOT NULL,
         updated_ms INTEGER NOT NULL);
       CREATE TABLE replies (
         session_id TEXT NOT NULL REFERENCES flow_sessions(id),
         reply_key TEXT NOT NULL,
         reply TEXT NOT NULL,
         PRIMARY KEY (session_id, reply_key));
       CREATE TABLE actions (
         key TEXT PRIMARY KEY,
         outcome TEXT NOT NULL,
         data TEXT NOT NULL);
       CREATE TABLE audit_log (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         at_ms INTEGER NOT NULL,
         flow_id TEXT NOT NULL,
         session_id TEXT NOT NULL,
         step TEXT NOT NULL,
         connector TEXT NOT NULL,
         idempotency_key TEXT NOT NULL,
         input TEXT NOT NULL,
         outcome TEXT NOT NULL,
         error TEXT NOT NULL,
         duration_ms INTEGER NOT NULL,
         replayed INTEGER NOT NULL);
       CREATE INDEX audit_by_session ON audit_log(session_id, seq);
       CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
       CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;)",
    "ALTER TABLE flow_sessions ADD COLUMN context TEXT NOT NULL DEFAULT '{}';",
    R"(CREATE TABLE uploads (
         id TEXT PRIMARY KEY,
         session_id TEXT NOT NULL REFERENCES flow_sessions(id),
         content_type TEXT NOT NULL,
         sha256 TEXT NOT NULL,
         size INTEGER NOT NULL,
         data BLOB NOT NULL,
         created_ms INTEGER NOT NULL);)",
    R"(CREATE TABLE conversations (
         id TEXT PRIMARY KEY,
         customer_key_hash TEXT NOT NULL,
         state TEXT NOT NULL CHECK (state IN ('queued', 'active', 'closed', 'ticket')),
         locale TEXT NOT NULL,
         packet TEXT NOT NULL,
         agent_id TEXT NOT NULL DEFAULT '',
         disposition TEXT NOT NULL DEFAULT '',
         reason_code TEXT NOT NULL DEFAULT '',
         created_ms INTEGER NOT NULL,
         updated_ms INTEGER NOT NULL);
       CREATE INDEX conversations_by_state ON conversations(state, created_ms);
       CREATE TABLE messages (
         conversation_id TEXT NOT NULL REFERENCES conversations(id),
         seq INTEGER NOT NULL,
         sender TEXT NOT NULL,
         author TEXT NOT NULL,
         body TEXT NOT NULL,
         client_id TEXT NOT NULL,
         created_ms INTEGER NOT NULL,
         PRIMARY KEY (conversation_id, seq),
         UNIQUE (conversation_id, sender, client_id));
       CREATE TABLE agents (
         id TEXT PRIMARY KEY,
         email TEXT NOT NULL UNIQUE,
         name TEXT NOT NULL,
         password_hash TEXT NOT NULL);
       CREATE TABLE agent_sessions (
         token_hash TEXT PRIMARY KEY,
         agent_id TEXT NOT NULL REFERENCES agents(id),
         csrf TEXT NOT NULL,
         expires_ms INTEGER NOT NULL);)",
    R"(CREATE TABLE outbound_events (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         kind TEXT NOT NULL,
         key TEXT NOT NULL UNIQUE,
         payload TEXT NOT NULL,
         attempts INTEGER NOT NULL DEFAULT 0,
         next_attempt_ms INTEGER NOT NULL,
         delivered_ms INTEGER NOT NULL DEFAULT 0,
         last_error TEXT NOT NULL DEFAULT '');
       CREATE INDEX outbound_due ON outbound_events(delivered_ms, next_attempt_ms);)",
    R"(CREATE TABLE chat_attachments (
         id TEXT PRIMARY KEY,
         conversation_id TEXT NOT NULL REFERENCES conversations(id),
         content_type TEXT NOT NULL,
         sha256 TEXT NOT NULL,
         size INTEGER NOT NULL,
         width INTEGER NOT NULL,
         height INTEGER NOT NULL,
         data BLOB NOT NULL,
         created_ms INTEGER NOT NULL);
       CREATE INDEX chat_attachments_by_conversation ON chat_attachments(conversation_id, created_ms);
       ALTER TABLE messages ADD COLUMN attachment_id TEXT REFERENCES chat_attachments(id);)",
    "ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'editor'));",
    "CREATE TABLE chat_presence (server_id TEXT PRIMARY KEY, agents INTEGER NOT NULL, seen_ms INTEGER NOT NULL);",
    "CREATE TABLE action_claims (key TEXT PRIMARY KEY, until_ms INTEGER NOT NULL);",
    "ALTER TABLE flow_sessions ADD COLUMN flow_version TEXT NOT NULL DEFAULT '';",
};
  return migrations;
}

}  // namespace firstfix::server
