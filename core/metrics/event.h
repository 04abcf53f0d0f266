// What the widget records for the reports: one event per thing a customer
// did, with the widget's own id for it (a resend is counted once), the visit
// it belongs to, and a pseudonymous visitor id at most. Parsed and checked
// here, the same way in the widget's Worker and on the server, so a
// malformed event is refused with the field that is wrong.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace firstfix::metrics {

enum class EventType {
  kSearch,              // a query that settled (not every keystroke): query, results, search_id
  kResultClick,         // search_id, position (1-based), target, kind (article|flow)
  kArticleView,         // target
  kVote,                // target, helpful, text (an optional comment)
  kFlowStart,           // target (the flow), session, outcome (optional): who, verified | claimed | anonymous
  kFlowStep,            // target, session, step, outcome: ok | invalid | failed
  kFlowDone,            // target, session, outcome: the done state (resolved, unresolved, ...)
  kEscalationOffered,   // outcome: the trigger (failures, request, frustration)
  kEscalationAccepted,  // outcome: the trigger (or contact: the footer's button)
  kEscalationDeclined,  // outcome: the trigger
  kChatStarted,         // session (the conversation), outcome: queued | ticket
  kChatClosed,          // session, outcome: the disposition
  kSurvey,              // about (flow|chat), session, score 1..5, text
};
const char* to_string(EventType t);

struct Event {
  std::string id;          // the widget's id for it, 8 to 64 characters
  EventType type = EventType::kSearch;
  std::string visit;       // 8 to 64 characters
  std::string visitor;     // pseudonymous, may be empty
  std::int64_t at_ms = 0;  // when it happened, by the page's clock
  std::int64_t seq = 0;    // its place in the visit: orders events with the same at_ms
  std::string locale;
  std::string query;       // search: scrubbed of personal data
  int results = 0;         // search
  std::string search_id;   // search, result_click
  int position = 0;        // result_click
  std::string kind;        // result_click: article | flow
  std::string target;      // article or flow id
  std::string session;     // flow session or conversation
  std::string step;        // flow_step
  std::string outcome;     // see EventType
  bool helpful = false;    // vote
  std::string about;       // survey
  int score = 0;           // survey
  std::string text;        // vote or survey comment: scrubbed of personal data
};

class EventError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Checks every field (unknown fields too) and scrubs free text; throws
// EventError whose message starts with the field's name ("position: ...").
Event parse_event(const nlohmann::json& j);
nlohmann::json to_json(const Event& e);

}  // namespace firstfix::metrics
