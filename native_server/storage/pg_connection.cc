#include "native_server/storage/pg_connection.h"

namespace firstfix::server {

std::int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return n && *n ? std::stoll(n) : 0;
}

std::string PgResult::bytes(int row, int col) const {
  std::size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, col)), &n);
  if (!raw) throw PgError("PostgreSQL: a bytea value could not be read");
  std::string out(reinterpret_cast<const char*>(raw), n);
  PQfreemem(raw);
  return out;
}

PgConnection::PgConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str()), PQfinish) {
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK)
    throw PgError(std::string("cannot connect to PostgreSQL: ") + (conn_ ? PQerrorMessage(conn_.get()) : "out of memory"));
  // NOTICEs ("relation ... already exists, skipping") say nothing a caller
  // acts on; errors come back as results, and PgError carries them.
  PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
}

namespace {
void check(const PgResult& r, const std::string& sql) {
  const ExecStatusType status = PQresultStatus(r.raw());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const char* code = PQresultErrorField(r.raw(), PG_DIAG_SQLSTATE);
    throw PgError(std::string("PostgreSQL: ") + PQresultErrorMessage(r.raw()) + " (in: " + sql.substr(0, 120) + ")", code ? code : "");
  }
}
}  // namespace

PgResult PgConnection::exec(const std::string& sql, const std::vector<PgParam>& params) {
  if (params.empty()) {
    PgResult r(PQexec(conn_.get(), sql.c_str()));
    check(r, sql);
    return r;
  }
  auto named = prepared_.find(sql);
  if (named == prepared_.end()) {
    const std::string name = "s" + std::to_string(prepared_.size());
    PgResult p(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr));
    check(p, sql);
    named = prepared_.emplace(sql, name).first;
  }
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const auto& p : params) {
    // libpq reads a text parameter up to its first NUL: refused, never silently cut short.
    if (p.value && !p.binary && p.value->find('\0') != std::string::npos)
      throw PgError("PostgreSQL: a text value contains a NUL character (in: " + sql.substr(0, 120) + ")");
    values.push_back(p.value ? p.value->data() : nullptr);
    lengths.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
    formats.push_back(p.binary ? 1 : 0);
  }
  PgResult r(PQexecPrepared(conn_.get(), named->second.c_str(), static_cast<int>(values.size()), values.data(), lengths.data(),
                            formats.data(), 0));
  check(r, sql);
  return r;
}

bool PgConnection::healthy() {
  if (PQstatus(conn_.get()) == CONNECTION_OK) return true;
  prepared_.clear();
  PQreset(conn_.get());
  return PQstatus(conn_.get()) == CONNECTION_OK;
}

void PgConnection::migrate(const std::string& store, const std::vector<std::string>& migrations) {
  exec("BEGIN");
  try {
    // One server migrates at a time; the others wait, then find nothing to do.
    // (Even CREATE TABLE IF NOT EXISTS fails when two run it at once.)
    exec("SELECT pg_advisory_xact_lock(hashtext('firstfix_migrations'))");
    exec("CREATE TABLE IF NOT EXISTS firstfix_migrations (store TEXT PRIMARY KEY, version INTEGER NOT NULL)");
    PgResult v = exec("SELECT version FROM firstfix_migrations WHERE store = $1", {store});
    const std::size_t applied = v.rows() ? static_cast<std::size_t>(v.int64(0, 0)) : 0;
    if (applied > migrations.size())
      throw PgError("the PostgreSQL database holds " + store + " version " + std::to_string(applied) + ", newer than this firstfix (" +
                    std::to_string(migrations.size()) + ")");
    for (std::size_t i = applied; i < migrations.size(); ++i) exec(migrations[i]);
    exec("INSERT INTO firstfix_migrations VALUES ($1, $2) ON CONFLICT (store) DO UPDATE SET version = excluded.version",
         {store, static_cast<std::int64_t>(migrations.size())});
    exec("COMMIT");
  } catch (...) {
    PQclear(PQexec(conn_.get(), "ROLLBACK"));
    throw;
  }
}

PgPool::PgPool(std::string conninfo, std::size_t size) : conninfo_(std::move(conninfo)), size_(size) {
  idle_.push_back(std::make_unique<PgConnection>(conninfo_));  // fails now, by name, if the database cannot be reached
  opened_ = 1;
}

PgPool::~PgPool() = default;

PgPool::Lease PgPool::acquire() {
  std::unique_ptr<PgConnection> c;
  {
    std::unique_lock lock(mu_);
    freed_.wait(lock, [&] { return !idle_.empty() || opened_ < size_; });
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++opened_;
    }
  }
  if (!c) {
    try {
      c = std::make_unique<PgConnection>(conninfo_);
    } catch (...) {
      std::lock_guard lock(mu_);
      --opened_;
      freed_.notify_one();
      throw;
    }
  } else if (!c->healthy()) {
    // The server restarted or the network dropped: one reconnect, then the error.
    std::lock_guard lock(mu_);
    --opened_;
    freed_.notify_one();
    throw PgError(std::string("PostgreSQL connection lost: ") + PQerrorMessage(c->raw()));
  }
  return Lease(*this, std::move(c));
}

void PgPool::give_back(std::unique_ptr<PgConnection> c) {
  if (!c) return;  // moved from
  std::lock_guard lock(mu_);
  // A connection left inside a failed transaction is not reused.
  if (PQtransactionStatus(c->raw()) != PQTRANS_IDLE) {
    --opened_;
  } else {
    idle_.push_back(std::move(c));
  }
  freed_.notify_one();
}

bool is_postgres_url(const std::string& url) { return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0; }

std::string pg_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string pg_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + std::to_string(values[i]);
  return out + "}";
}

}  // namespace firstfix::server
