#include "core/metrics/learning.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

namespace firstfix::metrics {
namespace {

// FNV-1a, 64 bits: ids stable across runs and servers, not secrets.
std::string stable_id(const std::string& prefix, const std::vector<std::string>& parts) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const auto& p : parts) {
    for (unsigned char c : p) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xFF) * 1099511628211ULL;  // a separator no UTF-8 text holds
  }
  char out[16];
  std::snprintf(out, sizeof out, "%012llx", static_cast<unsigned long long>(h & 0xFFFFFFFFFFFFULL));
  return prefix + out;
}

using FormKey = std::pair<std::string, std::string>;  // locale, normalized

}  // namespace

bool has_scrubbed_mark(const std::string& text) {
  for (const char* mark : {"[email]", "[card]", "[iban]", "[phone]", "[number]"})
    if (text.find(mark) != std::string::npos) return true;
  return false;
}

double wilson_lower_bound(std::int64_t hits, std::int64_t n) {
  if (n <= 0) return 0;
  constexpr double z = 1.6449;  // one-sided 95%, two-sided 90%
  const double p = static_cast<double>(hits) / static_cast<double>(n), nn = static_cast<double>(n), z2 = z * z;
  return (p + z2 / (2 * nn) - z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn))) / (1 + z2 / nn);
}

std::vector<Suggestion> suggest(const std::vector<QueryOutcome>& outcomes, const std::vector<QueryPhrasing>& phrasings,
                                const LearningOptions& options) {
  struct Form {
    std::int64_t searches = 0, resolutions = 0;
    std::vector<const QueryOutcome*> outcomes;
  };
  std::map<FormKey, Form> forms;
  for (const auto& o : outcomes) {
    if (o.normalized.empty()) continue;
    Form& f = forms[{o.locale, o.normalized}];
    f.searches += o.searches;
    if (!o.resolved_by.empty()) f.resolutions += o.searches;
    f.outcomes.push_back(&o);
  }
  // Each form's phrasings without a scrubber's mark, most typed first (then in text order, for stable output).
  std::map<FormKey, std::vector<const QueryPhrasing*>> typed;
  for (const auto& p : phrasings)
    if (!has_scrubbed_mark(p.query) && !p.query.empty()) typed[{p.locale, p.normalized}].push_back(&p);
  for (auto& [key, list] : typed)
    std::sort(list.begin(), list.end(), [](const QueryPhrasing* a, const QueryPhrasing* b) {
      return std::tie(b->searches, a->query) < std::tie(a->searches, b->query);
    });
  auto examples = [&](const FormKey& key) {
    std::vector<std::string> out;
    if (auto it = typed.find(key); it != typed.end())
      for (const auto* p : it->second) {
        if (out.size() == options.examples) break;
        out.push_back(p->query);
      }
    return out;
  };

  std::vector<Suggestion> questions, gaps;
  for (const auto& [key, form] : forms) {
    const auto shown = examples(key);
    if (shown.empty()) continue;  // every phrasing held personal data
    if (form.resolutions == 0) {
      const QueryOutcome& o = *form.outcomes.front();  // the one outcome: not resolved
      if (o.visitors < options.min_visitors) continue;
      Suggestion s{.id = stable_id("g-", {"gap", key.first, key.second}), .kind = "gap", .locale = key.first,
                   .normalized = key.second, .phrasing = shown.front(), .examples = shown, .searches = form.searches,
                   .visitors = o.visitors, .first_ms = o.first_ms, .last_ms = o.last_ms};
      gaps.push_back(std::move(s));
      continue;
    }
    for (const QueryOutcome* o : form.outcomes) {
      if (o->resolved_by.empty() || o->visitors < options.min_visitors) continue;
      const double confidence = wilson_lower_bound(o->searches, form.searches);
      if (confidence < options.min_confidence) continue;
      Suggestion s{.id = stable_id("q-", {"question", key.first, key.second, o->resolved_by}), .kind = "question",
                   .locale = key.first, .normalized = key.second, .phrasing = shown.front(), .target = o->resolved_by,
                   .examples = shown, .searches = form.searches, .resolutions = o->searches, .visitors = o->visitors,
                   .first_ms = o->first_ms, .last_ms = o->last_ms, .confidence = confidence};
      questions.push_back(std::move(s));
    }
  }
  auto stronger = [](const Suggestion& a, const Suggestion& b) { return std::tie(b.visitors, a.id) < std::tie(a.visitors, b.id); };
  std::sort(questions.begin(), questions.end(), stronger);
  std::sort(gaps.begin(), gaps.end(), stronger);
  questions.insert(questions.end(), std::make_move_iterator(gaps.begin()), std::make_move_iterator(gaps.end()));
  return questions;
}

}  // namespace firstfix::metrics
