// Stop words per locale, in folded form (lower case, no diacritics). They are
// indexed and searched like any word (BM25's IDF already discounts them, and
// dropping them from question-shaped queries cost 0.11 nDCG@10 on the
// evaluation collection), but they are never spelling-corrected or
// highlighted. Short lists on purpose. English contractions are listed with
// and without their apostrophe: "wont" and "dont" are how customers type
// "won't" and "don't", words, not typos ("wont" is not "want").
#include <algorithm>
#include <array>
#include <string_view>

#include "core/text/analyzer.h"

namespace firstfix::text {
namespace {

constexpr auto kEnglish = std::to_array<std::string_view>({
    "a", "about", "am", "an", "and", "any", "are", "aren't", "arent", "as", "at", "be", "been",
    "being", "but", "by", "can", "can't", "cant", "could", "couldn't", "couldnt", "did", "didn't",
    "didnt", "do", "does", "doesn't", "doesnt", "doing", "don't", "dont", "for", "from", "had",
    "has", "hasn't", "hasnt", "have", "haven't", "havent", "having", "he", "her", "here", "hers",
    "him", "his", "how", "i", "i'm", "i've", "if", "im", "in", "into", "is", "isn't", "isnt", "it",
    "it's", "its", "ive", "me", "might", "my", "of", "on", "or", "our", "ours", "she", "should",
    "shouldn't", "shouldnt", "so", "than", "that", "that's", "thats", "the", "their", "theirs",
    "them", "then", "there", "these", "they", "they're", "theyre", "this", "those", "to", "us",
    "was", "wasn't", "wasnt", "we", "were", "what", "what's", "whats", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "won't", "wont", "would", "wouldn't", "wouldnt",
    "you", "you're", "your", "youre", "yours"});

constexpr auto kSpanish = std::to_array<std::string_view>({
    "a", "al", "como", "con", "cual", "cuando", "de", "del", "donde", "el", "ella", "ellos",
    "en", "es", "esta", "este", "esto", "fue", "ha", "hay", "la", "las", "le", "les", "lo",
    "los", "me", "mi", "mis", "mucho", "muy", "o", "para", "pero", "por", "porque", "puedo",
    "que", "se", "ser", "si", "sobre", "su", "sus", "te", "tu", "tus", "un", "una", "unas",
    "uno", "unos", "y", "yo"});

constexpr auto kGerman = std::to_array<std::string_view>({
    "aber", "als", "am", "an", "auch", "auf", "aus", "bei", "bin", "bis", "das", "dass", "dem",
    "den", "der", "des", "die", "du", "ein", "eine", "einem", "einen", "einer", "es", "fur",
    "hat", "ich", "ihr", "im", "in", "ist", "mein", "meine", "mit", "nach", "oder", "sich",
    "sie", "sind", "so", "um", "und", "vom", "von", "wie", "wir", "wo", "zu", "zum", "zur"});

constexpr auto kFrench = std::to_array<std::string_view>({
    "a", "au", "aux", "avec", "ce", "ces", "comment", "dans", "de", "des", "du", "elle", "en",
    "est", "et", "il", "je", "la", "le", "les", "leur", "ma", "mais", "me", "mes", "mon", "nous",
    "on", "ou", "par", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "ta", "te",
    "tes", "ton", "tu", "un", "une", "vos", "votre", "vous", "y"});

static_assert(std::is_sorted(kEnglish.begin(), kEnglish.end()));
static_assert(std::is_sorted(kSpanish.begin(), kSpanish.end()));
static_assert(std::is_sorted(kGerman.begin(), kGerman.end()));
static_assert(std::is_sorted(kFrench.begin(), kFrench.end()));

}  // namespace

bool StopWords::contains(std::string_view w) const { return std::binary_search(begin_, end_, w); }

StopWords stop_words_for(std::string_view locale) {
  auto of = [](const auto& words) { return StopWords(words.data(), words.data() + words.size()); };
  if (locale == "en") return of(kEnglish);
  if (locale == "es") return of(kSpanish);
  if (locale == "de") return of(kGerman);
  if (locale == "fr") return of(kFrench);
  return {};
}

}  // namespace firstfix::text
