// Files served as they are: kept in memory with a gzip copy, an ETag, and a
// cache policy. Content-hashed names ("panel.3f2a9c1b.js") are cached
// forever; everything else is revalidated. A large file (the search index,
// hundreds of MB for a big help center) stays on disk: ranges are read with
// pread, whole downloads stream from the file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "native_server/http/types.h"

namespace firstfix::server {

// An open, read-only file; pread on it is safe from any thread.
struct AssetFile {
  int fd = -1;
  std::string path;
  std::uint64_t size = 0;
  AssetFile(const std::string& path);  // throws naming the path
  ~AssetFile();
  AssetFile(const AssetFile&) = delete;
  AssetFile& operator=(const AssetFile&) = delete;
  std::string read(std::uint64_t offset, std::uint64_t length) const;  // throws on a short read
};

struct Asset {
  std::string content_type;
  std::string bytes;                  // empty when `file` holds the bytes
  std::shared_ptr<const AssetFile> file;
  std::string gzip;    // empty when compression does not pay
  std::string brotli;  // precompressed by the widget build, when there is one
  std::string etag;
  std::string cache_control;
  std::uint64_t size() const { return file ? file->size : bytes.size(); }
  // Responding reads the disk: callers run it off the I/O threads.
  bool reads_disk() const { return file != nullptr; }
};

// Safe to use from any thread: assets are added while others are served (a
// content reload adds the new version's), and one found stays alive for as
// long as its response needs it, even if a reload replaces it meanwhile.
class AssetStore {
 public:
  // Adds `bytes` under `url` (replacing what was there); returns the URL.
  std::string add(const std::string& url, std::string bytes, std::string cache_control, std::string brotli = {});
  // Adds under "/assets/<stem>.<hash><ext>" with immutable caching; returns the URL.
  std::string add_hashed(const std::string& file_name, std::string bytes, std::string brotli = {});
  // Adds the file at `path`, served from disk, under "/assets/<stem>.<hash><ext>"
  // where `hash` is already known (the manifest's); small files also get a
  // gzip copy in memory for whole downloads.
  std::string add_hashed_file(const std::string& file_name, const std::string& path, const std::string& hash);
  std::shared_ptr<const Asset> find(std::string_view url) const;
  // A response for `asset` honouring Accept-Encoding and If-None-Match.
  static http::message_generator respond(const Request& req, const Asset& asset);

 private:
  void put(const std::string& url, Asset a);

  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const Asset>, std::less<>> assets_;
};

std::string mime_type(std::string_view path);
std::string gzip_bytes(std::string_view bytes, int level = 9);
// Compresses a generated response (JSON, HTML) with gzip when the client
// accepts it and it pays (1 KB or more): a search answer shrinks about 3 times.
// Made per request, so a quicker level than the assets' 9 by default.
void compress_if_accepted(const Request& req, Response& res, int level = 6);
// Whether an Accept-Encoding header accepts `coding` (a q=0 refuses it).
bool accepts_encoding(std::string_view header, std::string_view coding);

}  // namespace firstfix::server
