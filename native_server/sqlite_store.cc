// The embedded store: SQLite in WAL mode. One connection behind a mutex:
// SQLite serializes writers anyway, and the server's worker pool is small.
#include <SQLiteCpp/SQLiteCpp.h>

#include <mutex>
#include <stdexcept>

#include "native_server/sqlite_schema.h"
#include "native_server/store.h"

namespace firstfix::server {
namespace {

using nlohmann::json;

const std::vector<std::string> kMigrations = {
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
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : db_(open_sqlite(path, kMigrations)) {}

  void create_session(const StoredSession& s) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "INSERT INTO flow_sessions (id, flow_id, state, version, created_ms, updated_ms, context) VALUES (?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, s.id);
    q.bind(2, s.flow_id);
    q.bind(3, s.state.dump());
    q.bind(4, static_cast<int64_t>(s.version));
    q.bind(5, static_cast<int64_t>(s.created_ms));
    q.bind(6, static_cast<int64_t>(s.updated_ms));
    q.bind(7, s.context.dump());
    q.exec();
  }

  std::optional<StoredSession> find_session(const std::string& id) override {
    std::lock_guard lock(mu_);
    SQLite::Statement q(db_, "SELECT flow_id, state, version, created_ms, updated_ms, context FROM flow_sessions WHERE id = ?");
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

  std::mutex mu_;
  SQLite::Database db_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) { return std::make_unique<SqliteStore>(path); }

}  // namespace firstfix::server
