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

}  // namespace

void write_index(const content::HelpCenter& hc, const std::string& scratch_dir,
                 const std::string& output_path) {
  const std::string db_path = scratch_dir + "/glass";
  {
    // Small blocks: less padding in small help centers, and finer-grained reads
    // when the browser fetches the index lazily.
    Xapian::WritableDatabase db(db_path, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS | Xapian::DB_NO_TERMLIST | Xapian::DB_NO_SYNC,
                                schema::kBlockSize);
    std::map<std::string, text::Analyzer> analyzers;
    auto analyzer_for = [&](const std::string& locale) -> const text::Analyzer& {
      auto it = analyzers.find(locale);
      if (it == analyzers.end()) it = analyzers.emplace(locale, text::Analyzer(locale)).first;
      return it->second;
    };
    Vocabulary vocabulary;
    auto analyse = [&](const std::string& locale, std::vector<std::string> title_etc[kFieldCount]) {
      AnalysedDoc d;
      const text::Analyzer& an = analyzer_for(locale);
      for (int f = 0; f < kFieldCount; ++f)
        for (const auto& s : title_etc[f])
          for (const auto& t : an.analyze(s)) d.fields[f].push_back({vocabulary.id(t.word), vocabulary.id(t.stem)});
      return d;
    };

    // Pass 1: analyse every field of every document, for the average lengths.
    std::vector<AnalysedDoc> analysed;
    std::vector<Xapian::Document> docs;
    for (const auto& c : hc.articles) {
      const auto& a = c.article;
      std::vector<std::string> fields[kFieldCount] = {{a.title}, a.questions, a.synonyms, a.tags, {c.headings}, {c.text}};
      analysed.push_back(analyse(a.locale, fields));
      Xapian::Document doc;
      doc.add_boolean_term(std::string(schema::kId) + a.id);
      doc.add_boolean_term(std::string(schema::kLocale) + a.locale);
      doc.add_boolean_term(std::string(schema::kCategory) + schema::filter_value(a.category));
      for (const auto& t : a.tags) doc.add_boolean_term(std::string(schema::kTag) + schema::filter_value(t));
      doc.add_boolean_term(std::string(schema::kKind) + "article");
      doc.add_value(schema::kCategorySlot, a.category);
      doc.set_data(schema::document_data({{"id", a.id},         {"kind", "article"},      {"title", a.title},
                                          {"locale", a.locale}, {"category", a.category}, {"url", c.url}},
                                         c.text));
      docs.push_back(std::move(doc));
    }
    for (const auto& f : hc.flows) {
      std::string intents;
      for (const auto& i : f.intents) intents += (intents.empty() ? "" : " · ") + i;
      std::vector<std::string> fields[kFieldCount] = {{f.title}, f.intents, {}, {}, {}, {}};
      analysed.push_back(analyse(f.locale, fields));
      Xapian::Document doc;
      doc.add_boolean_term(std::string(schema::kId) + f.id);
      doc.add_boolean_term(std::string(schema::kLocale) + f.locale);
      doc.add_boolean_term(std::string(schema::kKind) + "flow");
      doc.set_data(schema::document_data({{"id", f.id},         {"kind", "flow"}, {"title", f.title},
                                          {"locale", f.locale}, {"category", ""}, {"url", content::flow_url(f.id)}},
                                         intents));
      docs.push_back(std::move(doc));
    }
    std::array<double, kFieldCount> avg_len{};
    for (int f = 0; f < kFieldCount; ++f) {
      double total = 0, n = 0;
      for (const auto& d : analysed)
        if (!d.fields[f].empty()) {
          total += static_cast<double>(d.fields[f].size());
          ++n;
        }
      avg_len[f] = n > 0 ? total / n : 1.0;
    }

    // Pass 2: terms with their BM25F weights.
    std::map<std::string, Xapian::termcount> spelling;
    for (size_t i = 0; i < docs.size(); ++i) {
      add_terms(analysed[i], vocabulary, avg_len, docs[i], spelling);
      db.add_document(docs[i]);
      docs[i] = Xapian::Document();  // release as we go
    }
    for (const auto& [word, count] : spelling) db.add_spelling(word, count);
    for (const auto& file : hc.synonyms) {
      const text::Analyzer& an = analyzer_for(file.locale);
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
    for (const auto& l : hc.site.locales) locales += (locales.empty() ? "" : ",") + l;
    db.set_metadata(std::string(schema::kMetaDefaultLocale), hc.site.default_locale);
    db.set_metadata(std::string(schema::kMetaLocales), locales);
    db.commit();
  }
  Xapian::Database(db_path).compact(output_path, Xapian::DBCOMPACT_SINGLE_FILE, schema::kBlockSize);
  make_uuid_deterministic(output_path);
}

}  // namespace firstfix::search
