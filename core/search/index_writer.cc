#include "core/search/index_writer.h"

#include <nlohmann/json.hpp>
#include <xapian.h>

#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>

#include "core/search/schema.h"
#include "core/text/analyzer.h"

namespace firstfix::search {
namespace {

class DocumentBuilder {
 public:
  DocumentBuilder(const text::Analyzer& analyzer, Xapian::WritableDatabase& db)
      : analyzer_(analyzer), db_(db) {}

  void add_field(const std::string& text, Xapian::termcount weight) {
    for (const text::Token& t : analyzer_.analyze(text)) {
      doc_.add_posting(t.word, ++pos_, weight);
      if (!t.stop) doc_.add_term(std::string(schema::kStem) + t.stem, weight);
      if (t.word.size() >= 3 && !is_number(t.word)) ++spelling_[t.word];
    }
    pos_ += schema::kFieldGap;
  }

  void add_boolean(std::string_view prefix, const std::string& value) {
    doc_.add_boolean_term(std::string(prefix) + value);
  }

  Xapian::Document& document() { return doc_; }

  void flush_spelling() {
    for (const auto& [word, count] : spelling_) db_.add_spelling(word, count);
  }

 private:
  static bool is_number(const std::string& w) {
    for (char c : w)
      if (!(c >= '0' && c <= '9') && c != '.' && c != ',') return false;
    return true;
  }

  const text::Analyzer& analyzer_;
  Xapian::WritableDatabase& db_;
  Xapian::Document doc_;
  Xapian::termpos pos_ = 0;
  std::map<std::string, Xapian::termcount> spelling_;
};

std::string lower_ascii(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
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
    Xapian::WritableDatabase db(db_path, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
    std::map<std::string, text::Analyzer> analyzers;
    auto analyzer_for = [&](const std::string& locale) -> const text::Analyzer& {
      auto it = analyzers.find(locale);
      if (it == analyzers.end()) it = analyzers.emplace(locale, text::Analyzer(locale)).first;
      return it->second;
    };
    const auto& w = schema::kFieldWeights;

    for (const auto& c : hc.articles) {
      const auto& a = c.article;
      DocumentBuilder b(analyzer_for(a.locale), db);
      b.add_field(a.title, w.title);
      for (const auto& q : a.questions) b.add_field(q, w.questions);
      for (const auto& s : a.synonyms) b.add_field(s, w.synonyms);
      for (const auto& t : a.tags) b.add_field(t, w.tags);
      b.add_field(c.headings, w.headings);
      b.add_field(c.text, w.body);
      b.add_boolean(schema::kId, a.id);
      b.add_boolean(schema::kLocale, a.locale);
      b.add_boolean(schema::kCategory, lower_ascii(a.category));
      for (const auto& t : a.tags) b.add_boolean(schema::kTag, lower_ascii(t));
      b.add_boolean(schema::kKind, "article");
      b.document().add_value(schema::kCategorySlot, a.category);
      nlohmann::json data = {{"id", a.id},       {"kind", "article"},      {"title", a.title},
                             {"locale", a.locale}, {"category", a.category}, {"url", c.url},
                             {"text", c.text}};
      b.document().set_data(data.dump());
      db.add_document(b.document());
      b.flush_spelling();
    }
    for (const auto& f : hc.flows) {
      DocumentBuilder b(analyzer_for(f.locale), db);
      b.add_field(f.title, w.title);
      std::string intents;
      for (const auto& i : f.intents) {
        b.add_field(i, w.questions);
        intents += (intents.empty() ? "" : " · ") + i;
      }
      b.add_boolean(schema::kId, f.id);
      b.add_boolean(schema::kLocale, f.locale);
      b.add_boolean(schema::kKind, "flow");
      nlohmann::json data = {{"id", f.id},         {"kind", "flow"},   {"title", f.title},
                             {"locale", f.locale}, {"category", ""},   {"url", content::flow_url(f.id)},
                             {"text", intents}};
      b.document().set_data(data.dump());
      db.add_document(b.document());
      b.flush_spelling();
    }
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
  Xapian::Database(db_path).compact(output_path, Xapian::DBCOMPACT_SINGLE_FILE);
  make_uuid_deterministic(output_path);
}

}  // namespace firstfix::search
