// Knowledge search over a compiled index: the same code natively (CLI,
// server) and in WebAssembly (widget).
//
// Query language: words (ranked with BM25F, stemmed per locale; stop words
// count too, discounted by their IDF, as question-shaped queries need them), "quoted phrases" (required),
// -word (excluded). Anything else is read as plain text, so operator soup
// cannot fail. Misspelled words are corrected from the index's own
// vocabulary; synonyms from the content are expanded; in as-you-type mode
// the last word also matches as a prefix.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <unordered_map>
#include <string>
#include <utility>
#include <vector>

#include "core/text/analyzer.h"

namespace firstfix::search {

struct SearchRequest {
  std::string query;
  std::string locale;                   // empty: the index's default locale
  std::vector<std::string> categories;  // any of these
  std::vector<std::string> tags;        // all of these
  std::string kind;                     // "", "article" or "flow"
  bool as_you_type = false;             // the last word is a prefix unless followed by a space
  bool spelling = true;
  bool facets = true;
  uint32_t offset = 0;
  uint32_t limit = 10;

  bool operator==(const SearchRequest&) const = default;
};

struct SearchHit {
  std::string id, kind, title, title_html, locale, category, url, snippet_html;
  double score = 0;
};

struct SearchResponse {
  std::string query;
  std::string locale;
  std::string corrected;  // the query as searched, if a word was corrected; else empty
  uint64_t total = 0;     // matches: exact for small result sets, else Xapian's estimate
  uint32_t offset = 0, limit = 0;
  std::vector<SearchHit> hits;
  std::vector<std::pair<std::string, uint64_t>> categories;  // count per category, by name
};

// Ranking parameters; the defaults were tuned on a public FAQ collection
// (see tests/eval) with general techniques only.
struct RankingOptions {
  double bm25f_k1 = 10.0;          // saturation of the BM25F pseudo-frequency (body units)
};

class Searcher {
 public:
  explicit Searcher(Xapian::Database db, RankingOptions ranking = {});
  ~Searcher();

  // Throws std::invalid_argument for an unsupported locale or bad limits.
  SearchResponse search(const SearchRequest& request);

  // The documents search(request) would show whose text it does not hold
  // yet (it keeps the recently shown): for a reader that fetches their
  // blocks all at once before searching (the widget's lazily read index,
  // where each block read in turn is a round trip). Its match is kept for a
  // search() of the same request that follows. Same exceptions as search().
  std::vector<Xapian::docid> unshown_documents(const SearchRequest& request);

  // What search(request) reads whole from the posting lists: the terms it
  // matches, and the prefixes it expands (the expansion walks every indexed
  // word a prefix begins, and each word's postings with it). For a reader
  // that fetches each of those key ranges at once (the widget's lazily read
  // index: each block read in turn is a round trip, and a walk reads its
  // blocks in a chain). Plans the search and keeps the plan for the
  // unshown_documents() or search() of the same request that follows.
  // Same exceptions as search().
  struct PostingReads {
    std::vector<std::string> terms, prefixes;
  };
  PostingReads posting_reads(const SearchRequest& request);

  // Before planning: each lookup planning makes, as a function of the
  // database (whether each word, its stem and each pair of words written as
  // one is indexed, the locale's term; a word none of those finds is looked
  // up in the spelling table, and its correction in the index), and, from
  // the words alone, what the search will most likely read whole
  // (posting_reads without what a correction or a synonym adds) and the
  // words it may look up in the spelling table. For a reader that makes
  // every lookup at once, each on its own, before planning, whose lookups
  // would each cost a round trip in turn. Same exceptions as search().
  struct PlanReads {
    std::vector<std::function<void(const Xapian::Database&)>> lookups;
    std::vector<std::string> terms_looked_up;  // the terms those lookups read the first chunk of
    PostingReads likely;
    std::vector<std::string> spelling;
  };
  PlanReads plan_reads(const SearchRequest& request);

  // A query to warm an engine with before anyone types: the first
  // document's title, in its language. Searched as typed (its last word a
  // prefix), it runs what a keystroke runs (lookups, a prefix expanded, a
  // phrase of words, snippets), so code compiled on first use is compiled
  // before the customer's first keystrokes rather than during them. Empty
  // for an index without documents. Reads one document's data.
  SearchRequest warm_up_request() const;

  const std::string& default_locale() const { return default_locale_; }
  const Xapian::Database& database() const { return db_; }

 private:
  struct Plan;
  struct Matched;
  const text::Analyzer& analyzer(const std::string& locale);
  const text::Analyzer& checked_analyzer(const SearchRequest& request);
  Plan plan(const SearchRequest& request, const text::Analyzer& an) const;
  Xapian::MSet match(const Xapian::Query& query, const SearchRequest& request) const;
  std::vector<std::pair<std::string, uint64_t>> category_counts(const Plan& plan) const;

  // A document as a result shows it: its fields, and its title and text
  // analyzed for highlighting. As-you-type searches show many of the same
  // documents keystroke after keystroke, and analyzing a text costs more
  // than finding it, so the most recently shown are kept.
  struct ShownDocument;
  std::shared_ptr<const ShownDocument> shown_document(Xapian::docid id, const Xapian::MSetIterator& match,
                                                      const text::Analyzer& an);
  static constexpr size_t kShownDocuments = 96;

  Xapian::Database db_;
  RankingOptions ranking_;
  std::string default_locale_;
  std::map<std::string, text::Analyzer> analyzers_;
  std::list<std::shared_ptr<const ShownDocument>> shown_;  // most recent first
  std::unordered_map<Xapian::docid, std::list<std::shared_ptr<const ShownDocument>>::iterator> shown_by_id_;
  Matched& prepared(const SearchRequest& request, const text::Analyzer& an, bool matching);
  std::unique_ptr<Matched> matched_;  // the last request's plan and match, for the calls that follow
};

inline constexpr uint32_t kMaxLimit = 100;
inline constexpr size_t kMinPrefix = 3;  // bytes of the folded word
inline constexpr size_t kMaxPrefixExpansion = 30;  // a prefix matches its most frequent words, at most this many
// Category counts look at up to this many matches (scaled beyond).
inline constexpr uint32_t kFacetScanLimit = 10000;
inline constexpr size_t kMaxQueryWords = 32;

}  // namespace firstfix::search
