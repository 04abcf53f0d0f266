#include "native_server/storage/published_content.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include "core/content/manifest.h"
#include "native_server/base/files.h"

namespace fs = std::filesystem;

namespace firstfix::server {
namespace {

const std::vector<std::string>& migrations() {
  static const std::vector<std::string> m = {
      R"(CREATE TABLE content_versions (
           id BIGSERIAL PRIMARY KEY,
           version TEXT NOT NULL,
           published_ms BIGINT NOT NULL);
         CREATE TABLE content_files (
           version_id BIGINT NOT NULL REFERENCES content_versions(id) ON DELETE CASCADE,
           path TEXT NOT NULL,
           bytes BYTEA NOT NULL,
           PRIMARY KEY (version_id, path));)",
  };
  return m;
}

// A stored path goes inside the folder it is written to, or nowhere.
bool safe_relative(const fs::path& p) {
  if (p.empty() || p.is_absolute()) return false;
  for (const auto& part : p)
    if (part == ".." || part == ".") return false;
  return true;
}

}  // namespace

std::string dist_version(const std::string& dist_dir) {
  // The manifest names every file's hash (the index's, each article page's, each flow's).
  return content::content_hash(read_file(fs::path(dist_dir) / std::string(content::kManifestFile))).substr(0, 12);
}

PublishedContent::PublishedContent(const std::string& conninfo) : c_(conninfo) { c_.migrate("content", migrations()); }

PublishedVersion PublishedContent::publish(const std::string& dist_dir, std::int64_t now_ms) {
  PublishedVersion v{0, dist_version(dist_dir), now_ms};
  std::lock_guard lock(mu_);
  c_.exec("BEGIN");
  try {
    v.id = c_.exec("INSERT INTO content_versions (version, published_ms) VALUES ($1, $2) RETURNING id", {v.version, now_ms}).int64(0, 0);
    for (const auto& entry : fs::recursive_directory_iterator(dist_dir)) {
      if (!entry.is_regular_file()) continue;
      c_.exec("INSERT INTO content_files (version_id, path, bytes) VALUES ($1, $2, $3)",
              {v.id, fs::relative(entry.path(), dist_dir).generic_string(), PgParam::bytes(read_file(entry.path()))});
    }
    // Delivered to every listening server when this commits, not before.
    c_.exec("SELECT pg_notify($1, $2)", {kContentChannel, std::to_string(v.id)});
    c_.exec("COMMIT");
  } catch (...) {
    PQclear(PQexec(c_.raw(), "ROLLBACK"));
    throw;
  }
  return v;
}

std::optional<PublishedVersion> PublishedContent::latest() {
  std::lock_guard lock(mu_);
  const PgResult r = c_.exec("SELECT id, version, published_ms FROM content_versions ORDER BY id DESC LIMIT 1");
  if (!r.rows()) return std::nullopt;
  return PublishedVersion{r.int64(0, 0), r.text(0, 1), r.int64(0, 2)};
}

void PublishedContent::fetch(std::int64_t id, const std::string& dir) {
  const fs::path target(dir);
  const fs::path staged = target.parent_path() / ("." + target.filename().string() + ".tmp");
  fs::remove_all(staged);
  std::lock_guard lock(mu_);
  const PgResult r = c_.exec("SELECT path, bytes FROM content_files WHERE version_id = $1", {id});
  if (!r.rows()) throw std::runtime_error("published content version " + std::to_string(id) + " has no files");
  for (int i = 0; i < r.rows(); ++i) {
    const fs::path path = fs::path(r.text(i, 0)).lexically_normal();
    if (!safe_relative(path)) throw std::runtime_error("published content version " + std::to_string(id) + " names an unsafe path: " + r.text(i, 0));
    fs::create_directories((staged / path).parent_path());
    std::ofstream out(staged / path, std::ios::binary | std::ios::trunc);
    const std::string bytes = r.bytes(i, 1);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + (staged / path).string());
  }
  fs::remove_all(target);
  fs::rename(staged, target);
}

}  // namespace firstfix::server
