// How documents are laid out in the Xapian index: one definition shared by
// the index writer and the searcher.
#pragma once

#include <nlohmann/json.hpp>
#include <xapian.h>

#include <string>
#include <string_view>

namespace firstfix::search::schema {

// Unprefixed terms are folded surface words, indexed with positions (for
// phrases and as-you-type prefixes). Stems carry the ranking weight.
inline constexpr std::string_view kStem = "Z";
inline constexpr std::string_view kId = "Q";
inline constexpr std::string_view kLocale = "XL";
inline constexpr std::string_view kCategory = "XC";
inline constexpr std::string_view kTag = "XT";
inline constexpr std::string_view kKind = "XK";
// A question's form (text::query_form): a query of the same form ranks its
// document first. Forms longer than kMaxFormBytes are not marked (Xapian's
// terms are at most 245 bytes).
inline constexpr std::string_view kQuestionForm = "XF";
inline constexpr size_t kMaxFormBytes = 200;

inline constexpr Xapian::valueno kCategorySlot = 0;

// Category and tag filter terms are case-insensitive (ASCII): the writer and
// the searcher both normalize through this.
inline std::string filter_value(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// BM25F. Xapian 1.4 normalizes term frequency by the length of the whole
// document, so boosting a field by repeating its terms also lengthens the
// document. Instead the compiler, which sees the whole collection, computes
// each term's BM25F pseudo-frequency
//     tf~ = sum over fields f of  weight_f * tf_f / (1 - b_f + b_f * len_f / avglen_f)
// and stores round(kWdfScale * tf~) as the term's wdf. The searcher then
// applies BM25 saturation with b = 0 (no further length normalization) and
// k1 scaled by kWdfScale. avglen_f is taken over documents that have field f.
struct Field {
  double weight;
  double b;
};
struct Bm25f {
  Field title{10.0, 0.5};
  // As much as the article's own words, not more: questions are many short
  // phrasings, and weighted as titles their common words pull every query
  // toward the articles that have the most (tests/eval/learning_eval.mjs:
  // weight 8 gave 0.86 after learning and cost the untouched articles 0.09;
  // 1 gives 0.89 and costs them 0.01, in the same runs).
  Field questions{1.0, 0.5};
  Field synonyms{4.0, 0.0};
  Field tags{4.0, 0.0};
  Field headings{3.0, 0.5};
  Field body{1.0, 0.5};
};
inline constexpr Bm25f kBm25f{};
inline constexpr double kWdfScale = 16.0;

// Gap between fields so a phrase never matches across two of them.
inline constexpr Xapian::termpos kFieldGap = 100;

inline constexpr int kBlockSize = 2048;  // bytes, the smallest glass allows

// A document's data: its fields as one line of JSON (id, kind, title,
// locale, category, url), then a newline, then its plain text as is. The text
// is most of the bytes and is only sliced for snippets: keeping it out of the
// JSON spares parsing and unescaping it on every search (JSON never holds a
// raw newline, so the first one ends the fields).
inline std::string document_data(const nlohmann::json& fields, std::string_view text) {
  return fields.dump() + '\n' + std::string(text);
}
struct DocumentData {
  nlohmann::json fields;
  std::string_view text;  // into the string given to parse_document_data
};
inline DocumentData parse_document_data(const std::string& data) {
  const auto newline = data.find('\n');
  DocumentData d;
  d.fields = nlohmann::json::parse(std::string_view(data).substr(0, newline));
  if (newline != std::string::npos) d.text = std::string_view(data).substr(newline + 1);
  return d;
}

inline constexpr std::string_view kMetaDefaultLocale = "firstfix.default_locale";
inline constexpr std::string_view kMetaLocales = "firstfix.locales";

}  // namespace firstfix::search::schema
