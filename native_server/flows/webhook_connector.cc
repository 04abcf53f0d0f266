#include "native_server/flows/webhook_connector.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url.hpp>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <thread>

#include "native_server/base/crypto.h"

namespace firstfix::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

// Why an attempt failed, and whether trying again may help.
struct AttemptFailure {
  std::string why;
  bool retryable;
};

struct Target {
  bool tls = false;
  std::string host, port, path;
};

Target parse_target(const std::string& url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) throw std::invalid_argument("'" + url + "' is not an absolute URL");
  Target t;
  if (u->scheme() == "https") t.tls = true;
  else if (u->scheme() != "http") throw std::invalid_argument("'" + url + "' must use http or https");
  t.host = u->host();
  if (t.host.empty()) throw std::invalid_argument("'" + url + "' has no host");
  t.port = u->has_port() ? std::string(u->port()) : (t.tls ? "443" : "80");
  t.path = u->encoded_target().empty() ? "/" : std::string(u->encoded_target());
  return t;
}

// One POST with a deadline for the whole exchange (connect, TLS, write, read).
http::response<http::string_body> post_once(const WebhookEndpoint& e, const Target& t, const http::request<http::string_body>& req) {
  asio::io_context ioc;
  http::response<http::string_body> res;
  beast::error_code failure;
  tcp::resolver resolver(ioc);
  const auto resolved = resolver.resolve(t.host, t.port, failure);
  if (failure) throw AttemptFailure{"cannot resolve " + t.host + ": " + failure.message(), true};
  beast::flat_buffer buffer;
  auto done = [&](beast::error_code ec, std::size_t = 0) { if (ec) failure = ec; };
  if (!t.tls) {
    beast::tcp_stream stream(ioc);
    stream.expires_after(e.timeout);
    stream.async_connect(resolved, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return done(ec);
      http::async_write(stream, req, [&](beast::error_code ec2, std::size_t) {
        if (ec2) return done(ec2);
        http::async_read(stream, buffer, res, done);
      });
    });
    ioc.run();
  } else {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    if (!e.ca_file.empty()) ctx.load_verify_file(e.ca_file);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str()))
      throw AttemptFailure{"cannot set TLS server name for " + t.host, false};
    stream.set_verify_callback(asio::ssl::host_name_verification(t.host));
    beast::get_lowest_layer(stream).expires_after(e.timeout);
    beast::get_lowest_layer(stream).async_connect(resolved, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return done(ec);
      stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code ec2) {
        if (ec2) return done(ec2);
        http::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
          if (ec3) return done(ec3);
          http::async_read(stream, buffer, res, done);
        });
      });
    });
    ioc.run();
  }
  if (failure == beast::error::timeout)
    throw AttemptFailure{"no answer within " + std::to_string(e.timeout.count()) + " ms", true};
  if (failure) throw AttemptFailure{failure.message(), true};
  return res;
}

long long unix_now();

// One signed POST; a 2xx answer is returned, anything else throws AttemptFailure.
http::response<http::string_body> post_signed(const WebhookEndpoint& e, const Target& target, const std::string& body,
                                              const std::string& key, unsigned attempt) {
  http::request<http::string_body> req{http::verb::post, target.path, 11};
  req.set(http::field::host, target.host);
  req.set(http::field::user_agent, "firstfix-webhook/1");
  req.set(http::field::content_type, "application/json");
  req.set("Idempotency-Key", key);
  // Signed per attempt: the timestamp lets receivers refuse stale replays.
  req.set("X-Firstfix-Signature", webhook_signature(e.secret, unix_now(), body));
  req.set("X-Firstfix-Attempt", std::to_string(attempt));
  req.body() = body;
  req.prepare_payload();
  auto res = post_once(e, target, req);
  const unsigned status = res.result_int();
  if (status == 429 || status >= 500) throw AttemptFailure{"HTTP " + std::to_string(status), true};
  if (status < 200 || status >= 300) throw AttemptFailure{"HTTP " + std::to_string(status), false};
  return res;
}

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::chrono::milliseconds jittered(std::chrono::milliseconds base) {
  unsigned char r = 0;
  RAND_bytes(&r, 1);
  return base + base * r / 512;  // up to +50%, so retries from many servers spread out
}

}  // namespace

std::string webhook_signature(const std::string& secret, long long unix_seconds, const std::string& body) {
  return "t=" + std::to_string(unix_seconds) + ",v1=" + hmac_sha256_hex(secret, std::to_string(unix_seconds) + "." + body);
}

WebhookConnector::WebhookConnector(std::map<std::string, WebhookEndpoint> endpoints) : endpoints_(std::move(endpoints)) {
  for (const auto& [name, e] : endpoints_) parse_target(e.url);  // a bad URL fails at startup, not in front of a customer
}

std::string WebhookConnector::deliver(const std::string& endpoint, const std::string& body, const std::string& key,
                                     unsigned attempt) const {
  auto it = endpoints_.find(endpoint);
  if (it == endpoints_.end()) return "no webhook endpoint '" + endpoint + "' is configured";
  try {
    post_signed(it->second, parse_target(it->second.url), body, key, attempt);
    return "";
  } catch (const AttemptFailure& f) {
    return f.why;
  } catch (const std::exception& x) {
    return x.what();
  }
}

std::string WebhookConnector::problem(const std::string& connector) const {
  const std::string rest = connector.substr(connector.find('.') + 1);
  const auto dot = rest.find('.');
  if (dot == std::string::npos || dot + 1 == rest.size()) return "it names no operation (expected webhook.<endpoint>.<operation>)";
  if (!endpoints_.count(rest.substr(0, dot))) return "no webhook endpoint '" + rest.substr(0, dot) + "' is configured (serve --connectors)";
  return "";
}

ActionResult WebhookConnector::run(const ActionRequest& request) {
  // "webhook.<endpoint>.<operation>"
  const std::string rest = request.connector.substr(request.connector.find('.') + 1);
  const auto dot = rest.find('.');
  const std::string name = rest.substr(0, dot);
  auto it = endpoints_.find(name);
  if (it == endpoints_.end()) throw ConnectorError("no webhook endpoint '" + name + "' is configured");
  if (dot == std::string::npos || dot + 1 == rest.size())
    throw ConnectorError("'" + request.connector + "' names no operation (expected webhook.<endpoint>.<operation>)");
  const WebhookEndpoint& e = it->second;
  const Target target = parse_target(e.url);
  const std::string body = json{{"operation", rest.substr(dot + 1)},
                                {"input", request.input},
                                {"idempotency_key", request.idempotency_key},
                                {"flow", request.flow_id},
                                {"session", request.session_id},
                                {"sent_at", unix_now()}}
                               .dump();
  std::string last_failure;
  auto backoff = e.backoff;
  for (unsigned attempt = 0; attempt <= e.retries; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(jittered(backoff));
      backoff *= 2;
    }
    try {
      auto res = post_signed(e, target, body, request.idempotency_key, attempt + 1);
      json answer = json::parse(res.body(), nullptr, false);
      if (answer.is_discarded() || !answer.is_object() || !answer.contains("outcome") || !answer["outcome"].is_string())
        throw AttemptFailure{"the answer is not {\"outcome\": ..., \"data\": {...}}", false};
      ActionResult result{answer["outcome"].get<std::string>(), answer.value("data", json::object())};
      if (!result.data.is_object()) throw AttemptFailure{"'data' must be an object", false};
      return result;
    } catch (const AttemptFailure& f) {
      last_failure = f.why;
      if (!f.retryable) break;
    } catch (const std::exception& x) {  // TLS setup, CA file
      last_failure = x.what();
      break;
    }
  }
  throw ConnectorError("webhook '" + name + "' failed: " + last_failure);
}

namespace {

// operations: {open_ticket: {created: [ticket_id], duplicate: []}}: what an
// endpoint's operations answer, so `firstfix check` can hold flows to it.
template <typename Where>
void read_operations(const YAML::Node& ops, const std::string& prefix, const Where& where, flow::ConnectorCatalog& catalog) {
  if (!ops.IsMap()) throw std::runtime_error(where(ops) + "'operations' maps each operation to its outcomes and their result keys");
  for (const auto& op : ops) {
    auto& spec = catalog.connectors[prefix + "." + op.first.as<std::string>()];
    if (!op.second.IsMap() || op.second.size() == 0)
      throw std::runtime_error(where(op.second) + "operation '" + op.first.as<std::string>() + "' needs its outcomes, like {created: [ticket_id]}");
    for (const auto& outcome : op.second) {
      auto& keys = spec.outcomes[outcome.first.as<std::string>()];
      if (outcome.second.IsNull()) continue;
      if (!outcome.second.IsSequence()) throw std::runtime_error(where(outcome.second) + "an outcome lists the result keys it always carries, like [ticket_id]");
      for (const auto& key : outcome.second) keys.push_back(key.as<std::string>());
    }
  }
}

}  // namespace

ConnectorsConfig load_connectors_config(const std::string& path, bool need_secrets) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& x) {
    throw std::runtime_error(path + ":" + std::to_string(x.mark.line + 1) + ":" + std::to_string(x.mark.column + 1) + ": " + x.msg);
  }
  auto where = [&](const YAML::Node& n) {
    return path + ":" + std::to_string(n.Mark().line + 1) + ":" + std::to_string(n.Mark().column + 1) + ": ";
  };
  ConnectorsConfig config;
  auto& out = config.endpoints;
  if (!root.IsMap()) throw std::runtime_error(path + ":1:1: expected a map with 'webhooks'");
  YAML::Node handoff;
  bool has_handoff = false;
  for (const auto& top : root) {
    if (top.first.as<std::string>() == "handoff") {
      handoff = top.second;
      has_handoff = true;
      continue;
    }
    if (top.first.as<std::string>() != "webhooks") throw std::runtime_error(where(top.first) + "unknown key '" + top.first.as<std::string>() + "' (expected webhooks, handoff)");
    if (!top.second.IsMap()) throw std::runtime_error(where(top.second) + "'webhooks' must map endpoint names to settings");
    for (const auto& entry : top.second) {
      WebhookEndpoint e;
      e.name = entry.first.as<std::string>();
      const YAML::Node& n = entry.second;
      if (!n.IsMap()) throw std::runtime_error(where(n) + "webhook '" + e.name + "' must be a map");
      for (const auto& field : n) {
        const std::string key = field.first.as<std::string>();
        const std::string value = field.second.IsScalar() ? field.second.as<std::string>() : "";
        auto number = [&](long lo, long hi) {
          char* end = nullptr;
          long v = std::strtol(value.c_str(), &end, 10);
          if (value.empty() || *end || v < lo || v > hi)
            throw std::runtime_error(where(field.second) + "'" + key + "' must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
          return v;
        };
        if (key == "url") e.url = value;
        else if (key == "secret_env") {
          const char* secret = std::getenv(value.c_str());
          if (!need_secrets) secret = "(not needed to check content)";
          if (!secret || !*secret) throw std::runtime_error(where(field.second) + "environment variable " + value + " (the signing secret of webhook '" + e.name + "') is not set");
          e.secret = secret;
        } else if (key == "timeout_ms") e.timeout = std::chrono::milliseconds(number(50, 60000));
        else if (key == "retries") e.retries = static_cast<unsigned>(number(0, 5));
        else if (key == "backoff_ms") e.backoff = std::chrono::milliseconds(number(0, 10000));
        else if (key == "ca_file") e.ca_file = value;
        else if (key == "operations") read_operations(field.second, "webhook." + e.name, where, config.catalog);
        else throw std::runtime_error(where(field.first) + "unknown setting '" + key + "' (expected url, secret_env, timeout_ms, retries, backoff_ms, ca_file, operations)");
      }
      if (!n["operations"]) config.catalog.open_prefixes.push_back("webhook." + e.name);
      if (e.url.empty()) throw std::runtime_error(where(n) + "webhook '" + e.name + "' needs a 'url'");
      if (e.secret.empty()) throw std::runtime_error(where(n) + "webhook '" + e.name + "' needs 'secret_env' naming its signing secret");
      try {
        parse_target(e.url);
      } catch (const std::invalid_argument& x) {
        throw std::runtime_error(where(n["url"]) + x.what());
      }
      out.emplace(e.name, std::move(e));
    }
  }
  if (has_handoff) {
    if (!handoff.IsMap()) throw std::runtime_error(where(handoff) + "'handoff' must be a map like {webhook: crm}");
    for (const auto& field : handoff) {
      const std::string key = field.first.as<std::string>();
      const std::string value = field.second.IsScalar() ? field.second.as<std::string>() : "";
      if (key == "webhook") config.handoff_endpoint = value;
      else if (key == "backoff_ms") {
        char* end = nullptr;
        long v = std::strtol(value.c_str(), &end, 10);
        if (value.empty() || *end || v < 10 || v > 3600000) throw std::runtime_error(where(field.second) + "'backoff_ms' must be a whole number from 10 to 3600000");
        config.handoff_backoff = std::chrono::milliseconds(v);
      } else {
        throw std::runtime_error(where(field.first) + "unknown setting '" + key + "' (expected webhook, backoff_ms)");
      }
    }
    if (!out.count(config.handoff_endpoint))
      throw std::runtime_error(where(handoff) + "'handoff.webhook' must name one of the webhooks ('" + config.handoff_endpoint + "' is not one)");
  }
  return config;
}

}  // namespace firstfix::server
