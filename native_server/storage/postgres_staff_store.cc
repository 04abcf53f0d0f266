#include "native_server/storage/postgres_staff_store.h"

#include <mutex>

#include "native_server/storage/pg_connection.h"

namespace firstfix::server {
namespace {

const std::vector<std::string> kMigrations = {
    R"(CREATE TABLE agents (
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
       CREATE INDEX agent_sessions_by_agent ON agent_sessions(agent_id);)",
};

Agent agent_at(const PgResult& r, int row) { return {r.text(row, 0), r.text(row, 1), r.text(row, 2), r.text(row, 3), r.text(row, 4)}; }

// One connection behind a mutex for now; a pool comes with the stores that need one.
class PostgresStaffStore final : public StaffStore {
 public:
  explicit PostgresStaffStore(const std::string& conninfo) : db_(conninfo) { db_.migrate("staff", kMigrations); }

  void upsert_agent(const Agent& a) override {
    std::lock_guard lock(mu_);
    db_.exec("INSERT INTO agents (id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET "
             "email = excluded.email, name = excluded.name, password_hash = excluded.password_hash, role = excluded.role",
             {a.id, a.email, a.name, a.password_hash, a.role});
  }

  std::optional<Agent> find_agent(const std::string& email_or_id) override {
    std::lock_guard lock(mu_);
    const PgResult r = db_.exec("SELECT id, email, name, password_hash, role FROM agents WHERE email = $1 OR id = $1", {email_or_id});
    if (!r.rows()) return std::nullopt;
    return agent_at(r, 0);
  }

  std::vector<Agent> agents() override {
    std::lock_guard lock(mu_);
    const PgResult r = db_.exec("SELECT id, email, name, password_hash, role FROM agents ORDER BY email");
    std::vector<Agent> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(agent_at(r, i));
    return out;
  }

  bool delete_agent(const std::string& id) override {
    std::lock_guard lock(mu_);
    return db_.exec("DELETE FROM agents WHERE id = $1", {id}).affected() > 0;  // its sessions go with it (ON DELETE CASCADE)
  }

  void create_agent_session(const AgentSession& s) override {
    std::lock_guard lock(mu_);
    db_.exec("INSERT INTO agent_sessions VALUES ($1, $2, $3, $4)", {s.token_hash, s.agent_id, s.csrf, std::to_string(s.expires_ms)});
  }

  std::optional<AgentSession> find_agent_session(const std::string& token_hash, std::int64_t now_ms) override {
    std::lock_guard lock(mu_);
    const PgResult r = db_.exec("SELECT agent_id, csrf, expires_ms FROM agent_sessions WHERE token_hash = $1 AND expires_ms > $2",
                                {token_hash, std::to_string(now_ms)});
    if (!r.rows()) return std::nullopt;
    return AgentSession{token_hash, r.text(0, 0), r.text(0, 1), r.int64(0, 2)};
  }

  void delete_agent_session(const std::string& token_hash) override {
    std::lock_guard lock(mu_);
    db_.exec("DELETE FROM agent_sessions WHERE token_hash = $1", {token_hash});
  }

  void delete_agent_sessions(const std::string& agent_id) override {
    std::lock_guard lock(mu_);
    db_.exec("DELETE FROM agent_sessions WHERE agent_id = $1", {agent_id});
  }

 private:
  PgConnection db_;
  std::mutex mu_;
};

}  // namespace

std::unique_ptr<StaffStore> open_postgres_staff_store(const std::string& conninfo) {
  return std::make_unique<PostgresStaffStore>(conninfo);
}

}  // namespace firstfix::server
