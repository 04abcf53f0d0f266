// The hand-off packet: everything a person needs to help without asking the
// customer to tell it again (who, where, why, and the trail of searches,
// articles and flows), built from what the widget sends, checked field by
// field, and from the server's own record of each flow, never the browser's.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>

#include "native_server/identity/identity_verifier.h"

namespace firstfix::server {

// A flow session as an agent should see it (answers redacted), or nullopt for no such session.
using FlowDescriber = std::function<std::optional<nlohmann::json>(const std::string& session_id)>;

// The packet for the body of POST /api/v1/chat/conversations. Throws
// std::invalid_argument naming the field that is wrong. The customer is
// {"verified": what a signature `identity` verified covers, or null,
//  "claimed": what the page said that no signature covers, or null,
//  "signature_problem": why a signature was refused (only then),
//  "anonymous_id"}: a refused signature never stops a customer reaching a
// person; the agent sees that it was refused, and why.
nlohmann::json handoff_packet(const nlohmann::json& body, const std::string& user_agent, const FlowDescriber& describe_flow,
                              const IdentityVerifier* identity = nullptr);

// What to call the customer: a verified name or email, then a claimed one, else `fallback`.
std::string customer_label(const nlohmann::json& packet, const std::string& fallback);

}  // namespace firstfix::server
