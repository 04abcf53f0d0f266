// `firstfix suggest`: search learning from the terminal, through the same
// code as the Suggestions tab (native_server/reports/search_learning.h).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>

#include "cli/commands.h"
#include "cli/content_files.h"
#include "core/metrics/visit.h"
#include "native_server/base/clock.h"
#include "native_server/reports/search_learning.h"
#include "native_server/storage/event_store.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace firstfix::cli {
namespace {

// A scratch folder for the trial index, removed however the command ends.
struct Scratch {
  fs::path path;
  Scratch() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("firstfix-suggest-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string quoted(const std::string& s) { return json(s).dump(); }

// One decision as the command reports it: a line for a person (unless
// `as_json`), and the record for --json without the files' before and after.
json decision(const std::string& verb, const std::string& id, json r, bool as_json) {
  if (!as_json) {
    if (verb == "accepted") std::printf("accepted %s: %s gained %s\n", id.c_str(), r["file"].get<std::string>().c_str(), quoted(r["added"]).c_str());
    else if (verb == "reverted") std::printf("reverted %s: %s is as it was\n", id.c_str(), r["file"].get<std::string>().c_str());
    else std::printf("dismissed %s\n", id.c_str());
  }
  r["decision"] = verb;
  r.erase("before");
  r.erase("after");
  return r;
}

void print(const json& list, const server::ReportFilter& f) {
  const auto& all = list["suggestions"];
  size_t questions = 0, synonyms = 0;
  for (const auto& s : all) questions += s["kind"] == "question", synonyms += s["kind"] == "synonym";
  std::printf("Suggestions from %s to %s (at least %lld visitors, confidence >= %.2f): %zu questions, %zu synonyms, %zu gaps; %zu decided before\n",
              f.from.c_str(), f.to.c_str(), static_cast<long long>(list["thresholds"]["min_visitors"].get<std::int64_t>()),
              list["thresholds"]["min_confidence"].get<double>(), questions, synonyms, all.size() - questions - synonyms,
              list["decided"].get<size_t>());
  for (const auto& s : all) {
    const auto& e = s["evidence"];
    std::printf("\n%s  ", s["id"].get<std::string>().c_str());
    const auto rank = [&](const json& r) {
      return r.get<int>() == 0 ? "not in the first " + std::to_string(s["rank"]["depth"].get<int>()) : std::to_string(r.get<int>());
    };
    if (s["kind"] == "synonym") {
      std::printf("add the synonyms %s to %s (customers say %s where the content says %s)\n", quoted(s["phrasing"]).c_str(),
                  s["file"].get<std::string>().c_str(), quoted(s["words"][0]).c_str(), quoted(s["words"][1]).c_str());
      std::printf("    rank of %s for %s: %s today, %s with it\n", quoted(s["target"]["title"]).c_str(), quoted(s["rank"]["phrasing"]).c_str(),
                  rank(s["rank"]["today"]).c_str(), rank(s["rank"]["after"]).c_str());
      std::printf("    %lld visitors resolved with the word: %lld of %lld searches (confidence %.2f)\n",
                  static_cast<long long>(e["visitors"].get<std::int64_t>()), static_cast<long long>(e["resolutions"].get<std::int64_t>()),
                  static_cast<long long>(e["searches"].get<std::int64_t>()), e["confidence"].get<double>());
    } else if (s["kind"] == "question") {
      const auto& t = s["target"];
      std::printf("add the question %s to %s %s (%s)\n", quoted(s["phrasing"]).c_str(), t["kind"].get<std::string>().c_str(),
                  quoted(t["title"]).c_str(), t["file"].get<std::string>().c_str());
      std::printf("    rank for it: %s today, %s with it\n", rank(s["rank"]["today"]).c_str(), rank(s["rank"]["after"]).c_str());
      std::printf("    %lld visitors resolved there: %lld of %lld searches (confidence %.2f)\n", static_cast<long long>(e["visitors"].get<std::int64_t>()),
                  static_cast<long long>(e["resolutions"].get<std::int64_t>()), static_cast<long long>(e["searches"].get<std::int64_t>()),
                  e["confidence"].get<double>());
    } else {
      std::printf("write something for %s: %lld visitors, %lld searches, none resolved\n", quoted(s["phrasing"]).c_str(),
                  static_cast<long long>(e["visitors"].get<std::int64_t>()), static_cast<long long>(e["searches"].get<std::int64_t>()));
    }
    if (s["examples"].size() > 1) {
      std::string also;
      for (size_t i = 1; i < s["examples"].size(); ++i) also += (also.empty() ? "" : ", ") + quoted(s["examples"][i]);
      std::printf("    also typed: %s\n", also.c_str());
    }
  }
}

}  // namespace

int suggest_command(const SuggestOptions& o) {
  if (!o.phrasing.empty() && o.apply.size() != 1) {
    std::cerr << "firstfix suggest: --phrasing goes with exactly one --apply\n";
    return 2;
  }
  const std::string today = metrics::utc_day(server::system_now_ms());
  server::ReportFilter f{o.from, o.to.empty() ? today : o.to, o.locale, ""};
  try {
    const std::int64_t to = metrics::utc_day_start(f.to);
    if (f.from.empty()) f.from = metrics::utc_day(to - 89 * metrics::kDayMs);
    if (metrics::utc_day_start(f.from) > to) throw std::invalid_argument("--from is after --to");
  } catch (const std::invalid_argument& e) {
    std::cerr << "firstfix suggest: " << e.what() << "\n";
    return 2;
  }
  content::HelpCenter hc;
  if (!compile_content_dir(o.content_dir, hc)) return 1;
  if (o.auto_accept > 0 && !(o.apply.empty() && o.dismiss.empty() && o.revert.empty())) {
    std::cerr << "firstfix suggest: --auto-accept decides alone: no --apply, --dismiss or --revert with it\n";
    return 2;
  }
  char threshold[32];
  std::snprintf(threshold, sizeof threshold, "%.2f", o.auto_accept);
  const std::string editor = !o.editor.empty()   ? o.editor
                             : o.auto_accept > 0 ? std::string("auto-accept:") + threshold
                                                 : std::string("cli:") + (std::getenv("USER") ? std::getenv("USER") : "unknown");
  const metrics::LearningOptions options{.min_visitors = o.min_visitors, .min_confidence = o.min_confidence};
  Scratch scratch;
  auto store = server::open_event_store(o.database, o.data_dir, 2);
  server::SearchLearning learning(*store, std::move(hc), o.content_dir, scratch.path.string());

  if (o.auto_accept > 0) {
    // Each accepted change is checked again against the ones before it: one
    // that would now move a first-ranked phrasing is left for an editor.
    json done = json::array();
    const json list = learning.list(f, options);
    for (const auto& s : list["suggestions"]) {
      if (s["kind"] != "question" || s["evidence"]["confidence"].get<double>() < o.auto_accept || s["rank"]["after"] != 1 || !s["harms"].empty())
        continue;
      const std::string id = s["id"];
      try {
        done.push_back(decision("accepted", id, learning.accept(id, f, options, editor), o.json));
      } catch (const server::LearningError& e) {
        if (!o.json) std::printf("left for an editor %s: %s\n", id.c_str(), e.what());
      }
    }
    if (o.json) std::cout << json{{"decisions", done}}.dump(2) << "\n";
    else std::printf("%zu accepted at confidence >= %s. Build or publish the content to serve them.\n", done.size(), threshold);
    return 0;
  }
  if (o.apply.empty() && o.dismiss.empty() && o.revert.empty()) {
    const json list = learning.list(f, options);
    if (o.json) std::cout << list.dump(2) << "\n";
    else print(list, f);
    return 0;
  }
  // Each decision on its own: one that cannot be done is reported, the others still are.
  json done = json::array();
  int status = 0;
  auto decide = [&](const std::string& verb, const std::string& id, auto&& run) {
    try {
      done.push_back(decision(verb, id, run(), o.json));
    } catch (const server::LearningError& e) {
      std::cerr << "firstfix suggest: " << e.what() << "\n";
      status = 1;
    }
  };
  for (const auto& id : o.apply) decide("accepted", id, [&] { return learning.accept(id, f, options, editor, o.phrasing, o.force); });
  for (const auto& id : o.dismiss) decide("dismissed", id, [&] { return learning.dismiss(id, f, options, editor); });
  for (const auto& id : o.revert) decide("reverted", id, [&] { return learning.revert(id, editor); });
  if (o.json) std::cout << json{{"decisions", done}}.dump(2) << "\n";
  else if (!o.apply.empty() || !o.revert.empty()) std::printf("Build or publish the content to serve the change.\n");
  return status;
}

}  // namespace firstfix::cli
