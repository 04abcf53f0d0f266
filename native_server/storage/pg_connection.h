// A PostgreSQL connection through libpq (Debian's libpq-dev), wrapped just
// enough for the stores: RAII for connections and results, parameters
// always sent apart from the SQL text (never spliced in), errors as
// exceptions that carry PostgreSQL's own message, and migrations applied
// once per store under an advisory lock, so servers starting together do
// not race. libpqxx (Debian's is 6.4) would add an older API over the
// same calls without removing any of this.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace firstfix::server {

class PgError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r, PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col); }
  std::string text(int row, int col) const { return std::string(PQgetvalue(r_.get(), row, col), PQgetlength(r_.get(), row, col)); }
  std::int64_t int64(int row, int col) const { return std::stoll(text(row, col)); }
  // Rows a DELETE, UPDATE or INSERT touched.
  std::int64_t affected() const;
  PGresult* raw() const { return r_.get(); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

// A parameter: text, or SQL NULL.
using PgParam = std::optional<std::string>;

class PgConnection {
 public:
  // `conninfo`: a postgresql:// URL or key=value words; empty: the PG* environment.
  explicit PgConnection(const std::string& conninfo);
  PgResult exec(const std::string& sql, const std::vector<PgParam>& params = {});
  // Applies the migrations of `store` not applied yet, each in a transaction.
  void migrate(const std::string& store, const std::vector<std::string>& migrations);

 private:
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn_;
};

}  // namespace firstfix::server
