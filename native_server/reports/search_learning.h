// Search learning for editors (README: "Search learning"): the suggestions
// core/metrics/learning.h makes of what resolved, each question with the
// target's rank for it today and with it added (a trial index of the
// content), and the editors' decisions: accept (the content file gains the
// question, audited), dismiss, and revert (the file as it was). The
// Suggestions tab and `firstfix suggest` both go through here.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>
#include <string>

#include "core/content/help_center.h"
#include "core/metrics/learning.h"
#include "native_server/storage/event_store.h"

namespace firstfix::server {

// A request that cannot be done, with the HTTP status that says why
// (404 unknown suggestion, 409 edited since or decided already, 422 not applicable).
class LearningError : public std::runtime_error {
 public:
  LearningError(int status, const std::string& why) : std::runtime_error(why), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// When a decision reaches the content folder: `now` (it is written there),
// or `at_publish`: it is stored in the event store only, and `firstfix
// publish` writes it into the folder it publishes (apply_decisions): with
// PostgreSQL, where servers serve what was published, not their folders.
enum class Applies { now, at_publish };

class SearchLearning {
 public:
  // `help_center` is compiled from `content_dir`, whose files accepted
  // suggestions edit; the trial index is written under `scratch_dir`.
  SearchLearning(EventStore& store, content::HelpCenter help_center, std::string content_dir, const std::string& scratch_dir,
                 Applies applies = Applies::now);
  ~SearchLearning();

  // {"suggestions": [...], "decided": N}: every suggestion not accepted or
  // dismissed, questions first. A question is left out when its target is
  // gone, has the phrasing already, or ranks first for it already.
  nlohmann::json list(const ReportFilter& filter, const metrics::LearningOptions& options);
  // Adds the question (or `phrasing`, the editor's wording of it) to its
  // target's file. Checked first against the content as it is now (with
  // every change accepted since the list): a change that would move a
  // phrasing customers already find first off the top is refused (409)
  // unless `force`. Returns {"id", "file", "before", "after", "added", "rank_after", "harms"}.
  nlohmann::json accept(const std::string& id, const ReportFilter& filter, const metrics::LearningOptions& options,
                        const std::string& editor, const std::string& phrasing = "", bool force = false);
  nlohmann::json dismiss(const std::string& id, const ReportFilter& filter, const metrics::LearningOptions& options,
                         const std::string& editor);
  // Undoes an accepted suggestion: its file as it was, if unchanged since,
  // else without the question it gained. Audited like the rest.
  nlohmann::json revert(const std::string& id, const std::string& editor);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Makes `content_dir` say what editors decided: every question whose
// suggestion's latest decision is "accepted" is in its file, and every one
// "reverted" is out of it (each edit as accept and revert make it, written
// whole). What a file cannot take is left as it is and said why. Returns
// [{"id", "file", "added"|"removed"} or {"id", "file", "left": why}].
nlohmann::json apply_decisions(EventStore& store, const std::string& content_dir);

}  // namespace firstfix::server
