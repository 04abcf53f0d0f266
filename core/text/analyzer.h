// The one code path that turns text into search terms, for indexing and for
// queries alike, natively and in WebAssembly.
//
// Pipeline per word: ICU word breaking on the original text (dictionary
// breaking for CJK) -> NFKC case folding -> Snowball stemming for the
// locale -> Latin diacritic folding (cafe == café). Stemming runs before
// diacritic folding because Snowball's rules expect accented input
// ("canción", "Bestätigung").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace firstfix::text {

struct Token {
  std::string word;    // folded surface form, e.g. "passwords"
  std::string stem;    // folded stem, e.g. "password"; == word where no stemmer
  uint32_t begin = 0;  // byte offsets of the word in the analysed UTF-8 text
  uint32_t end = 0;
  bool stop = false;   // a stop word of the locale
};

// Locales content may be written in. `stemmer_language` is empty where
// Xapian has no stemmer (the words are indexed as they are).
struct LocaleInfo {
  std::string_view code;              // "en", "es", ...
  std::string_view stemmer_language;  // Xapian::Stem name
  bool right_to_left;
};
const std::vector<LocaleInfo>& supported_locales();
const LocaleInfo* find_locale(std::string_view code);

class Analyzer {
 public:
  // Throws std::invalid_argument for an unsupported locale.
  explicit Analyzer(std::string_view locale);
  ~Analyzer();
  Analyzer(Analyzer&&) noexcept;
  Analyzer& operator=(Analyzer&&) noexcept;

  // Invalid UTF-8 is read as U+FFFD, never an error.
  std::vector<Token> analyze(std::string_view utf8) const;

  const std::string& locale() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The form of a query or question: its stems but the stop words, each once,
// sorted, joined by spaces ("password reset" for "resetting my passwords");
// "" when it has none. Reports group searches by it, and the index marks
// each question with it, so a query worded as a question finds it first.
std::string query_form(const std::vector<Token>& tokens);

// A locale's stop words (empty for locales without a list).
class StopWords {
 public:
  StopWords() = default;
  StopWords(const std::string_view* begin, const std::string_view* end) : begin_(begin), end_(end) {}
  bool contains(std::string_view folded_word) const;

 private:
  const std::string_view* begin_ = nullptr;
  const std::string_view* end_ = nullptr;
};
StopWords stop_words_for(std::string_view locale);

}  // namespace firstfix::text
