#include "native_server/reports/search_learning.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "core/content/content_edit.h"
#include "core/search/index_writer.h"
#include "core/text/analyzer.h"
#include "native_server/base/clock.h"
#include "native_server/base/files.h"

namespace firstfix::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// How deep a rank is looked for: beyond it, "not in the first 20".
constexpr std::uint32_t kRankDepth = 20;

std::string synonyms_file(const std::string& locale) { return "synonyms/" + locale + ".txt"; }

// A synonym's words as the index matches them (folded, as the writer folds a synonyms file's terms).
std::string folded(const std::string& locale, const std::string& term) {
  std::string out;
  for (const auto& t : text::Analyzer(locale).analyze(term)) out += (out.empty() ? "" : " ") + t.word;
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

struct SearchLearning::Impl {
  EventStore& store;
  content::HelpCenter hc;
  std::string content_dir;
  Applies applies;
  search::TrialIndex trial;
  std::mutex mu;  // one list or decision at a time: the trial index is changed and put back per rank

  // Resolved phrasings whose target ranks first (as of the last ranked
  // list, and those accepted since): no accepted change may push them down.
  struct Probe {
    std::string target, title, phrasing, locale;
    std::set<std::string> stems;
  };
  std::vector<Probe> firsts;
  bool firsts_known = false;

  Impl(EventStore& s, content::HelpCenter h, std::string dir, const std::string& scratch, Applies a)
      : store(s), hc(std::move(h)), content_dir(std::move(dir)), applies(a), trial(hc, scratch) {}

  struct Target {
    std::string source, title, kind;
    const std::vector<std::string>* questions = nullptr;
  };
  std::optional<Target> target(const std::string& t) {
    const size_t colon = t.find(':');
    const std::string kind = t.substr(0, colon), id = colon == std::string::npos ? "" : t.substr(colon + 1);
    if (kind == "article")
      for (const auto& c : hc.articles)
        if (c.article.id == id) return Target{c.article.source, c.article.title, kind, &c.article.questions};
    if (kind == "flow")
      for (const auto& f : hc.flows)
        if (f.id == id) return Target{f.source, f.title, kind, &f.intents};
    return std::nullopt;
  }

  // The latest decision per suggestion.
  std::map<std::string, SuggestionDecision> latest_decisions() {
    std::map<std::string, SuggestionDecision> out;
    for (auto& d : store.decisions()) out[d.suggestion] = std::move(d);
    return out;
  }

  // Each target's stems as its trial document holds them (for synonyms), made when first needed.
  metrics::TargetStems target_stems;
  const metrics::TargetStems& stems_by_target() {
    if (target_stems.empty()) {
      for (const auto& c : hc.articles)
        if (trial.has("article:" + c.article.id)) target_stems["article:" + c.article.id] = trial.stems("article:" + c.article.id);
      for (const auto& f : hc.flows)
        if (trial.has("flow:" + f.id)) target_stems["flow:" + f.id] = trial.stems("flow:" + f.id);
    }
    return target_stems;
  }

  // Each locale's synonym groups, their terms folded as queries are, made
  // when first needed (not once per suggestion: folding analyzes the text).
  std::map<std::string, std::vector<std::set<std::string>>> folded_groups;
  const std::vector<std::set<std::string>>& folded_synonyms(const std::string& locale) {
    auto [it, added] = folded_groups.try_emplace(locale);
    if (added)
      for (const auto& file : hc.synonyms)
        if (file.locale == locale)
          for (const auto& g : file.groups) {
            std::set<std::string> terms;
            for (const auto& term : g.terms) terms.insert(folded(locale, term));
            it->second.push_back(std::move(terms));
          }
    return it->second;
  }

  // Whether the locale's synonyms file has a group with all the words already.
  bool has_synonyms(const std::string& locale, const std::vector<std::string>& words) {
    for (const auto& terms : folded_synonyms(locale))
      if (std::all_of(words.begin(), words.end(), [&](const std::string& w) { return terms.count(w) > 0; })) return true;
    return false;
  }

  json view(const metrics::Suggestion& s) {
    json j = {{"id", s.id},
              {"kind", s.kind},
              {"locale", s.locale},
              {"normalized", s.normalized},
              {"phrasing", s.phrasing},
              {"examples", s.examples},
              {"evidence",
               {{"searches", s.searches}, {"resolutions", s.resolutions}, {"visitors", s.visitors}, {"first", s.first_ms}, {"last", s.last_ms}}}};
    if (s.kind == "question") {
      j["evidence"]["confidence"] = s.confidence;
      j["target"] = {{"ref", s.target}};
    }
    if (s.kind == "gap") j["forms"] = s.forms;
    if (s.kind == "synonym") {
      j["evidence"]["confidence"] = s.confidence;
      j["words"] = s.words;
      j["file"] = synonyms_file(s.locale);
      j["targets"] = json::array();
      for (const auto& ref : s.targets)
        if (const auto t = target(ref)) j["targets"].push_back({{"ref", ref}, {"title", t->title}});
      if (const auto t = target(s.target))
        j["target"] = {{"ref", s.target}, {"kind", t->kind}, {"id", s.target.substr(s.target.find(':') + 1)}, {"title", t->title}, {"file", t->source}};
    }
    return j;
  }

  // Every suggestion undecided whose target is there without the phrasing,
  // as shown. `ranked`: with the target's rank for it today and with it,
  // without the questions whose target is first already, and with what
  // each would cost the phrasings customers already find their answer
  // first with ("harms": those it would move off the top). Unranked, for a
  // decision: one listed before stands, whatever the ranks do since.
  std::vector<std::pair<metrics::Suggestion, json>> current(const ReportFilter& filter, const metrics::LearningOptions& options,
                                                            bool ranked, size_t* decided = nullptr) {
    const SearchOutcomes evidence = store.search_outcomes(filter);
    const auto decisions = latest_decisions();
    if (ranked) firsts.clear();
    std::vector<std::pair<metrics::Suggestion, json>> out;
    for (auto& s : metrics::suggest(evidence.outcomes, evidence.phrasings, options)) {
      const auto d = decisions.find(s.id);
      const bool is_decided = d != decisions.end() && d->second.decision != "reverted";
      json j = view(s);
      if (s.kind == "question") {
        const auto t = target(s.target);
        if (!t) continue;  // gone from the content
        if (ranked && trial.rank(s.target, request_for(s.phrasing, s.locale)) == 1) {
          firsts.push_back({s.target, t->title, s.phrasing, s.locale, stems_of(s.normalized)});
          if (is_decided && decided) ++*decided;
          continue;
        }
        bool known = false;
        for (const auto& q : *t->questions) known |= lower(q) == lower(s.phrasing);
        if (known && !is_decided) continue;
        j["target"] = {{"ref", s.target}, {"kind", t->kind}, {"id", s.target.substr(s.target.find(':') + 1)}, {"title", t->title}, {"file", t->source}};
      }
      if (is_decided) {
        if (decided) ++*decided;
        continue;
      }
      out.emplace_back(std::move(s), std::move(j));
    }
    // Synonyms after the questions, before the gaps.
    std::vector<std::pair<metrics::Suggestion, json>> synonyms;
    for (auto& s : metrics::suggest_synonyms(evidence.outcomes, evidence.phrasings, stems_by_target(), options)) {
      const auto d = decisions.find(s.id);
      if (d != decisions.end() && d->second.decision != "reverted") {
        if (decided) ++*decided;
        continue;
      }
      if (!target(s.target) || has_synonyms(s.locale, s.words)) continue;
      json j = view(s);
      synonyms.emplace_back(std::move(s), std::move(j));
    }
    const auto gaps = std::find_if(out.begin(), out.end(), [](const auto& e) { return e.first.kind == "gap"; });
    out.insert(gaps, std::make_move_iterator(synonyms.begin()), std::make_move_iterator(synonyms.end()));
    if (!ranked) return out;
    firsts_known = true;
    std::set<std::string> no_better;  // synonyms that do not raise their answer for the customers' wording
    for (auto& [s, j] : out) {
      if (s.kind == "synonym") {
        const Trial t = synonym_trial(s, s.words);
        const int today = trial.rank(s.target, request_for(s.examples.front(), s.locale));
        if (t.rank_after == 0 || (today != 0 && t.rank_after >= today)) no_better.insert(s.id);
        j["rank"] = {{"phrasing", s.examples.front()}, {"today", today}, {"after", t.rank_after}, {"depth", kRankDepth}};
        j["harms"] = t.harms;
        j["checked"] = t.checked;
      }
      if (s.kind != "question") continue;
      const Trial t = trial_of(s, s.phrasing);
      j["rank"] = {{"today", trial.rank(s.target, request_for(s.phrasing, s.locale))}, {"after", t.rank_after}, {"depth", kRankDepth}};
      j["harms"] = t.harms;
      j["checked"] = t.checked;
    }
    std::erase_if(out, [&](const auto& e) { return no_better.count(e.first.id) > 0; });
    return out;
  }

  static search::SearchRequest request_for(const std::string& phrasing, const std::string& locale) {
    return search::SearchRequest{.query = phrasing, .locale = locale, .spelling = true, .facets = false, .limit = kRankDepth};
  }
  static std::set<std::string> stems_of(const std::string& normalized) {
    const auto stems = metrics::form_stems(normalized);
    return {stems.begin(), stems.end()};
  }

  // What adding `phrasing` to suggestion `s`'s target does: its own rank,
  // and every first-ranked phrasing it could touch (a stem in common) that it
  // would move off the top.
  struct Trial {
    int rank_after = 0;
    json harms = json::array();
    size_t checked = 0;
  };
  Trial trial_of(const metrics::Suggestion& s, const std::string& phrasing) {
    std::vector<std::string> with = *target(s.target)->questions;
    with.push_back(phrasing);
    std::vector<std::pair<std::string, search::SearchRequest>> probes = {{s.target, request_for(phrasing, s.locale)}};
    std::vector<const Probe*> touched;
    const auto mine = stems_of(s.normalized);
    for (const auto& p : firsts) {
      if (p.locale != s.locale || (p.target == s.target && p.phrasing == phrasing)) continue;
      if (std::none_of(p.stems.begin(), p.stems.end(), [&](const std::string& stem) { return mine.count(stem) > 0; })) continue;
      probes.push_back({p.target, request_for(p.phrasing, p.locale)});
      touched.push_back(&p);
    }
    return trial_from(trial.ranks_with(s.target, with, probes), touched);
  }

  // The target's rank (ranks[0]) and the touched first-ranked phrasings
  // (ranks[1...]) that are first no longer.
  static Trial trial_from(const std::vector<int>& ranks, const std::vector<const Probe*>& touched) {
    Trial t{.rank_after = ranks[0], .checked = touched.size()};
    for (size_t i = 0; i < touched.size(); ++i)
      if (ranks[i + 1] != 1)
        t.harms.push_back({{"phrasing", touched[i]->phrasing}, {"target", touched[i]->target}, {"title", touched[i]->title}, {"rank_after", ranks[i + 1]}});
    return t;
  }

  // What making `words` synonyms does: the rank of suggestion `s`'s target for
  // its most typed phrasing, and every first-ranked phrasing with the
  // customers' word (the only ones a synonym of it can change) that it would
  // move off the top.
  Trial synonym_trial(const metrics::Suggestion& s, const std::vector<std::string>& words) {
    std::vector<std::pair<std::string, search::SearchRequest>> probes = {{s.target, request_for(s.examples.front(), s.locale)}};
    std::vector<const Probe*> touched;
    const text::Analyzer an(s.locale);
    for (const auto& p : firsts) {
      if (p.locale != s.locale) continue;
      const auto tokens = an.analyze(p.phrasing);
      if (std::none_of(tokens.begin(), tokens.end(), [&](const text::Token& t) { return t.word == words[0]; })) continue;
      probes.push_back({p.target, request_for(p.phrasing, p.locale)});
      touched.push_back(&p);
    }
    return trial_from(trial.ranks_with_synonym(s.locale, words[0], words[1], probes), touched);
  }

  // Refuses a change with harms unless forced, naming the first.
  static void refuse_harms(const std::string& id, const Trial& trial, bool force) {
    if (trial.harms.empty() || force) return;
    const json& h = trial.harms[0];
    throw LearningError(409, "suggestion " + id + " would move " + h["phrasing"].dump() + " (" + h["title"].get<std::string>() +
                                 ") off the top, to " + (h["rank_after"] == 0 ? std::string("below ") + std::to_string(kRankDepth) : h["rank_after"].dump()) +
                                 (trial.harms.size() > 1 ? ", and " + std::to_string(trial.harms.size() - 1) + " more" : "") +
                                 "; accept it anyway with force");
  }

  json accept_synonym(const std::string& id, const metrics::Suggestion& s, const json& shown, const std::string& editor,
                      const std::string& phrasing, bool force) {
    std::vector<std::string> words = s.words;
    // Before folding, which drops a mark's brackets.
    if (metrics::has_scrubbed_mark(phrasing)) throw LearningError(422, "phrasing: holds a scrubber's mark ([email], [phone], ...)");
    if (!phrasing.empty()) {
      words.clear();
      for (size_t at = 0; at <= phrasing.size();) {
        const size_t comma = std::min(phrasing.find(',', at), phrasing.size());
        words.push_back(folded(s.locale, phrasing.substr(at, comma - at)));
        at = comma + 1;
      }
      if (words.size() != 2 || words[0].empty() || words[1].empty() || words[0] == words[1])
        throw LearningError(422, "phrasing: two different words, separated by a comma (\"box, package\")");
    }
    const std::string line = words[0] + ", " + words[1];
    const Trial trial_result = synonym_trial(s, words);
    refuse_harms(id, trial_result, force);
    const std::string source = synonyms_file(s.locale);
    const fs::path path = file(source);
    std::error_code ec;
    const bool existed = fs::exists(path, ec);
    const std::string before = existed ? read_file(path) : std::string();
    std::string after;
    try {
      after = content::with_synonym_line(source, before, words);
    } catch (const content::EditError& e) {
      throw LearningError(409, e.what());
    }
    if (applies == Applies::now) {
      fs::create_directories(path.parent_path());
      write_file_atomically(path, after);
    }
    auto file_of = std::find_if(hc.synonyms.begin(), hc.synonyms.end(), [&](const auto& f) { return f.locale == s.locale; });
    if (file_of == hc.synonyms.end()) file_of = hc.synonyms.insert(hc.synonyms.end(), content::SynonymFile{source, s.locale, {}});
    file_of->groups.push_back({words, 0});
    folded_groups.erase(s.locale);
    trial.set_synonym(s.locale, words[0], words[1], true);
    json change = {{"file", source}, {"before", before}, {"after", after}, {"added", line}, {"words", words}, {"kind", "synonym"},
                   {"created", !existed}, {"suggestion", shown}, {"harms", trial_result.harms}, {"forced", force && !trial_result.harms.empty()}};
    if (applies == Applies::at_publish) change["applied"] = false;
    store.record_decision({id, "accepted", editor, system_now_ms(), change});
    return {{"id", id}, {"file", source}, {"added", line}, {"before", before}, {"after", after}, {"rank_after", trial_result.rank_after},
            {"harms", trial_result.harms}};
  }

  json revert_synonym(const std::string& id, const json& change, const std::string& editor) {
    const std::string source = change.value("file", "");
    const std::vector<std::string> words = change.value("words", std::vector<std::string>{});
    if (words.size() != 2) throw LearningError(409, "suggestion " + id + " holds no synonym words");
    const std::string locale = source.substr(std::string("synonyms/").size(), source.size() - std::string("synonyms/.txt").size());
    const fs::path path = file(source);
    std::error_code ec;
    const std::string now = fs::exists(path, ec) ? read_file(path) : std::string();
    std::string restored = now;
    if (applies == Applies::now) {
      if (now == change.value("after", "")) {
        restored = change.value("before", "");
      } else {
        try {
          restored = content::without_synonym_line(source, now, words);
        } catch (const content::EditError& e) {
          throw LearningError(409, e.what());
        }
      }
      if (restored.empty() && change.value("created", false)) fs::remove(path, ec);
      else if (restored != now) write_file_atomically(path, restored);
    }
    for (auto& f : hc.synonyms)
      if (f.locale == locale && !f.groups.empty() && f.groups.back().terms == words) f.groups.pop_back();
    folded_groups.erase(locale);
    trial.set_synonym(locale, words[0], words[1], false);
    json reverted = {{"file", source}, {"before", now}, {"after", restored}, {"removed", change.value("added", "")}, {"words", words}, {"kind", "synonym"}};
    if (applies == Applies::at_publish) reverted["applied"] = false;
    store.record_decision({id, "reverted", editor, system_now_ms(), reverted});
    return {{"id", id}, {"file", source}, {"before", now}, {"after", restored}};
  }

  std::pair<metrics::Suggestion, json> find(const std::string& id, const ReportFilter& filter, const metrics::LearningOptions& options) {
    for (auto& [s, j] : current(filter, options, /*ranked=*/false))
      if (s.id == id) return {s, j};
    const auto decisions = latest_decisions();
    if (const auto d = decisions.find(id); d != decisions.end())
      throw LearningError(409, "suggestion " + id + " was " + d->second.decision + " already");
    throw LearningError(404, "no suggestion " + id + " (the evidence may have changed: list them again)");
  }

  // Replaces a content file's text, after checking that the path stays inside the content folder.
  fs::path file(const std::string& source) {
    const fs::path root = fs::weakly_canonical(content_dir), p = fs::weakly_canonical(root / source);
    const auto rel = p.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") throw LearningError(422, source + " is outside the content folder");
    return p;
  }
};

SearchLearning::SearchLearning(EventStore& store, content::HelpCenter help_center, std::string content_dir, const std::string& scratch_dir,
                               Applies applies)
    : impl_(std::make_unique<Impl>(store, std::move(help_center), std::move(content_dir), scratch_dir, applies)) {}
SearchLearning::~SearchLearning() = default;

json SearchLearning::list(const ReportFilter& filter, const metrics::LearningOptions& options) {
  std::lock_guard lock(impl_->mu);
  size_t decided = 0;
  json out = json::array();
  for (auto& [s, j] : impl_->current(filter, options, /*ranked=*/true, &decided)) out.push_back(std::move(j));
  // The changes in force, newest first, for a revert.
  json accepted = json::array();
  for (const auto& [id, d] : impl_->latest_decisions())
    if (d.decision == "accepted")
      accepted.push_back({{"id", id}, {"file", d.detail.value("file", "")}, {"added", d.detail.value("added", "")}, {"editor", d.editor},
                          {"at", d.at_ms}, {"target", d.detail.value("suggestion", json::object()).value("target", json::object())}});
  std::sort(accepted.begin(), accepted.end(), [](const json& a, const json& b) { return a["at"].get<std::int64_t>() > b["at"].get<std::int64_t>(); });
  return {{"suggestions", std::move(out)}, {"decided", decided}, {"accepted", std::move(accepted)},
          {"thresholds", {{"min_visitors", options.min_visitors}, {"min_confidence", options.min_confidence}}}};
}

json SearchLearning::accept(const std::string& id, const ReportFilter& filter, const metrics::LearningOptions& options,
                            const std::string& editor, const std::string& phrasing, bool force) {
  std::lock_guard lock(impl_->mu);
  auto [s, shown] = impl_->find(id, filter, options);
  if (s.kind == "gap") throw LearningError(422, "suggestion " + id + " is a gap: write an article or flow for it, then dismiss it");
  if (s.kind == "synonym") {
    if (!impl_->firsts_known) impl_->current(filter, options, /*ranked=*/true);
    return impl_->accept_synonym(id, s, shown, editor, phrasing, force);
  }
  std::string added = phrasing.empty() ? s.phrasing : phrasing;
  if (added.size() > 500 || added.find_first_of("\r\n") != std::string::npos)
    throw LearningError(422, "phrasing: one line of at most 500 bytes");
  if (metrics::has_scrubbed_mark(added)) throw LearningError(422, "phrasing: holds a scrubber's mark ([email], [phone], ...)");
  // Checked again now, with every change accepted since the list: nothing customers find first is moved off the top.
  if (!impl_->firsts_known) impl_->current(filter, options, /*ranked=*/true);
  const Impl::Trial trial = impl_->trial_of(s, added);
  Impl::refuse_harms(id, trial, force);
  const auto t = impl_->target(s.target);
  const fs::path path = impl_->file(t->source);
  const std::string before = read_file(path);
  std::string after;
  try {
    after = t->kind == "article" ? content::with_article_question(t->source, before, added) : content::with_flow_intent(t->source, before, added);
  } catch (const content::EditError& e) {
    throw LearningError(409, e.what());
  }
  if (impl_->applies == Applies::now) write_file_atomically(path, after);
  // The trial index and the lists that follow see the question from now on.
  for (auto& c : impl_->hc.articles)
    if (t->kind == "article" && c.article.source == t->source) c.article.questions.push_back(added);
  for (auto& f : impl_->hc.flows)
    if (t->kind == "flow" && f.source == t->source) f.intents.push_back(added);
  impl_->trial.refresh(s.target);
  impl_->target_stems.clear();  // its document has the question's words now
  if (trial.rank_after == 1) impl_->firsts.push_back({s.target, t->title, added, s.locale, Impl::stems_of(s.normalized)});
  json change = {{"file", t->source}, {"before", before}, {"after", after}, {"added", added}, {"kind", t->kind}, {"suggestion", shown},
                {"harms", trial.harms}, {"forced", force && !trial.harms.empty()}};
  if (impl_->applies == Applies::at_publish) change["applied"] = false;  // before/after: this folder's file, as a preview
  impl_->store.record_decision({id, "accepted", editor, system_now_ms(), change});
  return {{"id", id}, {"file", t->source}, {"added", added}, {"before", before}, {"after", after}, {"rank_after", trial.rank_after},
          {"harms", trial.harms}};
}

json SearchLearning::dismiss(const std::string& id, const ReportFilter& filter, const metrics::LearningOptions& options,
                             const std::string& editor) {
  std::lock_guard lock(impl_->mu);
  auto [s, shown] = impl_->find(id, filter, options);
  impl_->store.record_decision({id, "dismissed", editor, system_now_ms(), {{"suggestion", shown}}});
  return {{"id", id}, {"decision", "dismissed"}};
}

json SearchLearning::revert(const std::string& id, const std::string& editor) {
  std::lock_guard lock(impl_->mu);
  const auto decisions = impl_->latest_decisions();
  const auto d = decisions.find(id);
  if (d == decisions.end() || d->second.decision != "accepted") throw LearningError(409, "suggestion " + id + " is not an accepted change");
  const json& change = d->second.detail;
  if (change.value("kind", "") == "synonym") return impl_->revert_synonym(id, change, editor);
  const std::string source = change.value("file", ""), added = change.value("added", ""), kind = change.value("kind", "");
  const fs::path path = impl_->file(source);
  const std::string now = read_file(path);
  std::string restored;
  if (impl_->applies == Applies::at_publish) {
    restored = now;  // the next publish takes it out
  } else if (now == change.value("after", "")) {
    restored = change.value("before", "");
  } else {
    try {
      restored = change.value("kind", "") == "flow" ? content::without_flow_intent(source, now, added)
                                                    : content::without_article_question(source, now, added);
    } catch (const content::EditError& e) {
      throw LearningError(409, e.what());
    }
  }
  if (restored != now) write_file_atomically(path, restored);
  for (auto& c : impl_->hc.articles)
    if (c.article.source == source && !c.article.questions.empty() && c.article.questions.back() == added) c.article.questions.pop_back();
  for (auto& f : impl_->hc.flows)
    if (f.source == source && !f.intents.empty() && f.intents.back() == added) f.intents.pop_back();
  if (const std::string ref = change.value("suggestion", json::object()).value("target", json::object()).value("ref", "");
      impl_->trial.has(ref))
    impl_->trial.refresh(ref);
  impl_->target_stems.clear();
  json reverted = {{"file", source}, {"before", now}, {"after", restored}, {"removed", added}, {"kind", kind}};
  if (impl_->applies == Applies::at_publish) reverted["applied"] = false;
  impl_->store.record_decision({id, "reverted", editor, system_now_ms(), reverted});
  return {{"id", id}, {"file", source}, {"before", now}, {"after", restored}};
}

json apply_decisions(EventStore& store, const std::string& content_dir) {
  std::map<std::string, SuggestionDecision> latest;
  for (auto& d : store.decisions()) latest[d.suggestion] = std::move(d);
  const fs::path root = fs::weakly_canonical(content_dir);
  json out = json::array();
  for (const auto& [id, d] : latest) {
    if (d.decision != "accepted" && d.decision != "reverted") continue;
    const bool add = d.decision == "accepted";
    const std::string source = d.detail.value("file", ""), phrasing = d.detail.value(add ? "added" : "removed", "");
    const std::string kind = d.detail.value("kind", "article");
    const bool flow = kind == "flow";
    const fs::path path = fs::weakly_canonical(root / source);
    const auto rel = path.lexically_relative(root);
    if (source.empty() || phrasing.empty() || rel.empty() || *rel.begin() == "..") continue;
    std::error_code ec;
    if (kind == "synonym") {
      try {
        const auto words = d.detail.value("words", std::vector<std::string>{});
        const std::string text = fs::is_regular_file(path, ec) ? read_file(path) : std::string();
        if (content::has_synonym_group(source, text, words) == add) continue;  // as decided already
        const std::string edited = add ? content::with_synonym_line(source, text, words) : content::without_synonym_line(source, text, words);
        fs::create_directories(path.parent_path());
        write_file_atomically(path, edited);
        out.push_back({{"id", id}, {"file", source}, {add ? "added" : "removed", phrasing}});
      } catch (const content::EditError& e) {
        out.push_back({{"id", id}, {"file", source}, {"left", e.what()}});
      }
      continue;
    }
    if (!fs::is_regular_file(path, ec)) {
      if (add) out.push_back({{"id", id}, {"file", source}, {"left", "no such file in " + content_dir}});
      continue;
    }
    try {
      const std::string text = read_file(path);
      const auto has = flow ? content::flow_intents(source, text) : content::article_questions(source, text);
      if ((std::find(has.begin(), has.end(), phrasing) != has.end()) == add) continue;  // as decided already
      const std::string edited = add ? (flow ? content::with_flow_intent(source, text, phrasing) : content::with_article_question(source, text, phrasing))
                                     : (flow ? content::without_flow_intent(source, text, phrasing)
                                             : content::without_article_question(source, text, phrasing));
      write_file_atomically(path, edited);
      out.push_back({{"id", id}, {"file", source}, {add ? "added" : "removed", phrasing}});
    } catch (const content::EditError& e) {
      out.push_back({{"id", id}, {"file", source}, {"left", e.what()}});
    }
  }
  return out;
}

}  // namespace firstfix::server
