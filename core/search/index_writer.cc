#include "core/search/index_writer.h"

#include <nlohmann/json.hpp>
#include <xapian.h>

#include <array>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "core/search/schema.h"
#include "core/search/searcher.h"
#include "core/text/analyzer.h"

namespace firstfix::search {
namespace {

// The analysed fields of one document, in a fixed order.
enum FieldId { kTitle, kQuestions, kSynonyms, kTags, kHeadings, kBody, kFieldCount };

// Words and stems are interned: a collection is analysed whole before it is
// written (BM25F needs average field lengths), and 8 bytes a token keep that
// affordable at 100,000 articles.
class Vocabulary {
 public:
  uint32_t id(const std::string& s) {
    auto [it, fresh] = ids_.emplace(s, static_cast<uint32_t>(strings_.size()));
    if (fresh) strings_.push_back(s);
    return it->second;
  }
  const std::string& operator[](uint32_t id) const { return strings_[id]; }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> strings_;
};

struct TokenIds {
  uint32_t word, stem;
};

struct AnalysedDoc {
  std::array<std::vector<TokenIds>, kFieldCount> fields;
};

schema::Field field_params(int f) {
  const auto& p = schema::kBm25f;
  switch (f) {
    case kTitle: return p.title;
    case kQuestions: return p.questions;
    case kSynonyms: return p.synonyms;
    case kTags: return p.tags;
    case kHeadings: return p.headings;
    default: return p.body;
  }
}

bool is_number(const std::string& w) {
  for (char c : w)
    if (!(c >= '0' && c <= '9') && c != '.' && c != ',') return false;
  return true;
}

// Adds a document's terms with BM25F pseudo-frequencies as wdf (see schema.h),
// unstemmed words with positions, and its words to the spelling table.
void add_terms(const AnalysedDoc& d, const Vocabulary& vocabulary, const std::array<double, kFieldCount>& avg_len,
               Xapian::Document& doc, std::map<std::string, Xapian::termcount>& spelling) {
  std::map<std::string, double> stems, words;
  Xapian::termpos pos = 0;
  for (int f = 0; f < kFieldCount; ++f) {
    const auto& tokens = d.fields[f];
    if (tokens.empty()) continue;
    const schema::Field p = field_params(f);
    const double norm = 1.0 - p.b + p.b * static_cast<double>(tokens.size()) / avg_len[f];
    const double inc = p.weight / norm;
    for (const auto& t : tokens) {
      const std::string& word = vocabulary[t.word];
      doc.add_posting(word, ++pos, 0);
      stems[std::string(schema::kStem) + vocabulary[t.stem]] += inc;
      words[word] += inc;
      if (word.size() >= 3 && !is_number(word)) ++spelling[word];
    }
    pos += schema::kFieldGap;
  }
  auto wdf = [](double tf) { return static_cast<Xapian::termcount>(std::max(1.0, std::round(tf * schema::kWdfScale))); };
  for (const auto& [term, tf] : stems) doc.add_term(term, wdf(tf));
  for (const auto& [term, tf] : words) doc.add_term(term, wdf(tf));
}

// Xapian gives every database a random UUID. Replace it with one derived from
// the content so that the same input gives the same bytes.
void make_uuid_deterministic(const std::string& path) {
  const std::string uuid_text = Xapian::Database(path).get_uuid();
  std::string raw;
  for (char c : uuid_text) {
    if (c == '-') continue;
    raw.push_back(c);
  }
  if (raw.size() != 32) return;
  std::string uuid_bytes;
  for (size_t i = 0; i < 32; i += 2) uuid_bytes.push_back(static_cast<char>(std::stoi(raw.substr(i, 2), nullptr, 16)));

  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = bytes.find(uuid_bytes);
  if (at == std::string::npos || bytes.find(uuid_bytes, at + 1) != std::string::npos)
    throw std::runtime_error("cannot locate the database UUID in " + path);
  // FNV-1a over everything but the UUID itself, spread over 16 bytes.
  uint64_t h1 = 1469598103934665603ULL, h2 = 1099511628211ULL * 31;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i >= at && i < at + 16) continue;
    h1 = (h1 ^ static_cast<unsigned char>(bytes[i])) * 1099511628211ULL;
    h2 = (h2 ^ static_cast<unsigned char>(bytes[i])) * 0x100000001b3ULL + 7;
  }
  for (int i = 0; i < 8; ++i) {
    bytes[at + i] = static_cast<char>(h1 >> (8 * i));
    bytes[at + 8 + i] = static_cast<char>(h2 >> (8 * i));
  }
  bytes[at + 6] = static_cast<char>((bytes[at + 6] & 0x0f) | 0x50);  // a name-based UUID
  bytes[at + 8] = static_cast<char>((bytes[at + 8] & 0x3f) | 0x80);
  std::ofstream outf(path, std::ios::binary | std::ios::trunc);
  outf.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!outf) throw std::runtime_error("cannot rewrite " + path);
}

// A help center analysed for the index: every document's fields (pass 1,
// which BM25F's average field lengths need), then each document's terms
// with their weights on demand (pass 2). Document i is docid i + 1:
// articles first, then flows, in the help center's order.
class IndexBuilder {
 public:
  explicit IndexBuilder(const content::HelpCenter& hc) : hc_(hc) {
    for (const auto& c : hc.articles) {
      const auto& a = c.article;
      analysed_.push_back(analyse(a.locale, article_fields(c, a.questions)));
      targets_.push_back("article:" + a.id);
    }
    for (const auto& f : hc.flows) {
      analysed_.push_back(analyse(f.locale, flow_fields(f, f.intents)));
      targets_.push_back("flow:" + f.id);
    }
    for (int f = 0; f < kFieldCount; ++f) {
      double total = 0, n = 0;
      for (const auto& d : analysed_)
        if (!d.fields[f].empty()) {
          total += static_cast<double>(d.fields[f].size());
          ++n;
        }
      avg_len_[f] = n > 0 ? total / n : 1.0;
    }
  }

  size_t size() const { return analysed_.size(); }
  // Document `i`'s questions (a flow's intents) as the help center has them now.
  const std::vector<std::string>& questions_of(size_t i) const {
    return i < hc_.articles.size() ? hc_.articles[i].article.questions : hc_.flows[i - hc_.articles.size()].intents;
  }
  const std::vector<std::string>& targets() const { return targets_; }

  // Document `i` as indexed, its questions (a flow's intents) replaced by
  // `questions` when given. Adds its words to `spelling`.
  Xapian::Document document(size_t i, std::map<std::string, Xapian::termcount>& spelling,
                            const std::vector<std::string>* questions = nullptr) {
    Xapian::Document doc;
    const size_t articles = hc_.articles.size();
    AnalysedDoc changed;
    if (i < articles) {
      const auto& c = hc_.articles[i];
      const auto& a = c.article;
      if (questions) changed = analyse(a.locale, article_fields(c, *questions));
      doc.add_boolean_term(std::string(schema::kId) + a.id);
      doc.add_boolean_term(std::string(schema::kLocale) + a.locale);
      doc.add_boolean_term(std::string(schema::kCategory) + schema::filter_value(a.category));
      for (const auto& t : a.tags) doc.add_boolean_term(std::string(schema::kTag) + schema::filter_value(t));
      doc.add_boolean_term(std::string(schema::kKind) + "article");
      doc.add_value(schema::kCategorySlot, a.category);
      doc.set_data(schema::document_data({{"id", a.id},         {"kind", "article"},      {"title", a.title},
                                          {"locale", a.locale}, {"category", a.category}, {"url", c.url}},
                                         c.text));
    } else {
      const auto& f = hc_.flows[i - articles];
      if (questions) changed = analyse(f.locale, flow_fields(f, *questions));
      std::string intents;
      for (const auto& it : questions ? *questions : f.intents) intents += (intents.empty() ? "" : " · ") + it;
      doc.add_boolean_term(std::string(schema::kId) + f.id);
      doc.add_boolean_term(std::string(schema::kLocale) + f.locale);
      doc.add_boolean_term(std::string(schema::kKind) + "flow");
      doc.set_data(schema::document_data({{"id", f.id},         {"kind", "flow"}, {"title", f.title},
                                          {"locale", f.locale}, {"category", ""}, {"url", content::flow_url(f.id)}},
                                         intents));
    }
    add_terms(questions ? changed : analysed_[i], vocabulary_, avg_len_, doc, spelling);
    // Each question's form: a query of that form ranks this document first
    // (saturated: the searcher scales it above what its words can add up to).
    const std::string& locale = i < articles ? hc_.articles[i].article.locale : hc_.flows[i - articles].locale;
    for (const auto& q : questions ? *questions : questions_of(i)) {
      const std::string form = text::query_form(analyzer(locale).analyze(q));
      if (!form.empty() && form.size() <= schema::kMaxFormBytes)
        doc.add_term(std::string(schema::kQuestionForm) + form, static_cast<Xapian::termcount>(schema::kWdfScale * 1000));
    }
    return doc;
  }

  // Every document, the spelling table, the synonyms and the metadata.
  void write(Xapian::WritableDatabase& db) {
    std::map<std::string, Xapian::termcount> spelling;
    for (size_t i = 0; i < analysed_.size(); ++i) {
      db.add_document(document(i, spelling));
      analysed_[i] = AnalysedDoc();  // release as we go
    }
    for (const auto& [word, count] : spelling) db.add_spelling(word, count);
    for (const auto& file : hc_.synonyms) {
      const text::Analyzer& an = analyzer(file.locale);
      for (const auto& group : file.groups) {
        std::vector<std::string> keys;
        for (const auto& term : group.terms) {
          std::string key;
          for (const auto& t : an.analyze(term)) key += (key.empty() ? "" : " ") + t.word;
          if (!key.empty()) keys.push_back(file.locale + ":" + key);
        }
        for (const auto& k : keys)
          for (const auto& other : keys)
            if (k != other) db.add_synonym(k, other.substr(file.locale.size() + 1));
      }
    }
    std::string locales;
    for (const auto& l : hc_.site.locales) locales += (locales.empty() ? "" : ",") + l;
    db.set_metadata(std::string(schema::kMetaDefaultLocale), hc_.site.default_locale);
    db.set_metadata(std::string(schema::kMetaLocales), locales);
  }

 private:
  using Fields = std::array<std::vector<std::string>, kFieldCount>;
  static Fields article_fields(const content::CompiledArticle& c, const std::vector<std::string>& questions) {
    const auto& a = c.article;
    return {std::vector<std::string>{a.title}, questions, a.synonyms, a.tags, {c.headings}, {c.text}};
  }
  static Fields flow_fields(const content::FlowFile& f, const std::vector<std::string>& intents) {
    return {std::vector<std::string>{f.title}, intents, {}, {}, {}, {}};
  }

  const text::Analyzer& analyzer(const std::string& locale) {
    auto it = analyzers_.find(locale);
    if (it == analyzers_.end()) it = analyzers_.emplace(locale, text::Analyzer(locale)).first;
    return it->second;
  }

  AnalysedDoc analyse(const std::string& locale, const Fields& fields) {
    AnalysedDoc d;
    const text::Analyzer& an = analyzer(locale);
    for (int f = 0; f < kFieldCount; ++f)
      for (const auto& s : fields[f])
        for (const auto& t : an.analyze(s)) d.fields[f].push_back({vocabulary_.id(t.word), vocabulary_.id(t.stem)});
    return d;
  }

  const content::HelpCenter& hc_;
  std::map<std::string, text::Analyzer> analyzers_;
  Vocabulary vocabulary_;
  std::vector<AnalysedDoc> analysed_;
  std::vector<std::string> targets_;
  std::array<double, kFieldCount> avg_len_{};
};

// Small blocks: less padding in small help centers, and finer-grained reads
// when the browser fetches the index lazily. Without a termlist the index is
// smaller, but a document cannot be replaced: a trial index keeps one.
enum class Termlist { kWithout, kWith };
Xapian::WritableDatabase create_database(const std::string& path, Termlist termlist = Termlist::kWithout) {
  const int flags = Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS | Xapian::DB_NO_SYNC |
                    (termlist == Termlist::kWithout ? Xapian::DB_NO_TERMLIST : 0);
  return Xapian::WritableDatabase(path, flags, schema::kBlockSize);
}

}  // namespace

void write_index(const content::HelpCenter& hc, const std::string& scratch_dir,
                 const std::string& output_path) {
  const std::string db_path = scratch_dir + "/glass";
  {
    Xapian::WritableDatabase db = create_database(db_path);
    IndexBuilder(hc).write(db);
    db.commit();
  }
  Xapian::Database(db_path).compact(output_path, Xapian::DBCOMPACT_SINGLE_FILE, schema::kBlockSize);
  make_uuid_deterministic(output_path);
}

struct TrialIndex::Impl {
  IndexBuilder builder;
  Xapian::WritableDatabase db;
  std::map<std::string, size_t> at;  // target -> document index
  Impl(const content::HelpCenter& hc, const std::string& path) : builder(hc), db(create_database(path, Termlist::kWith)) {
    const auto targets = builder.targets();  // write() releases the analysis, not the targets
    for (size_t i = 0; i < targets.size(); ++i) at.emplace(targets[i], i);
    builder.write(db);
    db.commit();
  }
};

TrialIndex::TrialIndex(const content::HelpCenter& hc, const std::string& scratch_dir)
    : help_center_(hc), impl_(std::make_unique<Impl>(help_center_, scratch_dir + "/trial")) {}
TrialIndex::~TrialIndex() = default;

bool TrialIndex::has(const std::string& target) const { return impl_->at.count(target) > 0; }

namespace {
int rank_of(Searcher& searcher, const std::string& target, const SearchRequest& request) {
  const SearchResponse r = searcher.search(request);
  const std::string kind = target.substr(0, target.find(':')), name = target.substr(target.find(':') + 1);
  for (size_t i = 0; i < r.hits.size(); ++i)
    if (r.hits[i].kind == kind && r.hits[i].id == name) return static_cast<int>(i) + 1;
  return 0;
}
}  // namespace

int TrialIndex::rank(const std::string& target, const SearchRequest& request, const std::vector<std::string>* questions) {
  if (!questions) {
    if (!has(target)) throw std::invalid_argument("no article or flow '" + target + "' in the content");
    Searcher searcher(impl_->db);
    return rank_of(searcher, target, request);
  }
  return ranks_with(target, *questions, {{target, request}}).at(0);
}

std::vector<int> TrialIndex::ranks_with(const std::string& target, const std::vector<std::string>& questions,
                                        const std::vector<std::pair<std::string, SearchRequest>>& probes) {
  const auto it = impl_->at.find(target);
  if (it == impl_->at.end()) throw std::invalid_argument("no article or flow '" + target + "' in the content");
  for (const auto& [t, r] : probes)
    if (!has(t)) throw std::invalid_argument("no article or flow '" + t + "' in the content");
  std::map<std::string, Xapian::termcount> spelling;  // a trial's words do not join the spelling table
  impl_->db.replace_document(static_cast<Xapian::docid>(it->second + 1), impl_->builder.document(it->second, spelling, &questions));
  std::vector<int> out;
  try {
    Searcher searcher(impl_->db);
    for (const auto& [t, r] : probes) out.push_back(rank_of(searcher, t, r));
  } catch (...) {
    refresh(target);
    throw;
  }
  refresh(target);
  return out;
}

void TrialIndex::refresh(const std::string& target) {
  const auto it = impl_->at.find(target);
  if (it == impl_->at.end()) throw std::invalid_argument("no article or flow '" + target + "' in the content");
  std::map<std::string, Xapian::termcount> spelling;
  impl_->db.replace_document(static_cast<Xapian::docid>(it->second + 1),
                             impl_->builder.document(it->second, spelling, &impl_->builder.questions_of(it->second)));
}

std::set<std::string> TrialIndex::stems(const std::string& target) const {
  const auto it = impl_->at.find(target);
  if (it == impl_->at.end()) throw std::invalid_argument("no article or flow '" + target + "' in the content");
  std::set<std::string> out;
  const std::string prefix(schema::kStem);
  const Xapian::docid id = static_cast<Xapian::docid>(it->second + 1);
  for (auto t = impl_->db.termlist_begin(id); t != impl_->db.termlist_end(id); ++t) {
    const std::string term = *t;
    if (term.size() > prefix.size() && term.compare(0, prefix.size(), prefix) == 0) out.insert(term.substr(prefix.size()));
  }
  return out;
}

void TrialIndex::set_synonym(const std::string& locale, const std::string& word, const std::string& partner, bool on) {
  for (const auto& [key, to] : {std::pair{locale + ":" + word, partner}, std::pair{locale + ":" + partner, word}}) {
    if (on) impl_->db.add_synonym(key, to);
    else impl_->db.remove_synonym(key, to);
  }
}

std::vector<int> TrialIndex::ranks_with_synonym(const std::string& locale, const std::string& word, const std::string& partner,
                                                const std::vector<std::pair<std::string, SearchRequest>>& probes) {
  for (const auto& [t, r] : probes)
    if (!has(t)) throw std::invalid_argument("no article or flow '" + t + "' in the content");
  // Both ways, as the index writer adds a group's members; only what was not there is taken out again.
  const std::vector<std::pair<std::string, std::string>> links = {{locale + ":" + word, partner}, {locale + ":" + partner, word}};
  std::vector<std::pair<std::string, std::string>> added;
  for (const auto& [key, to] : links) {
    bool there = false;
    for (auto s = impl_->db.synonyms_begin(key); s != impl_->db.synonyms_end(key); ++s) there |= *s == to;
    if (!there) {
      impl_->db.add_synonym(key, to);
      added.push_back({key, to});
    }
  }
  std::vector<int> out;
  try {
    Searcher searcher(impl_->db);
    for (const auto& [t, r] : probes) out.push_back(rank_of(searcher, t, r));
  } catch (...) {
    for (const auto& [key, to] : added) impl_->db.remove_synonym(key, to);
    throw;
  }
  for (const auto& [key, to] : added) impl_->db.remove_synonym(key, to);
  return out;
}

}  // namespace firstfix::search
