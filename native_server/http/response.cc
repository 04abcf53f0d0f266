#include <nlohmann/json.hpp>

#include "native_server/base/text.h"
#include "native_server/http/static_assets.h"
#include "native_server/http/types.h"

namespace firstfix::server {

Response make_response(const Request& req, http::status status, std::string content_type, std::string body) {
  Response res{status, req.version()};
  res.set(http::field::server, "firstfix");
  res.set(http::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_error(const Request& req, http::status status, const std::string& message) {
  auto res = make_response(req, status, "application/json", json_text({{"error", message}}));
  res.set(http::field::cache_control, "no-store");
  return res;
}

Response json_response(const Request& req, unsigned status, const nlohmann::json& body, const char* cache_control) {
  auto res = make_response(req, static_cast<http::status>(status), "application/json", json_text(body));
  res.set(http::field::cache_control, cache_control);
  compress_if_accepted(req, res);
  return res;
}

}  // namespace firstfix::server
