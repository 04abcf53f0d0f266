#include "core/search/searcher.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "core/search/schema.h"
#include "core/search/snippet.h"

namespace firstfix::search {
namespace {

std::string stem_term(const std::string& stem) { return std::string(schema::kStem) + stem; }

// One word of the query as the user typed it, after analysis.
struct QueryWord {
  text::Token token;
  bool excluded = false;
  bool prefix = false;
  bool corrected = false;
};

struct ParsedQuery {
  std::vector<QueryWord> words;
  std::vector<std::vector<text::Token>> phrases;
};

// Splits quoted phrases from plain text and marks -excluded words and the
// as-you-type prefix. Offsets in tokens refer to the whole query string.
ParsedQuery parse(const std::string& q, const text::Analyzer& an, bool as_you_type) {
  ParsedQuery parsed;
  size_t quotes = 0;
  for (char c : q) quotes += c == '"';
  size_t at = 0;
  bool in_phrase = false;
  size_t words = 0;
  while (at <= q.size() && words < kMaxQueryWords) {
    size_t next = q.find('"', at);
    // An unbalanced last quote is read as plain text.
    if (next != std::string::npos && !in_phrase && quotes % 2 == 1 && q.find('"', next + 1) == std::string::npos)
      next = std::string::npos;
    size_t end = next == std::string::npos ? q.size() : next;
    auto tokens = an.analyze(std::string_view(q).substr(at, end - at));
    if (in_phrase) {
      if (!tokens.empty()) parsed.phrases.push_back(std::move(tokens));
      words += parsed.phrases.empty() ? 0 : parsed.phrases.back().size();
    } else {
      for (auto& t : tokens) {
        if (words++ >= kMaxQueryWords) break;
        t.begin += static_cast<uint32_t>(at);
        t.end += static_cast<uint32_t>(at);
        QueryWord w;
        w.excluded = t.begin > 0 && q[t.begin - 1] == '-' && (t.begin == 1 || q[t.begin - 2] == ' ');
        w.token = std::move(t);
        parsed.words.push_back(std::move(w));
      }
    }
    if (next == std::string::npos) break;
    in_phrase = !in_phrase;
    at = next + 1;
  }
  if (as_you_type && !parsed.words.empty() && parsed.words.back().token.end == q.size() && !in_phrase)
    parsed.words.back().prefix = true;
  return parsed;
}

// Corrections follow the rules of Lucene's DirectSpellChecker: words of at
// least 4 characters, the first letter kept, and at most one edit for words
// of up to 6 characters (two beyond). Without a dictionary of the language,
// a real word the index lacks ("tell") looks like a typo; these rules keep
// such words from being "corrected" into unrelated ones ("well").
std::string spelling_suggestion(const Xapian::Database& db, const std::string& word) {
  if (word.size() < 4) return {};
  const unsigned max_edits = word.size() <= 6 ? 1 : 2;
  std::string suggestion = db.get_spelling_suggestion(word, max_edits);
  if (suggestion.empty() || suggestion[0] != word[0]) return {};
  return suggestion;
}

// Whether `term` occurs in a document of the locale `locale_term` names:
// one index holds every language of a help center, and a word or a stem
// of one ("conect", a Spanish stem) is not a word of another.
bool in_locale(const Xapian::Database& db, const std::string& term, const std::string& locale_term) {
  if (!db.term_exists(term)) return false;
  if (db.get_termfreq(locale_term) == db.get_doccount()) return true;  // one language: nothing to tell apart
  Xapian::Enquire enquire(db);
  enquire.set_weighting_scheme(Xapian::BoolWeight());
  enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, Xapian::Query(term), Xapian::Query(locale_term)));
  return enquire.get_mset(0, 0, 1).get_matches_lower_bound() > 0;
}

// For each word of the query, the stem of the indexed word it makes with the
// next one when the two are written apart ("corona virus" for a help center
// that writes "coronavirus"), else empty. Customers split and join words
// freely, and the split form would match only its commoner half ("virus");
// covidfaq: 82 of 1,073 queries write "corona virus", its articles never
// do. Only words next to each other with nothing but spaces or hyphens
// between, neither excluded, not both stop words, and the joined word itself
// not a stop word. A last word still being typed joins only once the whole
// joined word is there ("corona virus", not "corona vi").
std::vector<std::string> joined_stems(const ParsedQuery& parsed, const std::string& query, const text::Analyzer& an,
                                      const std::string& locale_term, const Xapian::Database& db) {
  std::vector<std::string> joined(parsed.words.size());
  for (size_t i = 0; i + 1 < parsed.words.size(); ++i) {
    const QueryWord &a = parsed.words[i], &b = parsed.words[i + 1];
    if (a.excluded || b.excluded || (a.token.stop && b.token.stop)) continue;
    if (query.find_first_not_of(" -", a.token.end) < b.token.begin) continue;
    const std::string word = a.token.word + b.token.word;
    if (!in_locale(db, word, locale_term)) continue;
    auto tokens = an.analyze(word);
    if (tokens.size() != 1 || tokens[0].stop) continue;
    joined[i] = tokens[0].stem;
    ++i;  // a word joins at most one neighbour
  }
  return joined;
}

Xapian::Query phrase_query(const std::vector<std::string>& words) {
  if (words.size() == 1) return Xapian::Query(words[0]);
  std::vector<Xapian::Query> parts;
  for (const auto& w : words) parts.emplace_back(w);
  return Xapian::Query(Xapian::Query::OP_PHRASE, parts.begin(), parts.end(), static_cast<Xapian::termcount>(parts.size()));
}

}  // namespace

struct Searcher::ShownDocument {
  Xapian::docid id = 0;
  std::string locale;  // of the analyzer that made the tokens
  std::string data;
  schema::DocumentData fields;  // text points into `data`
  std::vector<text::Token> title_tokens, text_tokens;
};

std::shared_ptr<const Searcher::ShownDocument> Searcher::shown_document(Xapian::docid id, const Xapian::MSetIterator& match,
                                                                        const text::Analyzer& an) {
  if (auto it = shown_by_id_.find(id); it != shown_by_id_.end()) {
    if ((*it->second)->locale == an.locale()) {
      shown_.splice(shown_.begin(), shown_, it->second);
      return *it->second;
    }
    shown_.erase(it->second);
    shown_by_id_.erase(it);
  }
  auto doc = std::make_shared<ShownDocument>();
  doc->id = id;
  doc->locale = an.locale();
  doc->data = match.get_document().get_data();
  doc->fields = schema::parse_document_data(doc->data);
  doc->title_tokens = an.analyze(doc->fields.fields.at("title").get_ref<const std::string&>());
  doc->text_tokens = an.analyze(doc->fields.text);
  shown_.push_front(doc);
  shown_by_id_[id] = shown_.begin();
  if (shown_.size() > kShownDocuments) {
    shown_by_id_.erase(shown_.back()->id);
    shown_.pop_back();
  }
  return doc;
}

Searcher::Searcher(Xapian::Database db, RankingOptions ranking) : db_(std::move(db)), ranking_(ranking) {
  default_locale_ = db_.get_metadata(std::string(schema::kMetaDefaultLocale));
  if (default_locale_.empty()) default_locale_ = "en";
}

const text::Analyzer& Searcher::analyzer(const std::string& locale) {
  auto it = analyzers_.find(locale);
  if (it == analyzers_.end()) it = analyzers_.emplace(locale, text::Analyzer(locale)).first;
  return it->second;
}

// What a request asks the index for: the query as corrected, what to
// highlight, and the Xapian query with and without the category filter.
struct Searcher::Plan {
  std::string corrected;  // the query as searched, if a word was corrected
  Highlight highlight;
  Xapian::Query unfiltered_by_category, query;
};

SearchRequest Searcher::warm_up_request() const {
  if (db_.get_doccount() == 0) return {};
  const Xapian::docid first = *db_.postlist_begin("");
  const auto fields = schema::parse_document_data(db_.get_document(first).get_data()).fields;
  return {.query = fields.at("title").get<std::string>(), .locale = fields.at("locale").get<std::string>(), .as_you_type = true,
          .facets = false, .limit = 8};  // as the widget asks
}

Searcher::Plan Searcher::plan(const SearchRequest& req, const text::Analyzer& an) const {
  const std::string& locale = an.locale();
  Plan plan;
  Highlight& highlight = plan.highlight;
  ParsedQuery parsed = parse(req.query, an, req.as_you_type);

  const std::string locale_term = std::string(schema::kLocale) + locale;
  const std::vector<std::string> joined = joined_stems(parsed, req.query, an, locale_term, db_);

  // Spelling: a word the index has never seen is replaced by the closest
  // word it has. A prefix that starts some indexed word is left alone, and
  // so is a word that, joined with its neighbour, is an indexed word.
  std::string corrected = req.query;
  bool any_correction = false;
  if (req.spelling) {
    for (size_t i = parsed.words.size(); i-- > 0;) {
      QueryWord& w = parsed.words[i];
      if (!joined[i].empty() || (i > 0 && !joined[i - 1].empty())) continue;
      if (w.token.stop || in_locale(db_, w.token.word, locale_term) || in_locale(db_, stem_term(w.token.stem), locale_term)) continue;
      if (w.prefix && db_.allterms_begin(w.token.word) != db_.allterms_end(w.token.word)) continue;
      std::string suggestion = spelling_suggestion(db_, w.token.word);
      if (suggestion.empty() || !in_locale(db_, suggestion, locale_term)) continue;
      auto tokens = an.analyze(suggestion);
      if (tokens.size() != 1) continue;
      corrected.replace(w.token.begin, w.token.end - w.token.begin, suggestion);
      uint32_t begin = w.token.begin, end = begin + static_cast<uint32_t>(suggestion.size());
      w.token = tokens[0];
      w.token.begin = begin;
      w.token.end = end;
      w.prefix = false;
      w.corrected = true;
      any_correction = true;
    }
  }
  if (any_correction) plan.corrected = corrected;

  std::vector<Xapian::Query> optional, required, excluded;
  const std::string synonym_prefix = locale + ":";
  auto synonyms_of = [&](const std::string& key) {
    std::vector<std::string> alts;
    for (auto s = db_.synonyms_begin(synonym_prefix + key); s != db_.synonyms_end(synonym_prefix + key); ++s)
      alts.push_back(*s);
    return alts;
  };
  auto alternative_query = [&](const std::string& alt) {
    auto tokens = an.analyze(alt);
    std::vector<std::string> words;
    for (const auto& t : tokens) {
      words.push_back(t.word);
      highlight.stems.insert(t.stem);
    }
    if (tokens.size() == 1) return Xapian::Query(stem_term(tokens[0].stem));
    return phrase_query(words);
  };

  for (size_t i = 0; i < parsed.words.size(); ++i) {
    const QueryWord& w = parsed.words[i];
    if (w.excluded) {
      excluded.emplace_back(stem_term(w.token.stem));
      continue;
    }
    // Two words that are one indexed word written apart ("corona virus",
    // "wi fi"): the phrase or the word, weighed as one term.
    if (!joined[i].empty()) {
      const QueryWord& next = parsed.words[i + 1];
      optional.emplace_back(Xapian::Query::OP_SYNONYM, phrase_query({w.token.word, next.token.word}), Xapian::Query(stem_term(joined[i])));
      highlight.stems.insert(w.token.stem);
      highlight.stems.insert(next.token.stem);
      highlight.stems.insert(joined[i]);
      ++i;
      continue;
    }
    // A two-word synonym ("sign in" = "log in") replaces both words.
    if (i + 1 < parsed.words.size() && !parsed.words[i + 1].excluded && !parsed.words[i + 1].prefix) {
      auto alts = synonyms_of(w.token.word + " " + parsed.words[i + 1].token.word);
      if (!alts.empty()) {
        std::vector<Xapian::Query> group{phrase_query({w.token.word, parsed.words[i + 1].token.word})};
        for (const auto& a : alts) group.push_back(alternative_query(a));
        optional.emplace_back(Xapian::Query::OP_SYNONYM, group.begin(), group.end());
        highlight.stems.insert(w.token.stem);
        highlight.stems.insert(parsed.words[i + 1].token.stem);
        ++i;
        continue;
      }
    }
    if (!w.token.stop) highlight.stems.insert(w.token.stem);
    std::vector<Xapian::Query> group;
    group.emplace_back(stem_term(w.token.stem));
    // Prefixes expand from kMinPrefix characters: one or two letters match
    // a large share of the vocabulary and say little about what is wanted.
    if (w.prefix && w.token.word.size() >= kMinPrefix) {
      group.emplace_back(Xapian::Query::OP_WILDCARD, w.token.word, kMaxPrefixExpansion, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
      highlight.prefixes.push_back(w.token.word);
    }
    for (const auto& a : synonyms_of(w.token.word)) group.push_back(alternative_query(a));
    optional.push_back(group.size() == 1 ? group[0] : Xapian::Query(Xapian::Query::OP_SYNONYM, group.begin(), group.end()));
  }
  // The query worded as one of a document's questions: that document first.
  // Scaled by the form's stems, so it outweighs what those words can add up
  // to anywhere else (each is at most as rare as the form). Most forms are
  // no document's: such a term matches nothing and weighs nothing, and is
  // not looked up first, so a lazily read index fetches it with the other
  // terms' postings (posting_reads) instead of in a round trip of its own.
  {
    std::vector<text::Token> tokens;
    for (const auto& w : parsed.words)
      if (!w.excluded) tokens.push_back(w.token);
    const std::string form = text::query_form(tokens);
    const std::string term = std::string(schema::kQuestionForm) + form;
    if (!form.empty() && form.size() <= schema::kMaxFormBytes)
      optional.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(term),
                            static_cast<double>(1 + std::count(form.begin(), form.end(), ' ')));
  }
  for (const auto& phrase : parsed.phrases) {
    std::vector<std::string> words;
    for (const auto& t : phrase) {
      words.push_back(t.word);
      highlight.stems.insert(t.stem);
    }
    required.push_back(phrase_query(words));
  }

  Xapian::Query query;
  Xapian::Query any(Xapian::Query::OP_OR, optional.begin(), optional.end());
  Xapian::Query all(Xapian::Query::OP_AND, required.begin(), required.end());
  if (!required.empty() && !optional.empty())
    query = Xapian::Query(Xapian::Query::OP_AND_MAYBE, all, any);
  else if (!required.empty())
    query = all;
  else if (!optional.empty())
    query = any;
  else
    // An empty query browses; "-word" alone excludes from everything. A new
    // match-all query, never the shared static Query::MatchAll: copying that
    // one from several threads races on its (non-atomic) reference count, and
    // the server searches on several threads at once.
    query = Xapian::Query(std::string());
  if (!excluded.empty())
    query = Xapian::Query(Xapian::Query::OP_AND_NOT, query, Xapian::Query(Xapian::Query::OP_OR, excluded.begin(), excluded.end()));

  // A filter every document passes (the only locale of a one-language help
  // center) is left out: it would only make the matcher walk its postings.
  std::vector<Xapian::Query> filters;
  if (db_.get_termfreq(locale_term) != db_.get_doccount()) filters.emplace_back(locale_term);
  if (!req.kind.empty()) filters.emplace_back(std::string(schema::kKind) + req.kind);
  for (const auto& t : req.tags) filters.emplace_back(std::string(schema::kTag) + schema::filter_value(t));
  plan.unfiltered_by_category =
      filters.empty() ? query : Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end()));
  plan.query = plan.unfiltered_by_category;
  if (!req.categories.empty()) {
    std::vector<Xapian::Query> cats;
    for (const auto& c : req.categories) cats.emplace_back(std::string(schema::kCategory) + schema::filter_value(c));
    plan.query = Xapian::Query(Xapian::Query::OP_FILTER, plan.query, Xapian::Query(Xapian::Query::OP_OR, cats.begin(), cats.end()));
  }
  return plan;
}

Xapian::MSet Searcher::match(const Xapian::Query& query, const SearchRequest& req) const {
  Xapian::Enquire enquire(db_);
  // b = 0: the index's wdf is already length-normalized per field (BM25F, schema.h).
  enquire.set_weighting_scheme(Xapian::BM25Weight(ranking_.bm25f_k1 * schema::kWdfScale, 0, 1, 0, 0.5));
  enquire.set_query(query);
  // No check_at_least: Xapian may stop early once the top results are
  // certain, so `total` is an estimate for broad queries (exact when small).
  return enquire.get_mset(req.offset, req.limit);
}

// Counts per category ignore the category filter itself, so the customer
// sees how many results each category would give.
std::vector<std::pair<std::string, uint64_t>> Searcher::category_counts(const Plan& plan) const {
  Xapian::Enquire facet_enquire(db_);
  facet_enquire.set_query(plan.unfiltered_by_category);
  facet_enquire.set_weighting_scheme(Xapian::BoolWeight());
  Xapian::ValueCountMatchSpy spy(schema::kCategorySlot);
  facet_enquire.add_matchspy(&spy);
  facet_enquire.get_mset(0, 0, std::min<Xapian::doccount>(db_.get_doccount(), kFacetScanLimit));
  std::vector<std::pair<std::string, uint64_t>> counts;
  for (auto v = spy.values_begin(); v != spy.values_end(); ++v)
    if (!(*v).empty()) counts.emplace_back(*v, v.get_termfreq());
  return counts;
}

const text::Analyzer& Searcher::checked_analyzer(const SearchRequest& req) {
  if (req.limit > kMaxLimit) throw std::invalid_argument("limit must be at most " + std::to_string(kMaxLimit));
  return analyzer(req.locale.empty() ? default_locale_ : req.locale);  // throws for an unsupported locale
}

struct Searcher::Matched {
  SearchRequest request;
  Plan plan;
  std::optional<Xapian::MSet> mset;  // once matched
};

// The request's plan, and its match if `matching`, made once for the calls
// about the same request (posting_reads, unshown_documents, search) and kept
// until another.
Searcher::Matched& Searcher::prepared(const SearchRequest& req, const text::Analyzer& an, bool matching) {
  if (!matched_ || !(matched_->request == req)) {
    auto matched = std::make_unique<Matched>();
    matched->request = req;
    matched->plan = plan(req, an);
    matched_ = std::move(matched);
  }
  if (matching && !matched_->mset) matched_->mset = match(matched_->plan.query, req);
  return *matched_;
}

Searcher::~Searcher() = default;

SearchResponse Searcher::search(const SearchRequest& req) {
  const text::Analyzer& an = checked_analyzer(req);
  SearchResponse resp;
  resp.query = req.query;
  resp.locale = an.locale();
  resp.offset = req.offset;
  resp.limit = req.limit;
  prepared(req, an, true);
  // Taken: a search is not asked about again (the next keystroke differs).
  const std::unique_ptr<Matched> matched = std::move(matched_);
  const Plan& plan = matched->plan;
  const Xapian::MSet& mset = *matched->mset;
  resp.corrected = plan.corrected;
  resp.total = mset.get_matches_estimated();
  if (req.facets) resp.categories = category_counts(plan);

  for (auto m = mset.begin(); m != mset.end(); ++m) {
    const auto doc = shown_document(*m, m, an);
    const auto& data = doc->fields.fields;
    SearchHit hit;
    hit.id = data.at("id");
    hit.kind = data.at("kind");
    hit.title = data.at("title");
    hit.locale = data.at("locale");
    hit.category = data.at("category");
    hit.url = data.at("url");
    hit.score = m.get_weight();
    hit.title_html = highlight_html(hit.title, doc->title_tokens, plan.highlight);
    hit.snippet_html = snippet_html(doc->fields.text, doc->text_tokens, plan.highlight);
    resp.hits.push_back(std::move(hit));
  }
  return resp;
}

std::vector<Xapian::docid> Searcher::unshown_documents(const SearchRequest& req) {
  const Xapian::MSet& mset = *prepared(req, checked_analyzer(req), true).mset;
  std::vector<Xapian::docid> ids;
  for (auto m = mset.begin(); m != mset.end(); ++m)
    if (!shown_by_id_.count(*m)) ids.push_back(*m);
  return ids;
}

Searcher::PostingReads Searcher::posting_reads(const SearchRequest& req) {
  const Plan& plan = prepared(req, checked_analyzer(req), false).plan;
  PostingReads reads;
  reads.terms.assign(plan.query.get_unique_terms_begin(), plan.query.get_unique_terms_end());
  reads.prefixes = plan.highlight.prefixes;
  return reads;
}

Searcher::PlanReads Searcher::plan_reads(const SearchRequest& req) {
  const text::Analyzer& an = checked_analyzer(req);
  const ParsedQuery parsed = parse(req.query, an, req.as_you_type);
  PlanReads reads;
  auto look_up = [&](const std::string& term) {
    reads.lookups.emplace_back([term](const Xapian::Database& db) { db.get_termfreq(term); });
    reads.terms_looked_up.push_back(term);
  };
  look_up(std::string(schema::kLocale) + an.locale());
  std::vector<text::Token> form_tokens;
  for (size_t i = 0; i < parsed.words.size(); ++i) {
    const QueryWord& w = parsed.words[i];
    const std::string stem = stem_term(w.token.stem);
    reads.likely.terms.push_back(stem);
    if (w.excluded) continue;
    form_tokens.push_back(w.token);
    if (i + 1 < parsed.words.size() && !parsed.words[i + 1].excluded) look_up(w.token.word + parsed.words[i + 1].token.word);
    if (w.prefix && w.token.word.size() >= kMinPrefix) reads.likely.prefixes.push_back(w.token.word);
    if (!req.spelling || w.token.stop) continue;
    look_up(w.token.word);
    look_up(stem);
    // As plan() corrects a word (joined words aside: rare, and looked up above).
    if (w.token.word.size() < 4) continue;
    reads.spelling.push_back(w.token.word);
    reads.lookups.emplace_back([word = w.token.word, stem, prefix = w.prefix](const Xapian::Database& db) {
      if (db.term_exists(word) || db.term_exists(stem)) return;
      if (prefix && db.allterms_begin(word) != db.allterms_end(word)) return;
      if (const std::string suggestion = spelling_suggestion(db, word); !suggestion.empty()) db.term_exists(suggestion);
    });
  }
  const std::string form = text::query_form(form_tokens);
  if (!form.empty() && form.size() <= schema::kMaxFormBytes) reads.likely.terms.push_back(std::string(schema::kQuestionForm) + form);
  return reads;
}

}  // namespace firstfix::search
