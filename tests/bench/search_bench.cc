// Native search latency: p50/p99 over typical 1-4 word queries and
// as-you-type prefixes, against a built index. Prints figures; asserts
// nothing. The peer is Xapian's own QueryParser over the same database,
// run in the same process on the same queries, for a ratio.
//
//   search_bench INDEX_DIR [QUERIES_PER_KIND]
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/search/searcher.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Figures {
  double p50_us, p99_us, mean_us;
};

template <typename F>
Figures measure(const std::vector<std::string>& queries, F&& run) {
  std::vector<double> us;
  us.reserve(queries.size());
  for (const auto& q : queries) {
    auto t0 = Clock::now();
    run(q);
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double u : us) sum += u;
  return {us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)], sum / static_cast<double>(us.size())};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: search_bench INDEX_DIR [QUERIES_PER_KIND]\n");
    return 2;
  }
  const std::string index = std::string(argv[1]) + "/index.db";
  const size_t count = argc > 2 ? std::stoul(argv[2]) : 2000;
  Xapian::Database db(index);
  firstfix::search::Searcher searcher(db);

  // Query words: frequent-ish real words from the index's own vocabulary.
  std::vector<std::string> words;
  for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
    const std::string w = *t;
    if (w.empty() || !(w[0] >= 'a' && w[0] <= 'z') || w.size() < 3) continue;
    if (t.get_termfreq() >= 5) words.push_back(w);
  }
  std::mt19937 rng(7);
  auto word = [&] { return words[rng() % words.size()]; };
  std::vector<std::string> typed, prefixes;
  for (size_t i = 0; i < count; ++i) {
    std::string q;
    for (size_t n = 1 + rng() % 4; n > 0; --n) q += (q.empty() ? "" : " ") + word();
    typed.push_back(q);
    std::string p = q.substr(0, std::max<size_t>(2, q.size() - 1 - rng() % 3));
    prefixes.push_back(p);
  }

  // Warm the page cache and the searcher's analyzers.
  for (size_t i = 0; i < std::min<size_t>(200, count); ++i) searcher.search({.query = typed[i]});

  auto ours = measure(typed, [&](const std::string& q) { searcher.search({.query = q}); });
  auto ours_prefix = measure(prefixes, [&](const std::string& q) { searcher.search({.query = q, .as_you_type = true}); });
  auto ours_keystroke = measure(prefixes, [&](const std::string& q) {
    searcher.search({.query = q, .as_you_type = true, .facets = false});
  });

  Xapian::QueryParser qp;
  qp.set_database(db);
  qp.set_stemmer(Xapian::Stem("english"));
  qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  Xapian::Enquire enquire(db);
  auto peer = measure(typed, [&](const std::string& q) {
    enquire.set_query(qp.parse_query(q));
    Xapian::MSet m = enquire.get_mset(0, 10);
    for (auto it = m.begin(); it != m.end(); ++it) (void)it.get_document().get_data();
  });

  std::printf("index: %s, %u documents\n", index.c_str(), db.get_doccount());
  const std::string heading = "queries (n=" + std::to_string(count) + " each)";
  std::printf("%-44s %9s %9s %9s\n", heading.c_str(), "p50 us", "p99 us", "mean us");
  auto row = [](const char* name, const Figures& f) { std::printf("%-44s %9.1f %9.1f %9.1f\n", name, f.p50_us, f.p99_us, f.mean_us); };
  row("firstfix: 1-4 words (snippets, facets)", ours);
  row("firstfix: as-you-type prefixes", ours_prefix);
  row("firstfix: keystroke (prefix, no facets)", ours_keystroke);
  row("peer: Xapian QueryParser, top 10 + data", peer);
  std::printf("ratio firstfix/peer p50: %.2f\n", ours.p50_us / peer.p50_us);
  return 0;
}
