#include "core/escalation/policy.h"

#include <map>
#include <memory>
#include <mutex>

#include "core/escalation/lexicon.h"
#include "core/text/analyzer.h"

namespace firstfix::escalation {
namespace {

using nlohmann::json;

struct Phrase {
  std::vector<std::string> words;
  std::string_view text;
  bool request;  // else frustration
};

// The lexicon as word sequences, made by the analyzer of `locale` so they
// fold exactly as the customer's text does. Built once per locale.
const std::vector<Phrase>& phrases(const text::Analyzer& analyzer) {
  static std::mutex mu;
  static std::map<std::string, std::vector<Phrase>> by_locale;
  std::lock_guard lock(mu);
  auto [it, fresh] = by_locale.try_emplace(analyzer.locale());
  if (fresh) {
    for (bool request : {true, false})
      for (const auto& e : request ? person_requests() : frustration_words()) {
        Phrase p{{}, e.phrase, request};
        for (const auto& t : analyzer.analyze(e.phrase)) p.words.push_back(t.word);
        if (!p.words.empty()) it->second.push_back(std::move(p));
      }
  }
  return it->second;
}

const text::Analyzer& analyzer_for(std::string_view locale) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<text::Analyzer>, std::less<>> analyzers;
  std::lock_guard lock(mu);
  const std::string_view code = text::find_locale(locale) ? locale : std::string_view("en");
  auto it = analyzers.find(code);
  if (it == analyzers.end()) it = analyzers.emplace(std::string(code), std::make_unique<text::Analyzer>(code)).first;
  return *it->second;
}

// SHOUTING: enough cased letters, nearly all of them capitals.
bool shouting(std::string_view s) {
  size_t upper = 0, lower = 0, words = 0;
  bool in_word = false;
  for (char c : s) {
    const bool up = c >= 'A' && c <= 'Z', low = c >= 'a' && c <= 'z';
    upper += up;
    lower += low;
    if ((up || low) && !in_word) ++words;
    in_word = up || low;
  }
  return words >= 2 && upper >= 10 && upper * 10 >= (upper + lower) * 9;
}

bool exclaiming(std::string_view s) {
  size_t run = 0;
  for (char c : s) {
    run = (c == '!' || c == '?') ? run + 1 : 0;
    if (run >= 3 && s.find('!') != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

const char* to_string(Trigger t) {
  switch (t) {
    case Trigger::kNone: return "";
    case Trigger::kFailures: return "failures";
    case Trigger::kRequest: return "request";
    case Trigger::kFrustration: return "frustration";
  }
  return "";
}

TextSignals read_text(std::string_view text, std::string_view locale) {
  TextSignals out;
  const auto& analyzer = analyzer_for(locale);
  std::vector<std::string> words;
  for (const auto& t : analyzer.analyze(text)) words.push_back(t.word);
  for (const auto& p : phrases(analyzer)) {
    if ((p.request && out.asks_for_person) || (!p.request && out.frustrated)) continue;
    for (size_t i = 0; i + p.words.size() <= words.size(); ++i)
      if (std::equal(p.words.begin(), p.words.end(), words.begin() + static_cast<std::ptrdiff_t>(i))) {
        (p.request ? out.asks_for_person : out.frustrated) = true;
        if (out.matched.empty() || p.request) out.matched = std::string(p.text);
        break;
      }
  }
  if (!out.frustrated && (shouting(text) || exclaiming(text))) {
    out.frustrated = true;
    if (out.matched.empty()) out.matched = shouting(text) ? "all capitals" : "repeated exclamation";
  }
  return out;
}

Decision Conversation::decide(Trigger immediate, const std::string& why) {
  Decision d;
  if (accepted_) return d;
  if (immediate == Trigger::kRequest && config_.offer_on_request) {
    d = {true, Trigger::kRequest, why};
  } else if (immediate == Trigger::kFrustration && config_.offer_on_frustration) {
    d = {true, Trigger::kFrustration, why};
  } else if (failures() >= config_.failure_threshold && (!declined_ || failures() > failures_at_decline_)) {
    d = {true, Trigger::kFailures, std::to_string(failures()) + " self-service failures: " + reasons_.back()};
  }
  if (d.offer) {
    last_offer_ = d;
    declined_ = false;
  }
  return d;
}

Decision Conversation::search(std::string_view query, size_t results, std::string_view locale) {
  const TextSignals signals = read_text(query, locale);
  if (signals.asks_for_person) return decide(Trigger::kRequest, "asked for a person: '" + signals.matched + "'");
  ++searches_since_read_;
  const bool empty = results == 0;
  if (empty && last_search_empty_) {
    reasons_.push_back("two searches in a row found nothing (last: '" + std::string(query) + "')");
    last_search_empty_ = false;  // the next pair counts afresh
  } else {
    last_search_empty_ = empty;
  }
  if (signals.frustrated) return decide(Trigger::kFrustration, "frustration: '" + signals.matched + "'");
  if (config_.rephrase_threshold && searches_since_read_ >= config_.rephrase_threshold) {
    searches_since_read_ = 0;
    return decide(Trigger::kFrustration, "rephrased the search " + std::to_string(config_.rephrase_threshold) + " times without reading anything");
  }
  return decide(Trigger::kNone, "");
}

Decision Conversation::article_read() {
  searches_since_read_ = 0;
  last_search_empty_ = false;
  return decide(Trigger::kNone, "");
}

Decision Conversation::article_vote(bool helpful, std::string_view id) {
  if (!helpful) reasons_.push_back("article '" + std::string(id) + "' voted not helpful");
  return decide(Trigger::kNone, "");
}

Decision Conversation::failure(std::string reason) {
  reasons_.push_back(std::move(reason));
  return decide(Trigger::kNone, "");
}

Decision Conversation::text(std::string_view message, std::string_view locale) {
  const TextSignals signals = read_text(message, locale);
  if (signals.asks_for_person) return decide(Trigger::kRequest, "asked for a person: '" + signals.matched + "'");
  if (signals.frustrated) return decide(Trigger::kFrustration, "frustration: '" + signals.matched + "'");
  return decide(Trigger::kNone, "");
}

void Conversation::decline() {
  declined_ = true;
  failures_at_decline_ = failures();
}

void Conversation::accept() { accepted_ = true; }

json Conversation::to_json() const {
  return {{"reasons", reasons_},
          {"last_search_empty", last_search_empty_},
          {"searches_since_read", searches_since_read_},
          {"failures_at_decline", failures_at_decline_},
          {"declined", declined_},
          {"accepted", accepted_},
          {"last_offer", {{"trigger", to_string(last_offer_.trigger)}, {"why", last_offer_.why}}}};
}

Conversation Conversation::from_json(const json& j, PolicyConfig config) {
  try {
    Conversation c(config);
    c.reasons_ = j.at("reasons").get<std::vector<std::string>>();
    c.last_search_empty_ = j.at("last_search_empty").get<bool>();
    c.searches_since_read_ = j.at("searches_since_read").get<unsigned>();
    c.failures_at_decline_ = j.at("failures_at_decline").get<size_t>();
    c.declined_ = j.at("declined").get<bool>();
    c.accepted_ = j.at("accepted").get<bool>();
    const std::string trigger = j.at("last_offer").at("trigger").get<std::string>();
    for (Trigger t : {Trigger::kFailures, Trigger::kRequest, Trigger::kFrustration})
      if (trigger == to_string(t)) c.last_offer_ = {true, t, j["last_offer"]["why"].get<std::string>()};
    return c;
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed conversation: ") + e.what());
  }
}

}  // namespace firstfix::escalation
