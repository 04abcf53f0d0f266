#include "core/text/analyzer.h"

namespace firstfix::text {

const std::vector<LocaleInfo>& supported_locales() {
  static const std::vector<LocaleInfo> locales = {
      {"en", "english", false},    {"es", "spanish", false},
      {"de", "german", false},     {"fr", "french", false},
      {"it", "italian", false},    {"pt", "portuguese", false},
      {"nl", "dutch", false},      {"sv", "swedish", false},
      {"ar", "arabic", true},      {"he", "", true},
      {"fa", "", true},            {"ur", "", true},
      {"ja", "", false},           {"zh", "", false},
  };
  return locales;
}

const LocaleInfo* find_locale(std::string_view code) {
  for (const auto& l : supported_locales())
    if (l.code == code) return &l;
  return nullptr;
}

}  // namespace firstfix::text
