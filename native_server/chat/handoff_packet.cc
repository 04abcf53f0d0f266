#include "native_server/chat/handoff_packet.h"

#include <stdexcept>

#include "native_server/base/crypto.h"
#include "native_server/base/json_fields.h"
#include "native_server/base/text.h"

namespace firstfix::server {

using nlohmann::json;

namespace {
constexpr size_t kMaxTrail = 200;  // entries in a hand-off trail
}  // namespace

json handoff_packet(const json& body, const std::string& user_agent, const FlowDescriber& describe_flow, const IdentityVerifier* identity) {
  if (!body.is_object()) throw std::invalid_argument("the body must be a JSON object");
  for (const auto& [key, value] : body.items())
    if (key != "locale" && key != "page" && key != "customer" && key != "trigger" && key != "trail" && key != "failures")
      throw std::invalid_argument("unknown field '" + key + "' (expected locale, page, customer, trigger, trail, failures)");
  const std::string locale = text_field(body, "locale", 16, true);
  const std::string trigger = text_field(body, "trigger", 32, false);
  if (!trigger.empty() && trigger != "failures" && trigger != "request" && trigger != "frustration" && trigger != "contact")
    throw std::invalid_argument("field 'trigger' must be failures, request, frustration or contact");
  json customer = {{"verified", nullptr}, {"claimed", nullptr}};
  if (auto c = body.find("customer"); c != body.end() && !c->is_null()) {
    if (!c->is_object()) throw std::invalid_argument("field 'customer' must be an object like {\"id\", \"email\", \"name\"}");
    static const IdentityVerifier kNone;
    Identity checked;
    try {
      checked = (identity ? *identity : kNone).check(*c);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("field 'customer': ") + e.what());
    }
    customer["verified"] = checked.verified;
    customer["claimed"] = checked.claimed;
    if (!checked.problem.empty()) customer["signature_problem"] = checked.problem;
  }
  customer["anonymous_id"] = "anon_" + random_hex(8);
  json failures = json::array();
  if (auto f = body.find("failures"); f != body.end()) {
    if (!f->is_array() || f->size() > 50) throw std::invalid_argument("field 'failures' must be a list of at most 50 reasons");
    for (const auto& r : *f) {
      if (!r.is_string() || r.get<std::string>().size() > 500) throw std::invalid_argument("each failure is text of at most 500 bytes");
      failures.push_back(r);
    }
  }
  json trail = json::array();
  if (auto t = body.find("trail"); t != body.end()) {
    if (!t->is_array() || t->size() > kMaxTrail) throw std::invalid_argument("field 'trail' must be a list of at most " + std::to_string(kMaxTrail) + " entries");
    for (size_t i = 0; i < t->size(); ++i) {
      const json& e = (*t)[i];
      const std::string where = "trail[" + std::to_string(i) + "]";
      if (!e.is_object()) throw std::invalid_argument(where + " must be an object");
      const std::string type = text_field(e, "type", 16, true);
      if (type == "search") {
        json shown = e.value("shown", json::array());
        if (!shown.is_array() || shown.size() > 20) throw std::invalid_argument(where + ".shown must be a list of at most 20 ids");
        for (const auto& id : shown)
          if (!id.is_string() || id.get_ref<const std::string&>().size() > 100)
            throw std::invalid_argument(where + ".shown must be a list of ids (text)");
        trail.push_back({{"type", "search"}, {"query", text_field(e, "query", 500, true)}, {"shown", shown},
                         {"clicked", text_field(e, "clicked", 100, false)}});
      } else if (type == "article") {
        json entry = {{"type", "article"}, {"id", text_field(e, "id", 100, true)}, {"title", text_field(e, "title", 300, false)}};
        if (auto v = e.find("helpful"); v != e.end() && v->is_boolean()) entry["helpful"] = *v;
        trail.push_back(entry);
      } else if (type == "flow") {
        // The server's own record of the flow, answers redacted: never what the browser says it did.
        const std::string session = text_field(e, "session", 64, true);
        auto described = describe_flow(session);
        if (!described) throw std::invalid_argument(where + ": no flow session '" + session + "'");
        // Named by its public link: the id is the customer's credential, and the packet goes to agents and helpdesks.
        trail.push_back({{"type", "flow"}, {"session", public_link("fl_", session)}, {"flow", *described}});
      } else {
        throw std::invalid_argument(where + ".type must be search, article or flow");
      }
    }
  }
  const bool mobile = user_agent.find("Mobi") != std::string::npos;
  return {{"customer", customer},
          {"page", text_field(body, "page", 2000, false)},
          {"locale", locale},
          {"device", mobile ? "mobile" : "desktop"},
          {"user_agent", clean_text(user_agent, 300)},
          {"trigger", trigger.empty() ? "contact" : trigger},
          {"failures", failures},
          {"trail", trail}};
}

std::string customer_label(const json& packet, const std::string& fallback) {
  const json& c = packet["customer"];
  for (const char* who : {"verified", "claimed"})
    for (const char* key : {"name", "email"})
      if (c.contains(who) && c[who].is_object() && !c[who].value(key, "").empty()) return c[who].value(key, "");
  return fallback;
}

}  // namespace firstfix::server
