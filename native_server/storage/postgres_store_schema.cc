// The PostgreSQL store's tables: the SQLite store's (sqlite_store_schema.cc)
// in PostgreSQL's words, applied by PgConnection::migrate under an
// advisory lock. Appended to, never edited: servers of the previous
// release may still be running against the same database.
#include "native_server/storage/postgres_store.h"

namespace firstfix::server {

const std::vector<std::string>& postgres_store_migrations() {
  static const std::vector<std::string> migrations = {
      R"(CREATE TABLE flow_sessions (
           id TEXT PRIMARY KEY,
           flow_id TEXT NOT NULL,
           state TEXT NOT NULL,
           context TEXT NOT NULL DEFAULT '{}',
           version BIGINT NOT NULL,
           created_ms BIGINT NOT NULL,
           updated_ms BIGINT NOT NULL);
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
           seq BIGSERIAL PRIMARY KEY,
           at_ms BIGINT NOT NULL,
           flow_id TEXT NOT NULL,
           session_id TEXT NOT NULL,
           step TEXT NOT NULL,
           connector TEXT NOT NULL,
           idempotency_key TEXT NOT NULL,
           input TEXT NOT NULL,
           outcome TEXT NOT NULL,
           error TEXT NOT NULL,
           duration_ms BIGINT NOT NULL,
           replayed BOOLEAN NOT NULL);
         CREATE INDEX audit_by_session ON audit_log(session_id, seq);
         CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
         CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
           FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
         CREATE TABLE uploads (
           id TEXT PRIMARY KEY,
           session_id TEXT NOT NULL REFERENCES flow_sessions(id),
           content_type TEXT NOT NULL,
           sha256 TEXT NOT NULL,
           size BIGINT NOT NULL,
           data BYTEA NOT NULL,
           created_ms BIGINT NOT NULL);
         CREATE INDEX uploads_by_session ON uploads(session_id);
         CREATE TABLE conversations (
           id TEXT PRIMARY KEY,
           customer_key_hash TEXT NOT NULL,
           state TEXT NOT NULL CHECK (state IN ('queued', 'active', 'closed', 'ticket')),
           locale TEXT NOT NULL,
           packet TEXT NOT NULL,
           agent_id TEXT NOT NULL DEFAULT '',
           disposition TEXT NOT NULL DEFAULT '',
           reason_code TEXT NOT NULL DEFAULT '',
           created_ms BIGINT NOT NULL,
           updated_ms BIGINT NOT NULL);
         CREATE INDEX conversations_by_state ON conversations(state, created_ms, id);
         CREATE TABLE chat_attachments (
           id TEXT PRIMARY KEY,
           conversation_id TEXT NOT NULL REFERENCES conversations(id),
           content_type TEXT NOT NULL,
           sha256 TEXT NOT NULL,
           size BIGINT NOT NULL,
           width INTEGER NOT NULL,
           height INTEGER NOT NULL,
           data BYTEA NOT NULL,
           created_ms BIGINT NOT NULL);
         CREATE INDEX chat_attachments_by_conversation ON chat_attachments(conversation_id, created_ms);
         CREATE TABLE messages (
           conversation_id TEXT NOT NULL REFERENCES conversations(id),
           seq BIGINT NOT NULL,
           sender TEXT NOT NULL,
           author TEXT NOT NULL,
           body TEXT NOT NULL,
           client_id TEXT NOT NULL,
           created_ms BIGINT NOT NULL,
           attachment_id TEXT REFERENCES chat_attachments(id),
           PRIMARY KEY (conversation_id, seq),
           UNIQUE (conversation_id, sender, client_id));
         CREATE TABLE agents (
           id TEXT PRIMARY KEY,
           email TEXT NOT NULL UNIQUE,
           name TEXT NOT NULL,
           password_hash TEXT NOT NULL,
           role TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'editor')));
         CREATE TABLE agent_sessions (
           token_hash TEXT PRIMARY KEY,
           agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
           csrf TEXT NOT NULL,
           expires_ms BIGINT NOT NULL);
         CREATE INDEX agent_sessions_by_agent ON agent_sessions(agent_id);
         CREATE TABLE outbound_events (
           id BIGSERIAL PRIMARY KEY,
           kind TEXT NOT NULL,
           key TEXT NOT NULL UNIQUE,
           payload TEXT NOT NULL,
           attempts INTEGER NOT NULL DEFAULT 0,
           next_attempt_ms BIGINT NOT NULL,
           delivered_ms BIGINT NOT NULL DEFAULT 0,
           last_error TEXT NOT NULL DEFAULT '');
         CREATE INDEX outbound_due ON outbound_events(next_attempt_ms, id) WHERE delivered_ms = 0;
         CREATE TABLE chat_presence (
           server_id TEXT PRIMARY KEY,
           agents INTEGER NOT NULL,
           seen_ms BIGINT NOT NULL);
         CREATE TABLE action_claims (
           key TEXT PRIMARY KEY,
           until_ms BIGINT NOT NULL);)",
      "ALTER TABLE flow_sessions ADD COLUMN flow_version TEXT NOT NULL DEFAULT '';",
  };
  return migrations;
}

}  // namespace firstfix::server
