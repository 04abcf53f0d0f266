// The hand-off packet: everything a person needs to help without asking the
// customer to tell it again (who, where, why, and the trail of searches,
// articles and flows), built from what the widget sends, checked field by
// field, and from the server's own record of each flow, never the browser's.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>

namespace firstfix::server {

// A flow session as an agent should see it (answers redacted), or nullopt for no such session.
using FlowDescriber = std::function<std::optional<nlohmann::json>(const std::string& session_id)>;

// The packet for the body of POST /api/v1/chat/conversations. Throws
// std::invalid_argument naming the field that is wrong.
nlohmann::json handoff_packet(const nlohmann::json& body, const std::string& user_agent, const FlowDescriber& describe_flow);

}  // namespace firstfix::server
