// Flow sessions, their replies, the action journal, the audit log and
// step uploads in PostgreSQL. A session's version is compared in the
// UPDATE itself: of two servers answering the same step, one updates the
// row and the other, waiting on its lock, finds the version moved on.
#include "native_server/storage/postgres_store.h"

namespace firstfix::server {

using nlohmann::json;

PostgresStore::PostgresStore(const std::string& conninfo, std::size_t connections) : pool_(conninfo, connections) {
  pool_.acquire()->migrate("store", postgres_store_migrations());
}

std::unique_ptr<Store> open_postgres_store(const std::string& conninfo, std::size_t connections) {
  return std::make_unique<PostgresStore>(conninfo, connections);
}

void PostgresStore::create_session(const StoredSession& s) {
  pool_.acquire()->exec(
      "INSERT INTO flow_sessions (id, flow_id, state, context, version, created_ms, updated_ms, flow_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {s.id, s.flow_id, s.state.dump(), s.context.dump(), s.version, s.created_ms, s.updated_ms, s.flow_version});
}

std::optional<StoredSession> PostgresStore::find_session(const std::string& id) {
  const PgResult r = pool_.acquire()->exec(
      "SELECT flow_id, state, version, created_ms, updated_ms, context, flow_version FROM flow_sessions WHERE id = $1", {id});
  if (!r.rows()) return std::nullopt;
  StoredSession s;
  s.id = id;
  s.flow_id = r.text(0, 0);
  s.state = json::parse(r.text(0, 1));
  s.version = r.int64(0, 2);
  s.created_ms = r.int64(0, 3);
  s.updated_ms = r.int64(0, 4);
  s.context = json::parse(r.text(0, 5));
  s.flow_version = r.text(0, 6);
  return s;
}

bool PostgresStore::update_session(const std::string& id, const json& state, std::int64_t expected_version, std::int64_t now_ms,
                                   const std::string& reply_key, const json& reply) {
  // One statement, so one round trip and its own transaction: the reply is
  // remembered only if the session moved on.
  return pool_.acquire()
             ->exec("WITH updated AS (UPDATE flow_sessions SET state = $1, version = version + 1, updated_ms = $2 "
                    "WHERE id = $3 AND version = $4 RETURNING id), "
                    "remembered AS (INSERT INTO replies SELECT id, $5, $6 FROM updated WHERE $5 <> '') "
                    "SELECT count(*) FROM updated",
                    {state.dump(), now_ms, id, expected_version, reply_key, reply.dump()})
             .int64(0, 0) == 1;
}

std::optional<json> PostgresStore::find_reply(const std::string& session_id, const std::string& reply_key) {
  const PgResult r = pool_.acquire()->exec("SELECT reply FROM replies WHERE session_id = $1 AND reply_key = $2", {session_id, reply_key});
  if (!r.rows()) return std::nullopt;
  return json::parse(r.text(0, 0));
}

std::optional<ActionRecord> PostgresStore::find_action(const std::string& key) {
  const PgResult r = pool_.acquire()->exec("SELECT outcome, data FROM actions WHERE key = $1", {key});
  if (!r.rows()) return std::nullopt;
  return ActionRecord{key, r.text(0, 0), json::parse(r.text(0, 1))};
}

bool PostgresStore::claim_action(const std::string& key, std::int64_t now_ms, std::int64_t until_ms) {
  // Taken if nobody holds it, or if the holder's claim ran out (it died mid-action).
  return pool_.acquire()
             ->exec("INSERT INTO action_claims VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET until_ms = excluded.until_ms "
                    "WHERE action_claims.until_ms <= $3 RETURNING key",
                    {key, until_ms, now_ms})
             .rows() == 1;
}

void PostgresStore::release_action(const std::string& key) { pool_.acquire()->exec("DELETE FROM action_claims WHERE key = $1", {key}); }

namespace {

const char* const kInsertAudit =
    "INSERT INTO audit_log (at_ms, flow_id, session_id, step, connector, idempotency_key, input, outcome, error, duration_ms, replayed) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

std::vector<PgParam> audit_params(const AuditEntry& e) {
  return {e.at_ms, e.flow_id, e.session_id, e.step, e.connector, e.idempotency_key, e.input.dump(), e.outcome, e.error, e.duration_ms,
          e.replayed ? "true" : "false"};
}

}  // namespace

void PostgresStore::record_action(const ActionRecord& a, const AuditEntry& audit) {
  // The journal entry and its audit line in one statement (one round trip, one transaction).
  std::vector<PgParam> params = audit_params(audit);
  params.insert(params.end(), {a.key, a.outcome, a.data.dump()});
  pool_.acquire()->exec(
      std::string("WITH journaled AS (INSERT INTO actions VALUES ($12, $13, $14) ON CONFLICT (key) DO NOTHING) ") + kInsertAudit, params);
}

void PostgresStore::append_audit(const AuditEntry& audit) { pool_.acquire()->exec(kInsertAudit, audit_params(audit)); }

std::vector<AuditEntry> PostgresStore::audit_log(const std::string& session_id, size_t limit) {
  const PgResult r = pool_.acquire()->exec(
      "SELECT at_ms, flow_id, session_id, step, connector, idempotency_key, input, outcome, error, duration_ms, replayed "
      "FROM audit_log WHERE $1 = '' OR session_id = $1 ORDER BY seq DESC LIMIT $2",
      {session_id, static_cast<std::int64_t>(limit)});
  std::vector<AuditEntry> out;
  for (int i = 0; i < r.rows(); ++i) {
    AuditEntry e;
    e.at_ms = r.int64(i, 0);
    e.flow_id = r.text(i, 1);
    e.session_id = r.text(i, 2);
    e.step = r.text(i, 3);
    e.connector = r.text(i, 4);
    e.idempotency_key = r.text(i, 5);
    e.input = json::parse(r.text(i, 6));
    e.outcome = r.text(i, 7);
    e.error = r.text(i, 8);
    e.duration_ms = r.int64(i, 9);
    e.replayed = r.text(i, 10) == "t";
    out.push_back(std::move(e));
  }
  return out;
}

void PostgresStore::create_upload(const Upload& u) {
  pool_.acquire()->exec("INSERT INTO uploads VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        {u.id, u.session_id, u.content_type, u.sha256, static_cast<std::int64_t>(u.bytes.size()), PgParam::bytes(u.bytes),
                         u.created_ms});
}

std::optional<Upload> PostgresStore::find_upload(const std::string& id, bool with_bytes) {
  const PgResult r = pool_.acquire()->exec(
      std::string("SELECT session_id, content_type, sha256, created_ms") + (with_bytes ? ", data" : "") + " FROM uploads WHERE id = $1", {id});
  if (!r.rows()) return std::nullopt;
  Upload u{id, r.text(0, 0), r.text(0, 1), r.text(0, 2), with_bytes ? r.bytes(0, 4) : std::string(), r.int64(0, 3)};
  return u;
}

std::size_t PostgresStore::count_uploads(const std::string& session_id) {
  return static_cast<std::size_t>(pool_.acquire()->exec("SELECT count(*) FROM uploads WHERE session_id = $1", {session_id}).int64(0, 0));
}

std::size_t PostgresStore::delete_unreferenced_uploads(std::int64_t before_ms) {
  // A photo is kept while its session's answers name it.
  return static_cast<std::size_t>(
      pool_.acquire()
          ->exec("DELETE FROM uploads u WHERE u.created_ms < $1 AND NOT EXISTS ("
                 "SELECT 1 FROM flow_sessions s WHERE s.id = u.session_id AND strpos(s.state, u.id) > 0)",
                 {before_ms})
          .affected());
}

}  // namespace firstfix::server
