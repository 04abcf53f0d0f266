#include "native_server/reports/suggestions_service.h"

#include <filesystem>

namespace firstfix::server {

SuggestionsService::SuggestionsService(EventStore& store, SuggestionsConfig config) : store_(store), config_(std::move(config)) {}
SuggestionsService::~SuggestionsService() = default;

SearchLearning& SuggestionsService::learning(const std::string& live) {
  if (!enabled()) throw LearningError(404, "this server edits no content folder (serve --content DIR), so it has no suggestions");
  // A version published since (an accepted change, a SIGHUP, an edit by
  // hand): the folder is compiled again, so ranks and targets are the files' own.
  if (!learning_ || learning_version_ != live) {
    content::HelpCenter hc;
    if (!config_.compile(config_.content_dir, hc))
      throw LearningError(503, "the content folder " + config_.content_dir + " does not compile now (the server log names the problems)");
    learning_.reset();  // its trial index goes before the next one is written in the same place
    std::filesystem::create_directories(config_.scratch_dir);
    learning_ = std::make_unique<SearchLearning>(store_, std::move(hc), config_.content_dir, config_.scratch_dir,
                                                 config_.edited ? Applies::now : Applies::at_publish);
    learning_version_ = live;
  }
  return *learning_;
}

nlohmann::json SuggestionsService::published() {
  if (config_.edited) config_.edited();
  return publishes();
}

nlohmann::json SuggestionsService::list(const std::string& live, const ReportFilter& filter, const metrics::LearningOptions& options) {
  std::lock_guard lock(mu_);
  nlohmann::json out = learning(live).list(filter, options);
  out["publishes"] = publishes();
  return out;
}

namespace {

// A content folder the server cannot read or write is the editor's to hear
// of, by name, not an internal error.
template <typename Run>
nlohmann::json with_files(Run run) {
  try {
    return run();
  } catch (const LearningError&) {
    throw;
  } catch (const std::filesystem::filesystem_error& e) {
    throw LearningError(503, "the content folder: " + e.path1().string() + ": " + e.code().message());
  }
}

}  // namespace

nlohmann::json SuggestionsService::accept(const std::string& live, const std::string& id, const ReportFilter& filter,
                                          const metrics::LearningOptions& options, const std::string& editor, const std::string& phrasing,
                                          bool force) {
  std::lock_guard lock(mu_);
  nlohmann::json out = with_files([&] { return learning(live).accept(id, filter, options, editor, phrasing, force); });
  out["published"] = published();
  return out;
}

nlohmann::json SuggestionsService::dismiss(const std::string& live, const std::string& id, const ReportFilter& filter,
                                           const metrics::LearningOptions& options, const std::string& editor) {
  std::lock_guard lock(mu_);
  return learning(live).dismiss(id, filter, options, editor);
}

nlohmann::json SuggestionsService::revert(const std::string& live, const std::string& id, const std::string& editor) {
  std::lock_guard lock(mu_);
  nlohmann::json out = with_files([&] { return learning(live).revert(id, editor); });
  out["published"] = published();
  return out;
}

}  // namespace firstfix::server
