// Search that learns from what resolved: the searches that ended resolved
// (visit.h: SearchSummary::resolved_by) paired with what resolved them, and
// the suggestions editors accept or dismiss. Nothing here changes content:
// it says what to change and why; the server and `firstfix suggest` show
// the rank before and after and write what an editor accepts.
//
// Definitions (README: "Search learning"):
// - A query form is a search's normalized form (its stems, sorted) in a
//   language; its phrasings are the scrubbed queries typed for it.
// - The confidence that a target answers a query form is the lower bound
//   of a 90% Wilson interval of the share of the form's searches it
//   resolved: resolving elsewhere or not at all lowers it, and so does
//   little evidence.
// - "question": add the form's most typed phrasing to the target's
//   questions, when at least `min_visitors` distinct visitors were resolved
//   by it and the confidence reaches `min_confidence`.
// - "gap": a query form searched by at least `min_visitors` distinct
//   visitors that never resolved: something to write. Gaps that are one
//   need worded more or less fully ("gift card", "gift card balance") are
//   one suggestion: a form of two stems or more within another, or two
//   thirds of the stems in common (visitors summed over the group).
// A phrasing with a scrubber's mark ("[email]", "[phone]", ...) is never
// suggested, whatever else it holds.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace firstfix::metrics {

// What the searches of one query form came to, per target.
struct QueryOutcome {
  std::string locale, normalized;
  std::string resolved_by;  // "article:ID", "flow:ID", or "" (not resolved)
  std::int64_t searches = 0;
  std::int64_t visitors = 0;  // distinct (a visit without a visitor id counts as one)
  std::int64_t first_ms = 0, last_ms = 0;
};

// The words typed for a query form, and how often.
struct QueryPhrasing {
  std::string locale, normalized, query;
  std::int64_t searches = 0;
};

struct LearningOptions {
  std::int64_t min_visitors = 5;  // k: no suggestion rests on fewer people
  double min_confidence = 0.35;
  std::size_t examples = 5;       // phrasings shown with a suggestion
};

struct Suggestion {
  std::string id;    // the same evidence gives the same id: "q-", "s-" or "g-" and 12 hex digits
  std::string kind;  // "question", "synonym" or "gap"
  std::string locale, normalized;
  std::string phrasing;               // question: what to add; gap: the most typed phrasing
  std::string target;                 // question: "article:ID" or "flow:ID"
  std::vector<std::string> examples;  // phrasings, most typed first
  std::int64_t searches = 0;          // of the query form
  std::int64_t resolutions = 0;       // of those, resolved by the target (question) or by anything (gap: 0)
  std::int64_t visitors = 0;          // distinct visitors behind the resolutions (question) or the searches (gap)
  std::int64_t first_ms = 0, last_ms = 0;
  double confidence = 0;              // question and synonym
  // synonym: the word customers use, then the word the content uses
  // (folded, as the synonyms file matches them); `phrasing` is the line
  // to add ("box, package"), `normalized` the strongest query form with the
  // word, `target` the answer most resolved with it.
  std::vector<std::string> words;
  std::vector<std::string> targets;   // synonym: every answer the pairs resolved on
  std::vector<std::string> forms;     // gap: every query form of the group, the strongest first
};

// The stems of a query form ("box never show up" -> box, never, show, up).
std::vector<std::string> form_stems(const std::string& normalized);

// Whether `text` holds a scrubber's mark: such a phrasing is never suggested.
bool has_scrubbed_mark(const std::string& text);

// The lower bound of the 90% Wilson interval of `hits` in `n`.
double wilson_lower_bound(std::int64_t hits, std::int64_t n);

// Every suggestion the outcomes support, strongest evidence first
// (questions by resolving visitors, gaps by searching visitors). Which
// questions are worth showing (the target is not first already, the
// phrasing is not one of its questions) is the caller's to judge: it holds
// the index.
std::vector<Suggestion> suggest(const std::vector<QueryOutcome>& outcomes, const std::vector<QueryPhrasing>& phrasings,
                                const LearningOptions& options = {});

// The stems each target's text uses ("article:ID" -> stems), as its index
// document holds them.
using TargetStems = std::map<std::string, std::set<std::string>>;

// "synonym" suggestions: a word customers use for one the content uses.
// Evidence: two query forms that differ in one word only and share two or
// more ("box never show up", "never package show up"), both resolved on the same target, whose
// text has the second word and not the first, which at most one target in
// ten uses (a word the content uses often is left alone: a synonym of it
// would pull that word's own answers toward another); summed over such pairs, at
// least `min_visitors` visitors resolved with the first word (a person who
// searched two such forms counts twice) and the confidence (over the
// searches with it) reaches `min_confidence`. A word paired so with several
// words is suggested with the strongest only if it has twice the visitors
// of the next; a content word paired with more than two is an open slot
// ("covid fever", "covid reddit", ...), not a meaning, and none is
// suggested for it; a word within two edits of its partner is a misspelling (the
// spelling correction's); words come from unscrubbed phrasings only, and a
// pair with a digit or a word of one letter is never suggested.
std::vector<Suggestion> suggest_synonyms(const std::vector<QueryOutcome>& outcomes, const std::vector<QueryPhrasing>& phrasings,
                                         const TargetStems& target_stems, const LearningOptions& options = {});

}  // namespace firstfix::metrics
