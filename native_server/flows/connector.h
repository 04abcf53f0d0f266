// Connectors complete a flow's actions against back-end systems. A flow
// names one ("demo.track_order", "webhook.crm") with an input built from
// the customer's answers; the connector answers with a named outcome the
// flow maps to its next step, plus data the flow may quote.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace firstfix::server {

struct ActionRequest {
  std::string connector;        // as the flow names it, e.g. "demo.track_order"
  nlohmann::json input;         // parameter -> answer, unredacted
  std::string idempotency_key;  // the same key for a retry of the same action
  std::string flow_id, session_id;
};

struct ActionResult {
  std::string outcome;
  nlohmann::json data = nlohmann::json::object();
};

// The action could not be completed (unreachable, timed out, malformed
// answer): nothing is known to have happened; it is safe to retry with the
// same idempotency key.
class ConnectorError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Connector {
 public:
  virtual ~Connector() = default;
  // Runs `request`; the same idempotency key must never run twice.
  // Throws ConnectorError.
  virtual ActionResult run(const ActionRequest& request) = 0;
  // Why `name` cannot be served (checked at startup), or "" when it can.
  virtual std::string problem(const std::string& name) const = 0;
};

}  // namespace firstfix::server
