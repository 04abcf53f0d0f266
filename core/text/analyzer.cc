#include "core/text/analyzer.h"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>
#include <xapian.h>

#include <set>
#include <stdexcept>
#include <unordered_map>

namespace firstfix::text {
namespace {

const icu::Normalizer2& nfkc_casefold() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU NFKC_Casefold unavailable: ") + u_errorName(status));
  return *n;
}

const icu::Normalizer2& nfd() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU NFD unavailable: ") + u_errorName(status));
  return *n;
}

const icu::Normalizer2& nfc() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU NFC unavailable: ") + u_errorName(status));
  return *n;
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// Removes combining diacritical marks (U+0300..U+036F) after canonical
// decomposition. Only this block: marks such as the Japanese voicing marks
// change meaning and are kept.
icu::UnicodeString strip_latin_diacritics(const icu::UnicodeString& s) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString decomposed = nfd().normalize(s, status);
  if (U_FAILURE(status)) return s;
  icu::UnicodeString out;
  bool removed = false;
  for (int32_t i = 0; i < decomposed.length(); ++i) {
    char16_t c = decomposed.charAt(i);
    if (c >= 0x0300 && c <= 0x036F) { removed = true; continue; }
    out.append(c);
  }
  if (!removed) return s;
  icu::UnicodeString composed = nfc().normalize(out, status);
  return U_FAILURE(status) ? out : composed;
}

std::string to_utf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

}  // namespace

struct Analyzer::Impl {
  std::string locale;
  Xapian::Stem stemmer;
  bool has_stemmer = false;
  StopWords stop_words;
  mutable std::unique_ptr<icu::BreakIterator> words;
  // Snowball stemming is the costliest step per word and a help center's
  // vocabulary is small: remember stems, within a bound.
  mutable std::unordered_map<std::string, std::string> stems;
  static constexpr size_t kMaxCachedStems = 1 << 16;

  std::string stem(const std::string& folded) const {
    auto it = stems.find(folded);
    if (it != stems.end()) return it->second;
    if (stems.size() >= kMaxCachedStems) stems.clear();
    return stems.emplace(folded, stemmer(folded)).first->second;
  }

  // Returns {folded word, folded stem}.
  std::pair<std::string, std::string> fold_and_stem(std::string_view raw) const {
    if (is_ascii(raw)) {
      std::string lower(raw);
      for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      std::string stem = has_stemmer ? this->stem(lower) : lower;
      return {std::move(lower), std::move(stem)};
    }
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(raw.data(), static_cast<int32_t>(raw.size())));
    u.findAndReplace(icu::UnicodeString(u'\u2019'), icu::UnicodeString(u'\''));
    u.findAndReplace(icu::UnicodeString(u'\u02BC'), icu::UnicodeString(u'\''));
    icu::UnicodeString folded = nfkc_casefold().normalize(u, status);
    if (U_FAILURE(status)) folded = u;
    std::string folded_utf8 = to_utf8(folded);
    std::string word = to_utf8(strip_latin_diacritics(folded));
    if (!has_stemmer) return {word, word};
    std::string stem = this->stem(folded_utf8);
    if (!is_ascii(stem)) stem = to_utf8(strip_latin_diacritics(icu::UnicodeString::fromUTF8(stem)));
    return {std::move(word), std::move(stem)};
  }
};

Analyzer::Analyzer(std::string_view locale) : impl_(std::make_unique<Impl>()) {
  const LocaleInfo* info = find_locale(locale);
  if (!info) throw std::invalid_argument("unsupported locale '" + std::string(locale) + "'");
  impl_->locale = std::string(locale);
  impl_->stop_words = stop_words_for(locale);
  if (!info->stemmer_language.empty()) {
    impl_->stemmer = Xapian::Stem(std::string(info->stemmer_language));
    impl_->has_stemmer = true;
  }
  // Root word rules for every locale: CJK dictionary breaking is chosen by
  // script, not by locale, so one rule set serves mixed-script text.
  UErrorCode status = U_ZERO_ERROR;
  impl_->words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || !impl_->words)
    throw std::runtime_error(std::string("ICU word break iterator unavailable: ") + u_errorName(status));
}

Analyzer::~Analyzer() = default;
Analyzer::Analyzer(Analyzer&&) noexcept = default;
Analyzer& Analyzer::operator=(Analyzer&&) noexcept = default;

const std::string& Analyzer::locale() const { return impl_->locale; }

std::vector<Token> Analyzer::analyze(std::string_view utf8) const {
  std::vector<Token> tokens;
  if (utf8.empty()) return tokens;
  UErrorCode status = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, utf8.data(), static_cast<int64_t>(utf8.size()), &status);
  if (U_FAILURE(status)) return tokens;
  icu::BreakIterator& bi = *impl_->words;
  bi.setText(ut, status);
  if (U_FAILURE(status)) { utext_close(ut); return tokens; }
  int32_t begin = bi.first();
  for (int32_t end = bi.next(); end != icu::BreakIterator::DONE; begin = end, end = bi.next()) {
    if (bi.getRuleStatus() < UBRK_WORD_NONE_LIMIT) continue;  // spaces, punctuation, symbols
    std::string_view raw = utf8.substr(static_cast<size_t>(begin), static_cast<size_t>(end - begin));
    auto [word, stem] = impl_->fold_and_stem(raw);
    if (word.empty()) continue;
    Token t;
    t.stop = impl_->stop_words.contains(word);
    t.word = std::move(word);
    t.stem = std::move(stem);
    t.begin = static_cast<uint32_t>(begin);
    t.end = static_cast<uint32_t>(end);
    tokens.push_back(std::move(t));
  }
  // Detach the iterator from the UText before closing it.
  bi.setText(icu::UnicodeString());
  utext_close(ut);
  return tokens;
}

std::string query_form(const std::vector<Token>& tokens) {
  std::set<std::string> stems;
  for (const auto& t : tokens)
    if (!t.stop) stems.insert(t.stem);
  std::string out;
  for (const auto& s : stems) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace firstfix::text
