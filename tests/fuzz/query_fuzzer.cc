// The query path, as a customer's keystrokes reach it: ICU's analysis in
// every supported locale, then Xapian's search on a real index with the
// options the widget and the API can set. Input: one option byte, then the query.
#include <cstdint>
#include <memory>
#include <string>

#include "core/search/searcher.h"
#include "core/text/analyzer.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/support/temp_index.h"

using namespace firstfix;

namespace {

std::unique_ptr<testing::TempDir> dir;
std::unique_ptr<search::Searcher> searcher;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  dir = std::make_unique<testing::TempDir>();
  const std::string index = testing::build_index(*dir, {
      {"en/reset.md", testing::article("reset-password", "Reset your password", "Use **Forgot password** on the sign-in page.", "tags: [account]\n")},
      {"en/refund.md", testing::article("refunds", "Refunds and returns", "Refunds reach your card in 5 to 10 days.", "", "en", "Orders")},
      {"es/reset.md", testing::article("restablecer", "Restablecer la contraseña", "Usa **Olvidé mi contraseña**.", "", "es")},
  });
  searcher = std::make_unique<search::Searcher>(Xapian::Database(index));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t options = data[0];
  const std::string query(fuzz::text(data + 1, size - 1));
  const auto& locales = text::supported_locales();
  text::Analyzer(locales[options % locales.size()].code).analyze(query);
  search::SearchRequest request;
  request.query = query;
  request.locale = (options & 0x10) ? "es" : "en";
  request.as_you_type = options & 0x20;
  request.spelling = options & 0x40;
  request.facets = options & 0x80;
  request.kind = (options & 3) == 1 ? "article" : (options & 3) == 2 ? "flow" : "";
  if (options & 4) request.categories = {query.substr(0, 12)};
  if (options & 8) request.tags = {"account"};
  request.limit = 1 + options % 20;
  searcher->search(request);  // throws only for a bad locale or limits, which these are not
  return 0;
}
