// Phrases that ask for a person, and words of frustration, per language.
// Small on purpose: each entry is a clear signal in a help widget, tested
// in core/escalation/policy_test.cc. Matched as whole words after the
// analyzer's folding (case, width, Latin accents), so "Agente" = "agente".
#pragma once

#include <string_view>
#include <vector>

namespace firstfix::escalation {

struct LexiconEntry {
  std::string_view locale;
  std::string_view phrase;
};

const std::vector<LexiconEntry>& person_requests();
const std::vector<LexiconEntry>& frustration_words();

}  // namespace firstfix::escalation
