#include "native_server/http/static_assets.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/content/manifest.h"

namespace firstfix::server {
namespace beast = boost::beast;
namespace {
constexpr size_t kMaxCompressedAsset = 16 * 1024 * 1024;
}  // namespace

std::string mime_type(std::string_view path) {
  auto ends = [&](std::string_view s) { return path.size() >= s.size() && path.substr(path.size() - s.size()) == s; };
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".wasm")) return "application/wasm";
  if (ends(".json")) return "application/json";
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".d.ts")) return "text/plain; charset=utf-8";  // before ".ts" would match anything else
  return "application/octet-stream";
}

std::string gzip_bytes(std::string_view bytes, int level) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("zlib init");
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib deflate");
  out.resize(z.total_out);
  return out;
}

void compress_if_accepted(const Request& req, Response& res, int level) {
  if (res.body().size() < 1024 || res.count(http::field::content_encoding) || !accepts_encoding(req[http::field::accept_encoding], "gzip"))
    return;
  res.body() = gzip_bytes(res.body(), level);
  res.set(http::field::content_encoding, "gzip");
  res.set(http::field::vary, "Accept-Encoding");
  res.prepare_payload();
}

AssetFile::AssetFile(const std::string& p) : path(p) {
  fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + p + ": " + std::strerror(errno));
  const off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) throw std::runtime_error("cannot size " + p + ": " + std::strerror(errno));
  size = static_cast<std::uint64_t>(end);
}

AssetFile::~AssetFile() {
  if (fd >= 0) ::close(fd);
}

std::string AssetFile::read(std::uint64_t offset, std::uint64_t length) const {
  std::string out(length, '\0');
  std::uint64_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cannot read " + path + (n < 0 ? std::string(": ") + std::strerror(errno) : ": it shrank"));
    done += static_cast<std::uint64_t>(n);
  }
  return out;
}

std::string AssetStore::add_hashed_file(const std::string& file_name, const std::string& path, const std::string& hash) {
  auto dot = file_name.find('.');
  std::string stem = dot == std::string::npos ? file_name : file_name.substr(0, dot);
  std::string ext = dot == std::string::npos ? "" : file_name.substr(dot);
  std::string url = "/assets/" + stem + "." + hash.substr(0, 12) + ext;
  Asset a;
  a.content_type = mime_type(url);
  a.etag = "\"" + hash + "\"";
  a.cache_control = "public, max-age=31536000, immutable";
  a.file = std::make_shared<const AssetFile>(path);
  if (a.file->size <= kMaxCompressedAsset) {
    const std::string bytes = a.file->read(0, a.file->size);
    std::string compressed = gzip_bytes(bytes);
    if (compressed.size() + 64 < bytes.size()) a.gzip = std::move(compressed);
  }
  put(url, std::move(a));
  return url;
}

void AssetStore::put(const std::string& url, Asset a) {
  auto shared = std::make_shared<const Asset>(std::move(a));
  std::unique_lock lock(mu_);
  assets_.insert_or_assign(url, std::move(shared));
}

std::string AssetStore::add(const std::string& url, std::string bytes, std::string cache_control, std::string brotli) {
  Asset a;
  a.brotli = std::move(brotli);
  a.content_type = mime_type(url);
  a.etag = "\"" + content::content_hash(bytes) + "\"";
  // Very large files (big indexes) are read by range, not whole: not worth
  // compressing at start-up.
  if (bytes.size() <= kMaxCompressedAsset) {
    std::string compressed = gzip_bytes(bytes);
    if (compressed.size() + 64 < bytes.size()) a.gzip = std::move(compressed);
  }
  a.bytes = std::move(bytes);
  a.cache_control = std::move(cache_control);
  put(url, std::move(a));
  return url;
}

bool accepts_encoding(std::string_view header, std::string_view coding) {
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    auto semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name != coding) continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = item.substr(semi + 1);
    auto q = params.find("q=");
    if (q == std::string_view::npos) return true;
    std::string_view value = params.substr(q + 2);
    return !(value.substr(0, 1) == "0" && value.find_first_of("123456789") == std::string_view::npos);
  }
  return false;
}

std::string AssetStore::add_hashed(const std::string& file_name, std::string bytes, std::string brotli) {
  auto dot = file_name.find('.');
  std::string stem = dot == std::string::npos ? file_name : file_name.substr(0, dot);
  std::string ext = dot == std::string::npos ? "" : file_name.substr(dot);
  std::string url = "/assets/" + stem + "." + content::content_hash(bytes).substr(0, 12) + ext;
  add(url, std::move(bytes), "public, max-age=31536000, immutable", std::move(brotli));
  return url;
}

std::shared_ptr<const Asset> AssetStore::find(std::string_view url) const {
  std::shared_lock lock(mu_);
  auto it = assets_.find(url);
  return it == assets_.end() ? nullptr : it->second;
}

namespace {

// A byte offset: decimal digits, at most 15 of them.
bool number(std::string_view s, size_t& out) {
  if (s.empty() || s.size() > 15 || s.find_first_not_of("0123456789") != std::string_view::npos) return false;
  out = std::stoull(std::string(s));
  return true;
}

// A single "bytes=first-last" (or "bytes=first-" or "bytes=-suffix") range.
bool parse_range(std::string_view header, size_t size, size_t& first, size_t& last) {
  if (header.substr(0, 6) != "bytes=" || header.find(',') != std::string_view::npos || size == 0) return false;
  header.remove_prefix(6);
  auto dash = header.find('-');
  if (dash == std::string_view::npos) return false;
  size_t a = 0, b = 0;
  if (dash == 0) {
    if (!number(header.substr(1), b) || b == 0) return false;
    first = b >= size ? 0 : size - b;
    last = size - 1;
    return true;
  }
  if (!number(header.substr(0, dash), a) || a >= size) return false;
  if (dash + 1 == header.size()) {
    b = size - 1;
  } else if (!number(header.substr(dash + 1), b) || b < a) {
    return false;
  }
  first = a;
  last = std::min(b, size - 1);
  return true;
}

// Several ranges asked in the query, `?ranges=FIRST-LAST,FIRST-LAST,...`
// (inclusive): the widget's lazily read index fetches a wave of blocks in one
// request rather than one each, as each request in flight from a Chromium
// Worker costs more (8 blocks of 2 KB: 11.8 ms p50 fetched at once, 2.4 ms in
// one request; 12: 19.7 against 2.5; tests/bench/round_trips.mjs). The query, not a multi-range Range
// header: that is not a CORS-safelisted header, and each page would pay a
// preflight for it. Ascending and apart, at most kMaxRanges of them and
// kMaxRangesBytes in all. Returns an HTTP status and a reason when they are
// not (0 when they are).
constexpr size_t kMaxRanges = 64, kMaxRangesBytes = 4 * 1024 * 1024;
// Ranges compressed per request up to this many bytes (the widget's waves
// are tens of KB): a stranger asking for 4 MB a request gets them as they
// are, and no request costs the asset threads more than about a millisecond
// of gzip.
constexpr size_t kMaxCompressedRangesBytes = 256 * 1024;
std::pair<int, std::string> parse_ranges(std::string_view target, size_t size, std::vector<std::pair<size_t, size_t>>& ranges) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {0, ""};
  std::string_view query = target.substr(q + 1), value;
  bool found = false;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (param.substr(0, 7) == "ranges=") {
      if (found) return {400, "'ranges' is given twice"};
      found = true;
      value = param.substr(7);
    }
  }
  if (!found) return {0, ""};
  if (value.empty() || value.find_first_not_of("0123456789-,") != std::string_view::npos)
    return {400, "'ranges' is FIRST-LAST byte offsets separated by commas"};
  size_t total = 0;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    const size_t dash = item.find('-');
    size_t first = 0, last = 0;
    if (dash == std::string_view::npos || !number(item.substr(0, dash), first) || !number(item.substr(dash + 1), last) || last < first)
      return {400, "'ranges': '" + std::string(item) + "' is not FIRST-LAST"};
    if (last >= size) return {416, "'ranges': " + std::string(item) + " runs past the end (" + std::to_string(size) + " bytes)"};
    if (!ranges.empty() && first <= ranges.back().second) return {400, "'ranges' must be ascending and apart"};
    if (ranges.size() == kMaxRanges) return {400, "'ranges': at most " + std::to_string(kMaxRanges) + " in a request"};
    total += last - first + 1;
    if (total > kMaxRangesBytes) return {400, "'ranges': at most " + std::to_string(kMaxRangesBytes) + " bytes in a request"};
    ranges.emplace_back(first, last);
  }
  return {0, ""};
}

}  // namespace

http::message_generator AssetStore::respond(const Request& req, const Asset& asset) {
  std::vector<std::pair<size_t, size_t>> ranges;
  if (auto [status, why] = parse_ranges(req.target(), asset.size(), ranges); status != 0) {
    auto res = json_error(req, static_cast<http::status>(status), why);
    res.set(http::field::access_control_allow_origin, "*");
    return res;
  }
  if (!ranges.empty()) {
    // The ranges' bytes one after another: the reader knows their lengths.
    std::string body;
    for (const auto& [first, last] : ranges) body += asset.file ? asset.file->read(first, last - first + 1) : asset.bytes.substr(first, last - first + 1);
    auto res = make_response(req, http::status::ok, "application/octet-stream", std::move(body));
    res.set(http::field::cache_control, asset.cache_control);
    res.set("X-Content-Type-Options", "nosniff");
    res.set(http::field::access_control_allow_origin, "*");
    // Compressed, unlike a Range answer (whose offsets are the file's):
    // an index's blocks shrink to 45% at level 1, the bench's typing at
    // 10,000 articles 1,446 -> 649 KB, for 0.2-0.6 ms a wave of 16-64 KB.
    if (res.body().size() <= kMaxCompressedRangesBytes) compress_if_accepted(req, res, 1);
    return res;
  }
  // Byte ranges (of the identity encoding): the widget reads large indexes
  // block by block.
  if (auto range = req[http::field::range]; !range.empty()) {
    size_t first = 0, last = 0;
    if (!parse_range(range, asset.size(), first, last)) {
      auto res = json_error(req, http::status::range_not_satisfiable, "unsatisfiable range '" + std::string(range) + "'");
      res.set(http::field::content_range, "bytes */" + std::to_string(asset.size()));
      return res;
    }
    auto res = make_response(req, http::status::partial_content, asset.content_type,
                             asset.file ? asset.file->read(first, last - first + 1) : asset.bytes.substr(first, last - first + 1));
    res.set(http::field::content_range,
            "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(asset.size()));
    res.set(http::field::etag, asset.etag);
    res.set(http::field::cache_control, asset.cache_control);
    // Read by the widget's Worker with CORS from any page: no more headers
    // than that needs, as a search may fetch a few dozen blocks.
    res.set(http::field::access_control_allow_origin, "*");
    return res;
  }
  if (req[http::field::if_none_match] == asset.etag) {
    Response res{http::status::not_modified, req.version()};
    res.set(http::field::etag, asset.etag);
    res.set(http::field::cache_control, asset.cache_control);
    res.keep_alive(req.keep_alive());
    return res;
  }
  const auto accept = req[http::field::accept_encoding];
  const bool br = !asset.brotli.empty() && accepts_encoding(accept, "br");
  const bool gzip = !br && !asset.gzip.empty() && accepts_encoding(accept, "gzip");
  auto headers = [&](auto& res) {
    if (br || gzip) res.set(http::field::content_encoding, br ? "br" : "gzip");
    if (!asset.gzip.empty() || !asset.brotli.empty()) res.set(http::field::vary, "Accept-Encoding");
    res.set(http::field::etag, asset.etag);
    res.set(http::field::cache_control, asset.cache_control);
    res.set("X-Content-Type-Options", "nosniff");
    res.set(http::field::accept_ranges, "bytes");
    // The widget's files are loaded by pages on other origins.
    res.set(http::field::access_control_allow_origin, "*");
    res.set("Cross-Origin-Resource-Policy", "cross-origin");
  };
  if (asset.file && !br && !gzip) {
    // The whole file, streamed from disk: never all of it in memory.
    if (req.method() == http::verb::head) {
      http::response<http::empty_body> res{http::status::ok, req.version()};
      res.set(http::field::server, "firstfix");
      res.set(http::field::content_type, asset.content_type);
      res.content_length(asset.size());
      res.keep_alive(req.keep_alive());
      headers(res);
      return res;
    }
    http::response<http::file_body> res{http::status::ok, req.version()};
    beast::error_code ec;
    res.body().open(asset.file->path.c_str(), beast::file_mode::scan, ec);
    if (ec) return json_error(req, http::status::internal_server_error, "cannot open " + asset.file->path + ": " + ec.message());
    res.set(http::field::server, "firstfix");
    res.set(http::field::content_type, asset.content_type);
    res.keep_alive(req.keep_alive());
    headers(res);
    res.prepare_payload();
    return res;
  }
  auto res = make_response(req, http::status::ok, asset.content_type, br ? asset.brotli : gzip ? asset.gzip : asset.bytes);
  headers(res);
  if (req.method() == http::verb::head) {
    res.body().clear();
    res.content_length(br ? asset.brotli.size() : gzip ? asset.gzip.size() : asset.bytes.size());
  }
  return res;
}

}  // namespace firstfix::server
