// Content versions published to PostgreSQL (`firstfix publish --content DIR
// --database URL`): the compiled help center's files stored as one version,
// and a NOTIFY on kContentChannel with its id, so every server sharing the
// database takes it (App::publish_content) within moments, and a server
// that starts later serves the latest one.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "native_server/storage/pg_connection.h"

namespace firstfix::server {

inline constexpr const char* kContentChannel = "firstfix_content";

// The name of a compiled help center's version: a hash of its manifest,
// which holds the hash of every file (the index, each article's page, each
// flow), so any change a customer could see changes it.
std::string dist_version(const std::string& dist_dir);

struct PublishedVersion {
  std::int64_t id = 0;
  std::string version;  // dist_version
  std::int64_t published_ms = 0;
};

class PublishedContent {
 public:
  explicit PublishedContent(const std::string& conninfo);  // creates or migrates its tables
  // Stores every file of `dist_dir` as a new version, in one transaction,
  // and tells the servers when it commits.
  PublishedVersion publish(const std::string& dist_dir, std::int64_t now_ms);
  std::optional<PublishedVersion> latest();
  // Writes version `id`'s files into `dir` (made whole beside it, then moved in).
  void fetch(std::int64_t id, const std::string& dir);

 private:
  std::mutex mu_;
  PgConnection c_;
};

}  // namespace firstfix::server
