// When to offer a person: the escalation policy, shared by the widget (in
// WebAssembly) and the server (natively), so both make the same call.
//
// Self-service failures are counted per conversation: a flow step that
// failed, a flow that ended unresolved, "this didn't solve it", an article
// voted not helpful, and a search that found nothing right after another
// that found nothing. The second failure (configurable) offers chat. A
// customer who asks for a person, or is plainly upset, is offered one at
// once. The offer is a choice: declining keeps self-service going, and the
// next offer waits for a new failure or a new request.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace firstfix::escalation {

struct PolicyConfig {
  unsigned failure_threshold = 2;
  bool offer_on_request = true;
  bool offer_on_frustration = true;
  // Searches in a row, with nothing read between them, that count as
  // rephrasing the same problem (a frustration signal).
  unsigned rephrase_threshold = 4;
};

enum class Trigger { kNone, kFailures, kRequest, kFrustration };
const char* to_string(Trigger t);

struct Decision {
  bool offer = false;
  Trigger trigger = Trigger::kNone;
  std::string why;  // for the agent: "2 self-service failures", "asked for a person: 'talk to a human'"
};

// What the customer said, as far as the policy is concerned.
struct TextSignals {
  bool asks_for_person = false;
  bool frustrated = false;
  std::string matched;  // the phrase or signal that decided it
};

// Looks for an explicit request for a person and for frustration (a
// multilingual lexicon, all-caps shouting, repeated "!!!"), in any of the
// supported languages whatever the page's locale.
TextSignals read_text(std::string_view text, std::string_view locale);

class Conversation {
 public:
  explicit Conversation(PolicyConfig config = {}) : config_(config) {}

  Decision search(std::string_view query, size_t results, std::string_view locale);
  Decision article_read();                                 // a customer reading is not rephrasing
  Decision article_vote(bool helpful, std::string_view id);
  Decision failure(std::string reason);                    // a flow's failed step, an unresolved end, "not solved"
  Decision text(std::string_view message, std::string_view locale);  // anything typed to us
  // The customer said no to the offer: self-service goes on.
  void decline();
  // The customer accepted: a chat is under way; no more offers.
  void accept();

  size_t failures() const { return reasons_.size(); }
  const std::vector<std::string>& reasons() const { return reasons_; }
  const Decision& last_offer() const { return last_offer_; }

  nlohmann::json to_json() const;
  static Conversation from_json(const nlohmann::json& j, PolicyConfig config = {});  // throws std::invalid_argument

 private:
  Decision decide(Trigger immediate, const std::string& why);

  PolicyConfig config_;
  std::vector<std::string> reasons_;
  bool last_search_empty_ = false;
  unsigned searches_since_read_ = 0;
  size_t failures_at_decline_ = 0;
  bool declined_ = false;
  bool accepted_ = false;
  Decision last_offer_;
};

}  // namespace firstfix::escalation
