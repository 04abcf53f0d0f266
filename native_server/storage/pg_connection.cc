#include "native_server/storage/pg_connection.h"

namespace firstfix::server {

std::int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return n && *n ? std::stoll(n) : 0;
}

PgConnection::PgConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str()), PQfinish) {
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK)
    throw PgError(std::string("cannot connect to PostgreSQL: ") + (conn_ ? PQerrorMessage(conn_.get()) : "out of memory"));
}

PgResult PgConnection::exec(const std::string& sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  // Without parameters, the simple protocol: a migration may hold several statements.
  PgResult r(values.empty() ? PQexec(conn_.get(), sql.c_str())
                            : PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
  const ExecStatusType status = PQresultStatus(r.raw());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw PgError(std::string("PostgreSQL: ") + PQresultErrorMessage(r.raw()) + " (in: " + sql.substr(0, 120) + ")");
  return r;
}

void PgConnection::migrate(const std::string& store, const std::vector<std::string>& migrations) {
  exec("CREATE TABLE IF NOT EXISTS firstfix_migrations (store TEXT PRIMARY KEY, version INTEGER NOT NULL)");
  exec("BEGIN");
  try {
    // One server migrates at a time; the others wait, then find nothing to do.
    exec("SELECT pg_advisory_xact_lock(hashtext('firstfix_migrations'))");
    PgResult v = exec("SELECT version FROM firstfix_migrations WHERE store = $1", {store});
    const std::size_t applied = v.rows() ? static_cast<std::size_t>(v.int64(0, 0)) : 0;
    if (applied > migrations.size())
      throw PgError("the PostgreSQL database holds " + store + " version " + std::to_string(applied) + ", newer than this firstfix (" +
                    std::to_string(migrations.size()) + ")");
    for (std::size_t i = applied; i < migrations.size(); ++i) exec(migrations[i]);
    exec("INSERT INTO firstfix_migrations VALUES ($1, $2) ON CONFLICT (store) DO UPDATE SET version = excluded.version",
         {store, std::to_string(migrations.size())});
    exec("COMMIT");
  } catch (...) {
    PQclear(PQexec(conn_.get(), "ROLLBACK"));
    throw;
  }
}

}  // namespace firstfix::server
