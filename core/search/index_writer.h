// Writes a compiled help center as a single-file Xapian database. Native
// only: Xapian cannot open a writable database in WebAssembly.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/content/help_center.h"
#include "core/search/searcher.h"

namespace firstfix::search {

// Builds the index in `scratch_dir` (created, then left for the caller to
// remove) and compacts it into the single file `output_path`. The same help
// center gives the same bytes.
void write_index(const content::HelpCenter& help_center, const std::string& scratch_dir,
                 const std::string& output_path);

// An index of a help center for asking "where would this rank if that
// article or flow had another question?" (search learning shows editors
// the rank before and after a suggestion). Each trial changes one document
// of a scratch database, searches, and puts the document back, so a
// hundred trials cost a hundred searches, not a hundred index builds.
class TrialIndex {
 public:
  // `help_center` must outlive the index. Writes under `scratch_dir`.
  TrialIndex(const content::HelpCenter& help_center, const std::string& scratch_dir);
  ~TrialIndex();
  bool has(const std::string& target) const;  // "article:ID" or "flow:ID"
  // The 1-based rank of `target` among the hits of `request` (0: not among
  // them), with its questions (a flow's intents) replaced by `questions`
  // when given. Throws std::invalid_argument for an unknown target.
  int rank(const std::string& target, const SearchRequest& request, const std::vector<std::string>* questions = nullptr);
  // The ranks of each probe's target for its request (as rank()), all with
  // `target`'s questions replaced by `questions`: what one change does to
  // the other phrasings customers find their answers with.
  std::vector<int> ranks_with(const std::string& target, const std::vector<std::string>& questions,
                              const std::vector<std::pair<std::string, SearchRequest>>& probes);
  // `target` as the help center has it now (after its questions changed).
  void refresh(const std::string& target);
  // The stems `target`'s document holds (metrics::TargetStems).
  std::set<std::string> stems(const std::string& target) const;
  // The ranks of each probe's target for its request (as rank()), with
  // `word` and `partner` (folded words) synonyms of each other in `locale`,
  // as a line of synonyms/<locale>.txt would make them.
  std::vector<int> ranks_with_synonym(const std::string& locale, const std::string& word, const std::string& partner,
                                      const std::vector<std::pair<std::string, SearchRequest>>& probes);
  // Makes `word` and `partner` synonyms in `locale` from now on (`on`), or no longer.
  void set_synonym(const std::string& locale, const std::string& word, const std::string& partner, bool on);

 private:
  struct Impl;
  const content::HelpCenter& help_center_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firstfix::search
