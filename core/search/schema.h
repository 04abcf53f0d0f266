// How documents are laid out in the Xapian index: one definition shared by
// the index writer and the searcher.
#pragma once

#include <xapian.h>

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

inline constexpr Xapian::valueno kCategorySlot = 0;

// Within-document frequency added per occurrence, by field: BM25 over one
// field with boosted wdf approximates BM25F field weights.
struct FieldWeights {
  Xapian::termcount title = 6;
  Xapian::termcount questions = 5;
  Xapian::termcount synonyms = 3;
  Xapian::termcount tags = 3;
  Xapian::termcount headings = 2;
  Xapian::termcount body = 1;
};
inline constexpr FieldWeights kFieldWeights{};

// Gap between fields so a phrase never matches across two of them.
inline constexpr Xapian::termpos kFieldGap = 100;

inline constexpr std::string_view kMetaDefaultLocale = "firstfix.default_locale";
inline constexpr std::string_view kMetaLocales = "firstfix.locales";

}  // namespace firstfix::search::schema
