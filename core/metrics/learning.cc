#include "core/metrics/learning.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <tuple>

#include "core/text/analyzer.h"

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

// Whether two gaps' forms are one need: one (of two stems or more) within
// the other, or two thirds of the larger in common.
bool one_need(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t common = 0;
  for (const auto& s : a) common += std::find(b.begin(), b.end(), s) != b.end();
  const size_t smaller = std::min(a.size(), b.size()), larger = std::max(a.size(), b.size());
  return (smaller >= 2 && common == smaller) || common * 3 >= larger * 2;
}

// Gaps (strongest first) folded into groups, each led by its strongest.
std::vector<Suggestion> grouped_gaps(std::vector<Suggestion> gaps, const LearningOptions& options) {
  std::vector<Suggestion> out;
  std::vector<std::vector<std::string>> leads;  // the stems of each group's leading form
  for (auto& g : gaps) {
    const auto stems = form_stems(g.normalized);
    size_t i = 0;
    while (i < out.size() && !(out[i].locale == g.locale && one_need(leads[i], stems))) ++i;
    if (i == out.size()) {
      g.forms = {g.normalized};
      leads.push_back(stems);
      out.push_back(std::move(g));
      continue;
    }
    Suggestion& lead = out[i];
    lead.forms.push_back(g.normalized);
    lead.searches += g.searches;
    lead.visitors += g.visitors;
    lead.first_ms = std::min(lead.first_ms, g.first_ms);
    lead.last_ms = std::max(lead.last_ms, g.last_ms);
    for (auto& e : g.examples)
      if (lead.examples.size() < options.examples) lead.examples.push_back(std::move(e));
  }
  return out;
}

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
  gaps = grouped_gaps(std::move(gaps), options);
  questions.insert(questions.end(), std::make_move_iterator(gaps.begin()), std::make_move_iterator(gaps.end()));
  return questions;
}

std::vector<std::string> form_stems(const std::string& normalized) {
  std::vector<std::string> out;
  for (size_t at = 0; at < normalized.size();) {
    const size_t space = std::min(normalized.find(' ', at), normalized.size());
    if (space > at) out.push_back(normalized.substr(at, space - at));
    at = space + 1;
  }
  return out;
}

namespace {

// Whether `a` is at most two insertions, deletions or substitutions from `b` (bytes).
bool within_two_edits(const std::string& a, const std::string& b) {
  if (a.size() > b.size() + 2 || b.size() > a.size() + 2) return false;
  std::vector<size_t> row(b.size() + 1), next(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    next[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) next[j] = std::min({row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(row, next);
  }
  return row[b.size()] <= 2;
}

std::string join_form(const std::vector<std::string>& stems, size_t without) {
  std::string out;
  for (size_t i = 0; i < stems.size(); ++i)
    if (i != without) out += (out.empty() ? "" : " ") + stems[i];
  return out;
}

}  // namespace

std::vector<Suggestion> suggest_synonyms(const std::vector<QueryOutcome>& outcomes, const std::vector<QueryPhrasing>& phrasings,
                                         const TargetStems& target_stems, const LearningOptions& options) {
  // Per form: its searches, and what each target resolved of them.
  struct Form {
    std::int64_t searches = 0;
    std::map<std::string, const QueryOutcome*> resolved;  // target -> outcome
  };
  std::map<FormKey, Form> forms;
  for (const auto& o : outcomes) {
    if (o.normalized.empty()) continue;
    Form& f = forms[{o.locale, o.normalized}];
    f.searches += o.searches;
    if (!o.resolved_by.empty()) f.resolved[o.resolved_by] = &o;
  }
  // Forms one word short: (locale, the rest) -> (form, the word left out).
  std::map<FormKey, std::vector<std::pair<FormKey, std::string>>> by_rest;
  for (const auto& [key, form] : forms) {
    if (form.resolved.empty()) continue;
    // The rest must be two words or more: "coronavirus video" and "coronavirus disease" finding the same
    // answer says little about "video"; "my box never showed up" and "my package never showed up" do.
    const auto stems = form_stems(key.second);
    if (stems.size() < 3) continue;
    for (size_t i = 0; i < stems.size(); ++i) by_rest[{key.first, join_form(stems, i)}].push_back({key, stems[i]});
  }
  // (locale, word stem, partner stem) -> the forms with the word, the targets.
  struct Pair {
    std::map<FormKey, std::set<std::string>> forms;  // form with the word -> targets it paired on
    std::set<FormKey> partner_forms;
  };
  std::map<std::tuple<std::string, std::string, std::string>, Pair> pairs;
  for (const auto& [rest, entries] : by_rest)
    for (const auto& [form_w, w] : entries)
      for (const auto& [form_p, p] : entries) {
        if (w == p) continue;
        for (const auto& [target, o] : forms.at(form_w).resolved) {
          const auto stems = target_stems.find(target);
          if (stems == target_stems.end() || stems->second.count(w) || !stems->second.count(p)) continue;
          if (!forms.at(form_p).resolved.count(target)) continue;
          Pair& pair = pairs[{rest.first, w, p}];
          pair.forms[form_w].insert(target);
          pair.partner_forms.insert(form_p);
        }
      }
  if (pairs.empty()) return {};
  // A word the content uses often is left alone: a synonym of it would pull
  // that word's own answers toward another one. Only words that at most one
  // answer in ten uses are suggested.
  std::map<std::string, size_t> used;  // stem -> answers using it
  for (const auto& [target, stems] : target_stems)
    for (const auto& stem : stems) ++used[stem];
  const size_t often = target_stems.size() / 10;

  // The folded word typed for a stem in a form's unscrubbed phrasings, most typed first.
  std::map<FormKey, std::vector<const QueryPhrasing*>> typed;
  for (const auto& p : phrasings)
    if (!has_scrubbed_mark(p.query) && !p.query.empty()) typed[{p.locale, p.normalized}].push_back(&p);
  std::map<std::string, std::optional<text::Analyzer>> analyzers;
  auto word_for = [&](const std::set<FormKey>& keys, const std::string& stem) -> std::string {
    std::map<std::string, std::int64_t> counts;
    for (const FormKey& key : keys) {
      auto& an = analyzers[key.first];
      if (!an) {
        try {
          an.emplace(key.first);
        } catch (const std::invalid_argument&) {
          return "";
        }
      }
      if (auto it = typed.find(key); it != typed.end())
        for (const QueryPhrasing* p : it->second)
          for (const auto& t : an->analyze(p->query))
            if (!t.stop && t.stem == stem) counts[t.word] += p->searches;
    }
    std::string best;
    std::int64_t most = 0;
    for (const auto& [word, n] : counts)
      if (n > most) best = word, most = n;
    return best;
  };

  std::vector<Suggestion> out;
  for (const auto& [key, pair] : pairs) {
    const auto& [locale, w, p] = key;
    if (const auto u = used.find(w); u != used.end() && u->second > often) continue;
    Suggestion s{.kind = "synonym", .locale = locale};
    std::map<std::string, std::int64_t> by_target;
    std::set<FormKey> with_word;
    std::int64_t strongest = -1;
    for (const auto& [form, targets] : pair.forms) {
      with_word.insert(form);
      const Form& f = forms.at(form);
      s.searches += f.searches;
      std::int64_t form_visitors = 0;
      for (const auto& t : targets) {
        const QueryOutcome& o = *f.resolved.at(t);
        s.resolutions += o.searches;
        s.visitors += o.visitors;
        form_visitors += o.visitors;
        by_target[t] += o.visitors;
        s.first_ms = s.first_ms == 0 ? o.first_ms : std::min(s.first_ms, o.first_ms);
        s.last_ms = std::max(s.last_ms, o.last_ms);
      }
      if (form_visitors > strongest) strongest = form_visitors, s.normalized = form.second;
    }
    if (s.visitors < options.min_visitors) continue;
    s.confidence = wilson_lower_bound(s.resolutions, s.searches);
    if (s.confidence < options.min_confidence) continue;
    const std::string word = word_for(with_word, w), partner = word_for(pair.partner_forms, p);
    if (word.empty() || partner.empty() || word == partner) continue;
    if (word.size() < 2 || (word + partner).find_first_of("0123456789") != std::string::npos) continue;
    if (within_two_edits(word, partner)) continue;  // a misspelling: the spelling correction's to mend
    s.words = {word, partner};
    s.phrasing = word + ", " + partner;
    s.id = stable_id("s-", {"synonym", locale, word, partner});
    for (const auto& [t, v] : by_target) {
      s.targets.push_back(t);
      if (s.target.empty() || v > by_target.at(s.target)) s.target = t;
    }
    std::vector<const QueryPhrasing*> typed_with;
    for (const FormKey& form : with_word)
      if (auto it = typed.find(form); it != typed.end()) typed_with.insert(typed_with.end(), it->second.begin(), it->second.end());
    std::sort(typed_with.begin(), typed_with.end(), [](const QueryPhrasing* a, const QueryPhrasing* b) {
      return std::tie(b->searches, a->query) < std::tie(a->searches, b->query);
    });
    for (const QueryPhrasing* ph : typed_with)
      if (s.examples.size() < options.examples) s.examples.push_back(ph->query);
    out.push_back(std::move(s));
  }
  // One partner per word: a word paired with several is left out unless one
  // has at least twice the visitors of the next (customers mean one thing by it).
  std::map<std::pair<std::string, std::string>, std::vector<const Suggestion*>> by_word;
  for (const auto& s : out) by_word[{s.locale, s.words[0]}].push_back(&s);
  std::set<std::string> kept;
  for (auto& [word, list] : by_word) {
    std::sort(list.begin(), list.end(), [](const Suggestion* a, const Suggestion* b) { return std::tie(b->visitors, a->id) < std::tie(a->visitors, b->id); });
    if (list.size() == 1 || list[0]->visitors >= 2 * list[1]->visitors) kept.insert(list[0]->id);
  }
  // A word the content uses that customers pair with many of theirs is an
  // open slot ("covid fever", "covid reddit", "covid percentage"), not a
  // meaning: more than two, and none is suggested for it.
  std::map<std::pair<std::string, std::string>, size_t> by_partner;
  for (const auto& s : out) ++by_partner[{s.locale, s.words[1]}];
  std::erase_if(out, [&](const Suggestion& s) { return !kept.count(s.id) || by_partner.at({s.locale, s.words[1]}) > 2; });
  std::sort(out.begin(), out.end(), [](const Suggestion& a, const Suggestion& b) { return std::tie(b.visitors, a.id) < std::tie(a.visitors, b.id); });
  return out;
}

}  // namespace firstfix::metrics
