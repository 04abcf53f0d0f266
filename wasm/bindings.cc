// Embind bindings: marshal between JavaScript and the core, nothing more.
// The search engine module (firstfix.wasm), which the widget loads before
// its first in-page answer; the flow engine is a module of its own
// (flow_bindings.cc), loaded when a flow needs it.
#include <emscripten/bind.h>
#include <fcntl.h>
#include <unicode/udata.h>

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/content/suggested.h"
#include "core/escalation/policy.h"
#include "core/metrics/scrub.h"
#include "core/search/json.h"
#include "core/search/searcher.h"
#include "core/text/analyzer.h"
#include "wasm/error_json.h"

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
  explicit Engine(const std::string& path) : path_(path) {
    ensure_icu_data();
    searcher_ = std::make_unique<firstfix::search::Searcher>(open_single_file(path));
  }

  // The documents the search would show that the engine does not hold yet
  // (Searcher::unshown_documents), as a JSON array of ids; [] when the
  // request is bad (the search reports why).
  std::string unshown_documents(const std::string& request_json) {
    try {
      return nlohmann::json(searcher_->unshown_documents(firstfix::search::request_from_json(nlohmann::json::parse(request_json)))).dump();
    } catch (...) {
      return "[]";
    }
  }

  // The posting lists the search reads whole (Searcher::posting_reads), as
  // {"terms": [...], "prefixes": [...]}: the Worker's lazy file fetches each
  // one's blocks in one request. {"terms": [], "prefixes": []} when the
  // request is bad (the search reports why).
  std::string posting_reads(const std::string& request_json) {
    try {
      const auto reads = searcher_->posting_reads(firstfix::search::request_from_json(nlohmann::json::parse(request_json)));
      return nlohmann::json{{"terms", reads.terms}, {"prefixes", reads.prefixes}}.dump();
    } catch (...) {
      return R"({"terms":[],"prefixes":[]})";
    }
  }

  // Before posting_reads(): what the search will most likely read whole,
  // the terms planning looks up and the words it may look up in the
  // spelling table (Searcher::plan_reads), as {"terms": [...], "prefixes":
  // [...], "lookups": [...], "spelling": [...]}, for the lazy file to expect;
  // each list empty when the request is bad (the search reports why).
  std::string plan_reads(const std::string& request_json) {
    try {
      const auto reads = searcher_->plan_reads(firstfix::search::request_from_json(nlohmann::json::parse(request_json)));
      return nlohmann::json{{"terms", reads.likely.terms}, {"prefixes", reads.likely.prefixes}, {"lookups", reads.terms_looked_up},
                            {"spelling", reads.spelling}}.dump();
    } catch (...) {
      return R"({"terms":[],"prefixes":[],"lookups":[],"spelling":[]})";
    }
  }

  // Makes each lookup planning the search makes (Searcher::plan_reads) and
  // each lookup of what it most likely reads, each on its own, and returns
  // how many failed, as touch_postings() does.
  unsigned touch_plan(const std::string& request_json) {
    return each_on_its_own([&](auto touch) {
      const auto reads = searcher_->plan_reads(firstfix::search::request_from_json(nlohmann::json::parse(request_json)));
      for (const auto& lookup : reads.lookups) touch(lookup);
      touch_posting_reads(touch, reads.likely.terms, reads.likely.prefixes);
    });
  }

  // Looks up each of posting_reads()'s terms and prefixes on its own, as
  // touch_documents() reads documents, and returns how many failed: the lazy
  // file declines the blocks each lookup lacks, and fetches them (with the
  // rest of each expected range) all at once.
  unsigned touch_postings(const std::string& reads_json) {
    return each_on_its_own([&](auto touch) {
      const auto reads = nlohmann::json::parse(reads_json);
      touch_posting_reads(touch, reads.at("terms").get<std::vector<std::string>>(), reads.at("prefixes").get<std::vector<std::string>>());
    });
  }

  // Reads each document's text on its own and returns how many reads
  // failed. The Worker's lazy file meanwhile declines the blocks it lacks (a
  // failed read) and then fetches them all at once: one round trip for a
  // result set instead of one per document block.
  unsigned touch_documents(const std::string& ids_json) {
    return each_on_its_own([&](auto touch) {
      for (const Xapian::docid id : nlohmann::json::parse(ids_json).get<std::vector<Xapian::docid>>())
        touch([&](Xapian::Database& db) { db.get_document(id, Xapian::DOC_ASSUME_VALID).get_data(); });
    });
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

  // The core's warm_up_request(), as the widget's requests are written; ""
  // for an empty index, or when it cannot be read (a warm-up is optional).
  std::string warm_up_request() const {
    try {
      const auto r = searcher_->warm_up_request();
      if (r.query.empty()) return "";
      return nlohmann::json{{"q", r.query}, {"locale", r.locale}, {"as_you_type", r.as_you_type}, {"limit", r.limit}, {"facets", r.facets}}.dump();
    } catch (...) {
      return "";
    }
  }
  std::string default_locale() const { return searcher_->default_locale(); }
  unsigned document_count() const { return searcher_->database().get_doccount(); }

 private:
  // Looks up each term's posting list and each prefix's first word, each with `touch`.
  template <class Touch>
  static void touch_posting_reads(Touch& touch, const std::vector<std::string>& terms, const std::vector<std::string>& prefixes) {
    for (const std::string& term : terms) touch([&](Xapian::Database& db) { db.postlist_begin(term); });
    for (const std::string& prefix : prefixes) touch([&](Xapian::Database& db) { db.allterms_begin(prefix); });
  }

  // Runs `lookups(touch)`, where touch(f) runs one lookup f(db) on the index
  // opened again, and returns how many failed (bad input counts as one). A
  // failed read leaves Xapian's state unspecified, hence an index of their
  // own, opened again after each failure (0.04 ms).
  template <class Lookups>
  unsigned each_on_its_own(Lookups lookups) {
    unsigned failed = 0;
    try {
      Xapian::Database db = open_single_file(path_);
      lookups([&](const auto& look_up) {
        try {
          look_up(db);
        } catch (const Xapian::Error&) {
          ++failed;
          db = open_single_file(path_);
        }
      });
    } catch (...) {
      ++failed;
    }
    return failed;
  }

  std::string path_;
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
      .function("unshownDocuments", &Engine::unshown_documents)
      .function("touchDocuments", &Engine::touch_documents)
      .function("postingReads", &Engine::posting_reads)
      .function("planReads", &Engine::plan_reads)
      .function("touchPlan", &Engine::touch_plan)
      .function("touchPostings", &Engine::touch_postings)
      .function("warmUpRequest", &Engine::warm_up_request)
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
  emscripten::function("scrubPersonalData", &scrub_personal_data);
  emscripten::function("suggestedForPage", &suggested_for_page);
}
