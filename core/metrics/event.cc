#include "core/metrics/event.h"

#include <array>
#include <cctype>
#include <set>

#include "core/metrics/scrub.h"

namespace firstfix::metrics {
namespace {

using nlohmann::json;

struct TypeName {
  EventType type;
  const char* name;
};
constexpr std::array<TypeName, 13> kTypes = {{
    {EventType::kSearch, "search"},
    {EventType::kResultClick, "result_click"},
    {EventType::kArticleView, "article_view"},
    {EventType::kVote, "vote"},
    {EventType::kFlowStart, "flow_start"},
    {EventType::kFlowStep, "flow_step"},
    {EventType::kFlowDone, "flow_done"},
    {EventType::kEscalationOffered, "escalation_offered"},
    {EventType::kEscalationAccepted, "escalation_accepted"},
    {EventType::kEscalationDeclined, "escalation_declined"},
    {EventType::kChatStarted, "chat_started"},
    {EventType::kChatClosed, "chat_closed"},
    {EventType::kSurvey, "survey"},
}};

// 2000-01-01 to 2100-01-01: a page clock outside that is broken.
constexpr std::int64_t kEarliest = 946684800000LL, kLatest = 4102444800000LL;

bool id_chars(std::string_view s) {
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  return true;
}

std::string text(const json& j, const char* key, size_t min, size_t max, bool id = false) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (min > 0) throw EventError(std::string(key) + ": is required");
    return "";
  }
  if (!it->is_string()) throw EventError(std::string(key) + ": must be text");
  const std::string& s = it->get_ref<const std::string&>();
  if (s.size() < min || s.size() > max)
    throw EventError(std::string(key) + ": must be " + std::to_string(min) + " to " + std::to_string(max) + " bytes");
  if (id && !id_chars(s)) throw EventError(std::string(key) + ": may hold only letters, digits and - _ . :");
  if (s.find('\0') != std::string::npos) throw EventError(std::string(key) + ": contains a NUL character");
  return s;
}

std::int64_t integer(const json& j, const char* key, std::int64_t min, std::int64_t max) {
  auto it = j.find(key);
  if (it == j.end()) throw EventError(std::string(key) + ": is required");
  if (!it->is_number_integer()) throw EventError(std::string(key) + ": must be a whole number");
  const auto v = it->get<std::int64_t>();
  if (v < min || v > max) throw EventError(std::string(key) + ": must be " + std::to_string(min) + " to " + std::to_string(max));
  return v;
}

std::string one_of(const json& j, const char* key, std::initializer_list<const char*> allowed) {
  const std::string v = text(j, key, 1, 32);
  std::string list;
  for (const char* a : allowed) {
    if (v == a) return v;
    list += std::string(list.empty() ? "" : ", ") + a;
  }
  throw EventError(std::string(key) + ": must be one of " + list + " (not '" + v + "')");
}

}  // namespace

const char* to_string(EventType t) {
  for (const auto& [type, name] : kTypes)
    if (type == t) return name;
  return "?";
}

Event parse_event(const json& j) {
  if (!j.is_object()) throw EventError("an event must be a JSON object");
  Event e;
  const std::string type = text(j, "type", 1, 32);
  bool known = false;
  for (const auto& [t, name] : kTypes)
    if (type == name) {
      e.type = t;
      known = true;
    }
  if (!known) throw EventError("type: unknown event type '" + type + "'");

  static const std::set<std::string> common = {"id", "type", "visit", "visitor", "at", "seq", "locale"};
  std::set<std::string> allowed = common;
  switch (e.type) {
    case EventType::kSearch: allowed.insert({"query", "results", "search_id"}); break;
    case EventType::kResultClick: allowed.insert({"search_id", "position", "target", "kind"}); break;
    case EventType::kArticleView: allowed.insert({"target"}); break;
    case EventType::kVote: allowed.insert({"target", "helpful", "text"}); break;
    case EventType::kFlowStart: allowed.insert({"target", "session", "outcome"}); break;
    case EventType::kFlowStep: allowed.insert({"target", "session", "step", "outcome"}); break;
    case EventType::kFlowDone: allowed.insert({"target", "session", "outcome"}); break;
    case EventType::kEscalationOffered:
    case EventType::kEscalationAccepted:
    case EventType::kEscalationDeclined: allowed.insert({"outcome"}); break;
    case EventType::kChatStarted:
    case EventType::kChatClosed: allowed.insert({"session", "outcome"}); break;
    case EventType::kSurvey: allowed.insert({"about", "session", "score", "text"}); break;
  }
  for (const auto& [key, value] : j.items())
    if (!allowed.count(key)) throw EventError(key + ": not a field of a " + type + " event");

  e.id = text(j, "id", 8, 64, true);
  e.visit = text(j, "visit", 8, 64, true);
  e.visitor = text(j, "visitor", 0, 64, true);
  e.at_ms = integer(j, "at", kEarliest, kLatest);
  e.seq = integer(j, "seq", 0, 1000000);
  e.locale = text(j, "locale", 2, 16, true);

  switch (e.type) {
    case EventType::kSearch:
      e.query = scrub_personal_data(text(j, "query", 1, 500));
      e.results = static_cast<int>(integer(j, "results", 0, 1000000));
      e.search_id = text(j, "search_id", 1, 64, true);
      break;
    case EventType::kResultClick:
      e.search_id = text(j, "search_id", 1, 64, true);
      e.position = static_cast<int>(integer(j, "position", 1, 1000));
      e.target = text(j, "target", 1, 100, true);
      e.kind = one_of(j, "kind", {"article", "flow"});
      break;
    case EventType::kArticleView:
      e.target = text(j, "target", 1, 100, true);
      break;
    case EventType::kVote: {
      e.target = text(j, "target", 1, 100, true);
      auto h = j.find("helpful");
      if (h == j.end() || !h->is_boolean()) throw EventError("helpful: must be true or false");
      e.helpful = h->get<bool>();
      e.text = scrub_personal_data(text(j, "text", 0, 2000));
      break;
    }
    case EventType::kFlowStart:
      e.target = text(j, "target", 1, 100, true);
      e.session = text(j, "session", 1, 64, true);
      // Who started it: a customer the host site signed (the server said so), one the page only named, or nobody known.
      if (j.contains("outcome")) e.outcome = one_of(j, "outcome", {"verified", "claimed", "anonymous"});
      break;
    case EventType::kFlowStep:
      e.target = text(j, "target", 1, 100, true);
      e.session = text(j, "session", 1, 64, true);
      e.step = text(j, "step", 1, 100, true);
      e.outcome = one_of(j, "outcome", {"ok", "invalid", "failed"});
      break;
    case EventType::kFlowDone:
      e.target = text(j, "target", 1, 100, true);
      e.session = text(j, "session", 1, 64, true);
      e.outcome = text(j, "outcome", 1, 32, true);
      break;
    case EventType::kEscalationOffered:
    case EventType::kEscalationDeclined:
      e.outcome = one_of(j, "outcome", {"failures", "request", "frustration"});
      break;
    case EventType::kEscalationAccepted:
      e.outcome = one_of(j, "outcome", {"failures", "request", "frustration", "contact"});
      break;
    case EventType::kChatStarted:
      e.session = text(j, "session", 1, 64, true);
      e.outcome = one_of(j, "outcome", {"queued", "ticket"});
      break;
    case EventType::kChatClosed:
      e.session = text(j, "session", 1, 64, true);
      e.outcome = text(j, "outcome", 0, 32, true);
      break;
    case EventType::kSurvey:
      e.about = one_of(j, "about", {"flow", "chat"});
      e.session = text(j, "session", 1, 64, true);
      e.score = static_cast<int>(integer(j, "score", 1, 5));
      e.text = scrub_personal_data(text(j, "text", 0, 2000));
      break;
  }
  return e;
}

json to_json(const Event& e) {
  json j = {{"id", e.id}, {"type", to_string(e.type)}, {"visit", e.visit}, {"at", e.at_ms}, {"seq", e.seq}, {"locale", e.locale}};
  if (!e.visitor.empty()) j["visitor"] = e.visitor;
  switch (e.type) {
    case EventType::kSearch: j.update({{"query", e.query}, {"results", e.results}, {"search_id", e.search_id}}); break;
    case EventType::kResultClick:
      j.update({{"search_id", e.search_id}, {"position", e.position}, {"target", e.target}, {"kind", e.kind}});
      break;
    case EventType::kArticleView: j["target"] = e.target; break;
    case EventType::kVote:
      j.update({{"target", e.target}, {"helpful", e.helpful}});
      if (!e.text.empty()) j["text"] = e.text;
      break;
    case EventType::kFlowStart:
      j.update({{"target", e.target}, {"session", e.session}});
      if (!e.outcome.empty()) j["outcome"] = e.outcome;
      break;
    case EventType::kFlowStep: j.update({{"target", e.target}, {"session", e.session}, {"step", e.step}, {"outcome", e.outcome}}); break;
    case EventType::kFlowDone: j.update({{"target", e.target}, {"session", e.session}, {"outcome", e.outcome}}); break;
    case EventType::kEscalationOffered:
    case EventType::kEscalationAccepted:
    case EventType::kEscalationDeclined: j["outcome"] = e.outcome; break;
    case EventType::kChatStarted:
    case EventType::kChatClosed: j.update({{"session", e.session}, {"outcome", e.outcome}}); break;
    case EventType::kSurvey:
      j.update({{"about", e.about}, {"session", e.session}, {"score", e.score}});
      if (!e.text.empty()) j["text"] = e.text;
      break;
  }
  return j;
}

}  // namespace firstfix::metrics
