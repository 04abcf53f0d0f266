// Embind bindings: marshal between JavaScript and the core, nothing more.
#include <emscripten/bind.h>
#include <fcntl.h>
#include <unicode/udata.h>

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/content/suggested.h"
#include "core/metrics/scrub.h"
#include "core/escalation/policy.h"
#include "core/flow/engine.h"
#include "core/search/json.h"
#include "core/search/searcher.h"
#include "core/text/analyzer.h"

extern "C" const unsigned char firstfix_icu_data[];

namespace {

// ICU finds its data through udata_setCommonData; the base items are linked
// into the module, further packages (the CJK dictionary) are added at run
// time. ICU keeps pointers to the bytes, so they live for the process.
void ensure_icu_data() {
  static bool loaded = [] {
    UErrorCode status = U_ZERO_ERROR;
    udata_setCommonData(firstfix_icu_data, &status);
    if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU data: ") + u_errorName(status));
    return true;
  }();
  (void)loaded;
}

bool add_icu_data(const std::string& bytes) {
  ensure_icu_data();
  auto* copy = static_cast<char*>(aligned_alloc(16, (bytes.size() + 15) / 16 * 16));
  std::copy(bytes.begin(), bytes.end(), copy);
  UErrorCode status = U_ZERO_ERROR;
  udata_setCommonData(copy, &status);
  return U_SUCCESS(status);
}

std::string error_json(const std::string& message) { return nlohmann::json{{"error", message}}.dump(); }

// Opens a single-file index by descriptor: the by-path constructor would
// also link Xapian's stub-file reader and, through its std::ifstream, every
// std::locale facet (tens of KB the browser never uses).
Xapian::Database open_single_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot open the index " + path);
  return Xapian::Database(fd);  // owns fd from here
}

class Engine {
 public:
  // Opens a single-file index (written by `firstfix build`) in the virtual
  // file system: the Worker's lazily read index, or a file a test wrote.
  explicit Engine(const std::string& path) {
    ensure_icu_data();
    searcher_ = std::make_unique<firstfix::search::Searcher>(open_single_file(path));
  }

  // Request and response are the JSON shapes of core/search/json.h.
  std::string search(const std::string& request_json) {
    try {
      auto request = firstfix::search::request_from_json(nlohmann::json::parse(request_json));
      return firstfix::search::to_json(searcher_->search(request)).dump();
    } catch (const nlohmann::json::exception& e) {
      return error_json(std::string("malformed request: ") + e.what());
    } catch (const Xapian::Error& e) {
      return error_json(e.get_description());
    } catch (const std::exception& e) {
      return error_json(e.what());
    }
  }

  std::string default_locale() const { return searcher_->default_locale(); }
  unsigned document_count() const { return searcher_->database().get_doccount(); }

 private:
  std::unique_ptr<firstfix::search::Searcher> searcher_;
};

// [[word, stem, begin, end, stop], ...] for each token: as `firstfix analyze --json`.
std::string analyze(const std::string& locale, const std::string& text) {
  try {
    ensure_icu_data();
    firstfix::text::Analyzer analyzer(locale);
    nlohmann::json terms = nlohmann::json::array();
    for (const auto& t : analyzer.analyze(text)) terms.push_back({t.word, t.stem, t.begin, t.end, t.stop});
    return terms.dump();
  } catch (const std::exception& e) {
    return error_json(e.what());
  }
}

// Flows: the widget keeps the session as JSON (it survives a reload) and
// asks the engine for each step, so answers are checked instantly; the
// server re-runs the same engine and decides.
const firstfix::flow::Flow& cached_flow(const std::string& flow_json) {
  static std::map<std::string, firstfix::flow::Flow> flows;
  auto it = flows.find(flow_json);
  if (it != flows.end()) return it->second;
  firstfix::base::Diagnostics diagnostics;
  auto flow = firstfix::flow::parse_flow("flow", flow_json, diagnostics);
  if (!flow) throw std::invalid_argument(diagnostics.empty() ? "malformed flow" : diagnostics[0].to_string());
  if (flows.size() > 32) flows.clear();
  return flows.emplace(flow_json, std::move(*flow)).first->second;
}

std::string flow_result(const firstfix::flow::Flow& flow, const firstfix::flow::Session& session,
                        const firstfix::flow::Advance& advance) {
  return nlohmann::json{{"advance", firstfix::flow::to_json(advance)}, {"session", firstfix::flow::to_json(flow, session, false)}}.dump();
}

// `today` is "YYYY-MM-DD" in the help center's time zone (the server's step
// replies carry it); `identity_json` is a verified identity or "null".
std::string flow_start(const std::string& flow_json, const std::string& today, const std::string& identity_json) {
  try {
    const auto& flow = cached_flow(flow_json);
    firstfix::flow::Session session;
    auto advance = firstfix::flow::start(flow, session, today, nlohmann::json::parse(identity_json));
    return flow_result(flow, session, advance);
  } catch (const std::exception& e) {
    return error_json(e.what());
  }
}

// Runs `step` on the session the widget holds and returns the new one.
template <typename Step>
std::string flow_continue(const std::string& flow_json, const std::string& session_json, Step step) {
  try {
    const auto& flow = cached_flow(flow_json);
    auto session = firstfix::flow::session_from_json(nlohmann::json::parse(session_json));
    auto advance = step(flow, session);
    return flow_result(flow, session, advance);
  } catch (const std::exception& e) {
    return error_json(e.what());
  }
}

std::string flow_submit(const std::string& flow_json, const std::string& session_json, const std::string& step,
                        const std::string& input_json, const std::string& today) {
  return flow_continue(flow_json, session_json, [&](const auto& flow, auto& session) {
    return firstfix::flow::submit(flow, session, step, nlohmann::json::parse(input_json), today);
  });
}

std::string flow_record_action(const std::string& flow_json, const std::string& session_json, const std::string& outcome,
                               const std::string& data_json, const std::string& today) {
  return flow_continue(flow_json, session_json, [&](const auto& flow, auto& session) {
    return firstfix::flow::record_action(flow, session, outcome, nlohmann::json::parse(data_json), today);
  });
}

// [{field, message}] for answers to an ask step: instant feedback in the
// widget, from the same checks the server makes.
std::string flow_check_answers(const std::string& flow_json, const std::string& step, const std::string& input_json,
                               const std::string& today) {
  try {
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& e : firstfix::flow::check_answers(cached_flow(flow_json), step, nlohmann::json::parse(input_json), today))
      errors.push_back({{"field", e.field}, {"message", e.message}});
    return errors.dump();
  } catch (const std::exception& e) {
    return error_json(e.what());
  }
}

// The escalation policy for this page's conversation: every call returns
// {"offer": bool, "trigger": "", "failures": n, "why": "..."}.
class Escalation {
 public:
  explicit Escalation(unsigned failure_threshold) : c_(firstfix::escalation::PolicyConfig{.failure_threshold = failure_threshold}) {}
  std::string search(const std::string& query, int results, const std::string& locale) {
    return out(c_.search(query, static_cast<size_t>(std::max(results, 0)), locale));
  }
  std::string article_read() { return out(c_.article_read()); }
  std::string article_vote(bool helpful, const std::string& id) { return out(c_.article_vote(helpful, id)); }
  std::string failure(const std::string& reason) { return out(c_.failure(reason)); }
  std::string text(const std::string& message, const std::string& locale) { return out(c_.text(message, locale)); }
  void decline() { c_.decline(); }
  void accept() { c_.accept(); }
  std::string state() const { return c_.to_json().dump(); }

 private:
  std::string out(const firstfix::escalation::Decision& d) const {
    return nlohmann::json{{"offer", d.offer}, {"trigger", firstfix::escalation::to_string(d.trigger)}, {"why", d.why},
                          {"failures", c_.failures()}, {"reasons", c_.reasons()}}.dump();
  }
  firstfix::escalation::Conversation c_;
};

// The panel's opening list for a page (core/content/suggested.h), from the
// compiled list in the loader's config; the last one parsed is kept.
std::string suggested_for_page(const std::string& compiled_json, const std::string& page_url, const std::string& locale) {
  static std::string last_text;
  static nlohmann::json last;
  try {
    if (compiled_json != last_text) {
      last = nlohmann::json::parse(compiled_json);
      last_text = compiled_json;
    }
    return firstfix::content::suggested_for_page(last, page_url, locale).dump();
  } catch (const std::exception& e) {
    return error_json(e.what());
  }
}

}  // namespace

// Free text the widget records for the reports, without personal data
// (core/metrics/scrub.h): scrubbed here, before it leaves the page.
std::string scrub_personal_data(const std::string& text) { return firstfix::metrics::scrub_personal_data(text); }

EMSCRIPTEN_BINDINGS(firstfix) {
  emscripten::class_<Engine>("Engine")
      .constructor<std::string>()
      .function("search", &Engine::search)
      .function("defaultLocale", &Engine::default_locale)
      .function("documentCount", &Engine::document_count);
  emscripten::class_<Escalation>("Escalation")
      .constructor<unsigned>()
      .function("search", &Escalation::search)
      .function("articleRead", &Escalation::article_read)
      .function("articleVote", &Escalation::article_vote)
      .function("failure", &Escalation::failure)
      .function("text", &Escalation::text)
      .function("decline", &Escalation::decline)
      .function("accept", &Escalation::accept)
      .function("state", &Escalation::state);
  emscripten::function("analyze", &analyze);
  emscripten::function("addIcuData", &add_icu_data);
  emscripten::function("flowStart", &flow_start);
  emscripten::function("flowSubmit", &flow_submit);
  emscripten::function("flowRecordAction", &flow_record_action);
  emscripten::function("flowCheckAnswers", &flow_check_answers);
  emscripten::function("scrubPersonalData", &scrub_personal_data);
  emscripten::function("suggestedForPage", &suggested_for_page);
}
