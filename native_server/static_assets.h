// Files served as they are: kept in memory with a gzip copy, an ETag, and a
// cache policy. Content-hashed names ("panel.3f2a9c1b.js") are cached
// forever; everything else is revalidated.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "native_server/http_types.h"

namespace firstfix::server {

struct Asset {
  std::string content_type;
  std::string bytes;
  std::string gzip;    // empty when compression does not pay
  std::string brotli;  // precompressed by the widget build, when there is one
  std::string etag;
  std::string cache_control;
};

class AssetStore {
 public:
  // Adds `bytes` under `url`; returns the URL.
  const std::string& add(const std::string& url, std::string bytes, std::string cache_control);
  // Adds under "/assets/<stem>.<hash><ext>" with immutable caching; returns the URL.
  std::string add_hashed(const std::string& file_name, std::string bytes, std::string brotli = {});
  const Asset* find(std::string_view url) const;
  // A response for `asset` honouring Accept-Encoding and If-None-Match.
  static Response respond(const Request& req, const Asset& asset);

 private:
  std::map<std::string, Asset, std::less<>> assets_;
};

std::string mime_type(std::string_view path);
std::string gzip_bytes(std::string_view bytes);
// Whether an Accept-Encoding header accepts `coding` (a q=0 refuses it).
bool accepts_encoding(std::string_view header, std::string_view coding);

}  // namespace firstfix::server
