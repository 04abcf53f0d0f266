// The Suggestions tab's side of search learning (README: "Search
// learning"): a SearchLearning over the folder the server's content is
// compiled from, made again whenever the live content version changes (an
// editor's own change, a SIGHUP, a publish), and what follows an accepted
// or reverted change: with SQLite it is written into the folder and the
// server publishes it at once (as on SIGHUP); with PostgreSQL it is stored
// with the decision, and `firstfix publish` writes it into the folder it
// publishes, which every server takes.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/content/help_center.h"
#include "native_server/reports/search_learning.h"

namespace firstfix::server {

struct SuggestionsConfig {
  std::string content_dir;  // empty: the server was given no folder to edit, and there are no suggestions
  std::string scratch_dir;  // the trial index
  // Compiles `content_dir`; false when it does not compile (the problems go to the log).
  std::function<bool(const std::string& dir, content::HelpCenter& out)> compile;
  // A file of the folder changed: publish it. Empty when content is
  // published from the database (PostgreSQL): decisions wait for `firstfix publish`.
  std::function<void()> edited;
};

class SuggestionsService {
 public:
  SuggestionsService(EventStore& store, SuggestionsConfig config);
  ~SuggestionsService();
  bool enabled() const { return !config_.content_dir.empty() && config_.compile; }

  // As SearchLearning's, for the content version `live` (its name); each
  // throws LearningError (503 when the folder does not compile).
  nlohmann::json list(const std::string& live, const ReportFilter& filter, const metrics::LearningOptions& options);
  nlohmann::json accept(const std::string& live, const std::string& id, const ReportFilter& filter, const metrics::LearningOptions& options,
                        const std::string& editor, const std::string& phrasing, bool force);
  nlohmann::json dismiss(const std::string& live, const std::string& id, const ReportFilter& filter,
                         const metrics::LearningOptions& options, const std::string& editor);
  nlohmann::json revert(const std::string& live, const std::string& id, const std::string& editor);

 private:
  SearchLearning& learning(const std::string& live);
  // When customers get a change to the folder: "now" or "at the next firstfix publish".
  std::string publishes() const { return config_.edited ? "now" : "at the next firstfix publish"; }
  // Tells the server of a change; returns publishes().
  nlohmann::json published();

  EventStore& store_;
  SuggestionsConfig config_;
  std::mutex mu_;  // one request at a time: a decision edits files
  std::unique_ptr<SearchLearning> learning_;
  std::string learning_version_;  // the live version `learning_` was made for
};

}  // namespace firstfix::server
