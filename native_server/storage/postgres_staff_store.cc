// Staff accounts and their login sessions in PostgreSQL: a session made on
// one server is valid on every other.
#include "native_server/storage/postgres_store.h"

namespace firstfix::server {
namespace {

Agent agent_at(const PgResult& r, int row) { return {r.text(row, 0), r.text(row, 1), r.text(row, 2), r.text(row, 3), r.text(row, 4)}; }

}  // namespace

void PostgresStore::upsert_agent(const Agent& a) {
  pool_.acquire()->exec(
      "INSERT INTO agents (id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET "
      "email = excluded.email, name = excluded.name, password_hash = excluded.password_hash, role = excluded.role",
      {a.id, a.email, a.name, a.password_hash, a.role});
}

std::optional<Agent> PostgresStore::find_agent(const std::string& email_or_id) {
  const PgResult r = pool_.acquire()->exec("SELECT id, email, name, password_hash, role FROM agents WHERE email = $1 OR id = $1", {email_or_id});
  if (!r.rows()) return std::nullopt;
  return agent_at(r, 0);
}

std::vector<Agent> PostgresStore::agents() {
  const PgResult r = pool_.acquire()->exec("SELECT id, email, name, password_hash, role FROM agents ORDER BY email");
  std::vector<Agent> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(agent_at(r, i));
  return out;
}

bool PostgresStore::delete_agent(const std::string& id) {
  return pool_.acquire()->exec("DELETE FROM agents WHERE id = $1", {id}).affected() > 0;  // its sessions go with it (ON DELETE CASCADE)
}

void PostgresStore::create_agent_session(const AgentSession& s) {
  pool_.acquire()->exec("INSERT INTO agent_sessions VALUES ($1, $2, $3, $4)", {s.token_hash, s.agent_id, s.csrf, s.expires_ms});
}

std::optional<AgentSession> PostgresStore::find_agent_session(const std::string& token_hash, std::int64_t now_ms) {
  const PgResult r = pool_.acquire()->exec("SELECT agent_id, csrf, expires_ms FROM agent_sessions WHERE token_hash = $1 AND expires_ms > $2",
                                           {token_hash, now_ms});
  if (!r.rows()) return std::nullopt;
  return AgentSession{token_hash, r.text(0, 0), r.text(0, 1), r.int64(0, 2)};
}

void PostgresStore::delete_agent_session(const std::string& token_hash) {
  pool_.acquire()->exec("DELETE FROM agent_sessions WHERE token_hash = $1", {token_hash});
}

void PostgresStore::delete_agent_sessions(const std::string& agent_id) {
  pool_.acquire()->exec("DELETE FROM agent_sessions WHERE agent_id = $1", {agent_id});
}

}  // namespace firstfix::server
