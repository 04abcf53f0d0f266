// The HTTP webhook connector: a flow's action "webhook.<endpoint>.<operation>"
// is POSTed as JSON to the endpoint's URL:
//
//   POST <url>
//   Content-Type: application/json
//   Idempotency-Key: <key>             the same for every retry of this action
//   X-Firstfix-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//   {"operation", "input", "idempotency_key", "flow", "session", "sent_at"}
//
// and answers {"outcome": "<name>", "data": {...}} with a 2xx status. A
// connection failure, a timeout, 429 or 5xx is retried (bounded, with
// exponential backoff and jitter) under the same key, so a receiver that
// honours the key executes the action at most once. Any other answer is an
// error naming the endpoint; nothing is assumed to have happened.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "core/flow/flow.h"
#include "native_server/flows/connector.h"

namespace firstfix::server {

struct WebhookEndpoint {
  std::string name;
  std::string url;  // http:// or https://
  std::string secret;
  std::chrono::milliseconds timeout{5000};  // per attempt
  unsigned retries = 2;                     // after the first attempt
  std::chrono::milliseconds backoff{200};   // before the first retry; doubles each time
  std::string ca_file;                      // https: extra trusted CA (PEM), e.g. for a private CA
};

class WebhookConnector final : public Connector {
 public:
  explicit WebhookConnector(std::map<std::string, WebhookEndpoint> endpoints);
  ActionResult run(const ActionRequest& request) override;
  std::string problem(const std::string& name) const override;
  // One signed POST of `body` to `endpoint` (no retries: the caller keeps a
  // durable outbox). "" when the receiver acknowledged it (2xx), else why not.
  std::string deliver(const std::string& endpoint, const std::string& body, const std::string& key, unsigned attempt) const;

 private:
  std::map<std::string, WebhookEndpoint> endpoints_;
};

// "t=<unix>,v1=<hex>" for `body` at `unix_seconds`: what receivers recompute.
std::string webhook_signature(const std::string& secret, long long unix_seconds, const std::string& body);

struct ConnectorsConfig {
  std::map<std::string, WebhookEndpoint> endpoints;
  std::string handoff_endpoint;                         // receives conversation.opened / .closed; "" for none
  std::chrono::milliseconds handoff_backoff{2000};      // first retry; doubles up to an hour
  flow::ConnectorCatalog catalog;                       // what the endpoints' declared operations answer
};

// Endpoints from a connectors file (YAML):
//   webhooks:
//     crm:
//       url: https://crm.example.com/hooks/firstfix
//       secret_env: CRM_WEBHOOK_SECRET     # the signing secret comes from the environment
//       timeout_ms: 5000                   # optional
//       retries: 2                         # optional, 0..5
//       backoff_ms: 200                    # optional
//       ca_file: /etc/ssl/private-ca.pem   # optional
//       operations:                        # optional: what each operation answers (outcome: [result keys]),
//         open_ticket:                     # so `firstfix check` reports outcomes a flow does not handle
//           created: [ticket_id]
//           duplicate: [ticket_id]
//   handoff:
//     webhook: crm        # posts each conversation's hand-off packet, and its transcript at close
// Throws std::runtime_error naming the file, line and field of a problem.
// Checking content needs no secrets (`need_secrets` false).
ConnectorsConfig load_connectors_config(const std::string& path, bool need_secrets = true);

}  // namespace firstfix::server
