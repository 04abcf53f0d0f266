// `firstfix analyze`: the terms the analyzer makes of each line of stdin,
// the same for indexing and queries; used to compare native and wasm.
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/commands.h"
#include "core/text/analyzer.h"

namespace firstfix::cli {

int analyze_command(const std::string& locale, bool json) {
  text::Analyzer analyzer(locale);
  std::string line;
  while (std::getline(std::cin, line)) {
    auto tokens = analyzer.analyze(line);
    if (json) {
      nlohmann::json terms = nlohmann::json::array();
      for (const auto& t : tokens) terms.push_back({t.word, t.stem, t.begin, t.end, t.stop});
      std::cout << terms.dump() << '\n';
    } else {
      for (size_t i = 0; i < tokens.size(); ++i)
        std::cout << (i ? " " : "") << '[' << tokens[i].word << (tokens[i].stem != tokens[i].word ? "|" + tokens[i].stem : "") << ']';
      std::cout << '\n';
    }
  }
  return 0;
}

}  // namespace firstfix::cli
