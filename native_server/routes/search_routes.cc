// The search API and article bodies: what the widget asks the server while
// its own engine warms up (and what the demo site's pages show).
#include <filesystem>

#include "core/content/suggested.h"
#include "core/search/json.h"
#include "native_server/base/files.h"
#include "native_server/base/text.h"
#include "native_server/routes/services.h"

namespace fs = std::filesystem;

namespace firstfix::server {
namespace {

// Query parameters of /api/v1/search, as a JSON request for core/search/json.h.
nlohmann::json search_params(const std::vector<std::pair<std::string, std::string>>& params) {
  static const std::map<std::string, std::string, std::less<>> kinds = {
      {"q", "string"},    {"locale", "string"}, {"category", "list"}, {"tag", "list"},     {"kind", "string"},
      {"limit", "count"}, {"offset", "count"},  {"as_you_type", "bool"}, {"facets", "bool"}, {"spelling", "bool"}};
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : params) {
    auto kind = kinds.find(key);
    if (kind == kinds.end()) throw std::invalid_argument("unknown parameter '" + printable(key, 40) + "'");
    if (kind->second == "string") {
      j[key] = value;
    } else if (kind->second == "list") {
      if (j[key].size() >= 20) throw std::invalid_argument("parameter '" + key + "' is repeated more than 20 times");
      j[key].push_back(value);
    } else if (kind->second == "bool") {
      if (value != "true" && value != "false" && value != "1" && value != "0")
        throw std::invalid_argument("parameter '" + key + "' must be true or false");
      j[key] = value == "true" || value == "1";
    } else {
      if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument("parameter '" + key + "' must be a non-negative integer");
      j[key] = std::stoll(value);
    }
  }
  return j;
}

}  // namespace

void add_search_routes(Router& router, const Services& s) {
  router.add({.method = http::verb::get, .path = "/api/v1/search", .operation_id = "search",
              .handler = [s](Call& c) {
                const auto request = search::request_from_json(search_params(c.query));
                const auto content = s.content();
                return json_response(c.req, 200, search::to_json(s.searcher(*content).search(request)));
              },
              .runs = Runs::search, .cors = Cors::any_origin, .rate_limit = "search"});

  // The panel's opening list for a page, before anything is typed: the
  // Worker answers it from the loader's config; this is for the moments
  // before the Worker is ready. The same core function either way.
  router.add({.method = http::verb::get, .path = "/api/v1/suggested", .operation_id = "suggested",
              .handler = [s](Call& c) {
                std::string page, locale;
                for (const auto& [key, value] : c.query) {
                  if (key == "page") page = value;
                  else if (key == "locale") locale = value;
                  else throw std::invalid_argument("unknown parameter '" + printable(key, 40) + "' (expected page, locale)");
                }
                if (page.size() > 4096) throw std::invalid_argument("parameter 'page' is longer than 4096 bytes");
                if (locale.size() > 35) throw std::invalid_argument("parameter 'locale' is longer than 35 bytes");
                const auto suggested = s.suggested();
                return json_response(c.req, 200, content::suggested_for_page(*suggested, page, locale));
              },
              .runs = Runs::search, .cors = Cors::any_origin, .rate_limit = "search"});

  router.add({.method = http::verb::get, .path = "/api/v1/articles/{id}", .operation_id = "getArticle",
              .handler = [s](Call& c) {
                const auto content = s.content();
                auto it = content->articles.find(c.param("id"));
                if (it == content->articles.end()) throw HttpError(404, "no article with id '" + printable(c.param("id"), 100) + "'");
                nlohmann::json body = it->second;
                body["html"] = read_file(fs::path(content->dist_dir) / it->second["html"].get<std::string>());
                return json_response(c.req, 200, body, "public, max-age=60");
              },
              .runs = Runs::search, .cors = Cors::any_origin});

  router.add({.method = http::verb::get, .path = "/healthz", .operation_id = "health",
              .handler = [s](Call& c) {
                const auto content = s.content();
                return json_response(c.req, 200, {{"status", "ok"}, {"articles", content->manifest["articles"].size()},
                                                  {"flows", content->manifest["flows"].size()},
                                                  {"content", {{"version", content->version}, {"since", content->loaded_ms}}}});
              },
              .cors = Cors::any_origin});
}

std::string idempotency_key(const Call& call) {
  const std::string key = call.header("Idempotency-Key");
  if (key.size() > 64 || key.find_first_not_of("!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
                                               "abcdefghijklmnopqrstuvwxyz{|}~") != std::string::npos)
    throw HttpError(400, "the Idempotency-Key header must be 1 to 64 printable ASCII characters");
  return key;
}

}  // namespace firstfix::server
