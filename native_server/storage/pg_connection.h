// PostgreSQL through libpq (Debian's libpq-dev), wrapped just enough for
// the stores: RAII for connections and results, parameters always sent
// apart from the SQL text (never spliced in), each statement prepared once
// per connection, a small pool, transactions that roll back on any
// exception, errors that carry PostgreSQL's own message, and migrations
// applied once per store under an advisory lock, so servers starting
// together do not race. libpqxx (Debian's is 6.4) would add an older API
// over the same calls without removing any of this.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace firstfix::server {

class PgError : public std::runtime_error {
 public:
  explicit PgError(const std::string& what, std::string sqlstate = "") : std::runtime_error(what), sqlstate_(std::move(sqlstate)) {}
  // PostgreSQL's error code ("40P01": deadlock detected), "" when none came back.
  const std::string& sqlstate() const { return sqlstate_; }
  // A deadlock or a serialization failure: the transaction may simply run again.
  bool retryable() const { return sqlstate_ == "40P01" || sqlstate_ == "40001"; }

 private:
  std::string sqlstate_;
};

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r, PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col); }
  std::string text(int row, int col) const { return std::string(PQgetvalue(r_.get(), row, col), PQgetlength(r_.get(), row, col)); }
  std::int64_t int64(int row, int col) const { return std::stoll(text(row, col)); }
  // A bytea column, unescaped.
  std::string bytes(int row, int col) const;
  // Rows a DELETE, UPDATE or INSERT touched.
  std::int64_t affected() const;
  PGresult* raw() const { return r_.get(); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

// A parameter: text, SQL NULL, or bytes (sent in binary, for bytea).
struct PgParam {
  std::optional<std::string> value;
  bool binary = false;

  PgParam(std::nullopt_t) {}
  PgParam(std::string text) : value(std::move(text)) {}
  PgParam(const char* text) : value(text) {}
  PgParam(std::int64_t n) : value(std::to_string(n)) {}
  PgParam(int n) : value(std::to_string(n)) {}
  static PgParam bytes(std::string b) {
    PgParam p(std::move(b));
    p.binary = true;
    return p;
  }
};

class PgConnection {
 public:
  // `conninfo`: a postgresql:// URL or key=value words; empty: the PG* environment.
  explicit PgConnection(const std::string& conninfo);
  // With parameters, the statement is prepared on first use and reused.
  // Without, the simple protocol: a migration may hold several statements.
  PgResult exec(const std::string& sql, const std::vector<PgParam>& params = {});
  // Applies the migrations of `store` not applied yet, in one transaction.
  void migrate(const std::string& store, const std::vector<std::string>& migrations);
  // After a lost connection: reconnects; the prepared statements are gone with it.
  bool healthy();
  PGconn* raw() const { return conn_.get(); }

 private:
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// A fixed number of connections, opened lazily; a caller waits for a free
// one (the server's worker pools bound how many wait).
class PgPool {
 public:
  PgPool(std::string conninfo, std::size_t size);
  ~PgPool();

  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<PgConnection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease() { pool_.give_back(std::move(c_)); }
    PgConnection* operator->() { return c_.get(); }
    PgConnection& operator*() { return *c_; }

   private:
    PgPool& pool_;
    std::unique_ptr<PgConnection> c_;
  };

  Lease acquire();
  const std::string& conninfo() const { return conninfo_; }

  // Runs `work` in a transaction on one connection and returns what it
  // returns: committed if it returns, rolled back if it throws (and the
  // exception passes on).
  template <typename F>
  auto transaction(F&& work) {
    Lease c = acquire();
    c->exec("BEGIN");
    try {
      auto result = work(*c);
      c->exec("COMMIT");
      return result;
    } catch (...) {
      PQclear(PQexec(c->raw(), "ROLLBACK"));
      throw;
    }
  }

 private:
  void give_back(std::unique_ptr<PgConnection> c);

  std::string conninfo_;
  std::size_t size_, opened_ = 0;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
};

// A PostgreSQL array literal of `values` ({"a","b\\"c"}), sent as one text
// parameter and cast in the SQL ($1::text[], $2::bigint[]): a batch of rows
// in one statement, with unnest().
std::string pg_array(const std::vector<std::string>& values);
std::string pg_array(const std::vector<std::int64_t>& values);

// True for the URLs `--database` takes for PostgreSQL.
bool is_postgres_url(const std::string& url);

}  // namespace firstfix::server
