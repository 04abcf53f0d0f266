#include "native_server/demo/demo_events.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "core/metrics/visit.h"
#include "native_server/reports/reports.h"

namespace firstfix::server {
namespace {

using nlohmann::json;

struct Item {
  std::string id, title, category, locale;
  bool flow = false;
  std::vector<std::string> phrasings;  // what people type to find it
};

// Questions the sample help center has no article for: the content gaps a
// demo editor should find (some growing, so the trend shows).
const std::vector<std::pair<std::string, std::string>> kGaps = {
    {"en", "gift card balance"},          {"en", "student discount"},       {"en", "bulk order discount"},
    {"en", "cancel order after shipping"}, {"en", "invoice vat number"},     {"en", "price match"},
    {"en", "gift card"},                  {"en", "trade in old thermostat"}, {"es", "tarjeta regalo"},
    {"es", "factura con nif"},
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Generator {
 public:
  Generator(const json& manifest, const DemoEventsOptions& o) : rng_(o.seed), options_(o) {
    for (const auto& a : manifest["articles"]) {
      Item it{a["id"], a["title"], a.value("category", ""), a["locale"], false, {lower(a["title"])}};
      for (const auto& t : a.value("tags", json::array())) it.phrasings.push_back(lower(t.get<std::string>()) + " help");
      items_.push_back(std::move(it));
    }
    for (const auto& f : manifest["flows"]) {
      Item it{f["id"], f["title"], f.value("category", ""), f["locale"], true, {lower(f["title"])}};
      for (const auto& i : f["intents"]) it.phrasings.push_back(lower(i.get<std::string>()));
      items_.push_back(std::move(it));
    }
  }

  std::vector<metrics::Event> run(std::int64_t end_ms) {
    const std::int64_t last_day = metrics::utc_day_start(metrics::utc_day(end_ms));
    for (int d = options_.days - 1; d >= 0; --d) {
      const std::int64_t day = last_day - d * metrics::kDayMs;
      const int weekday = static_cast<int>(((day / metrics::kDayMs) + 3) % 7);  // 1970-01-01 was a Thursday; 0 = Monday
      const double factor = weekday == 5 ? 0.65 : weekday == 6 ? 0.5 : weekday == 0 ? 1.2 : 1.0;
      std::poisson_distribution<int> visits(options_.visits_per_day * factor);
      const double age = static_cast<double>(options_.days - d) / options_.days;  // 0 .. 1 across the month
      for (int v = visits(rng_); v > 0; --v) visit(day, age, end_ms);
    }
    return std::move(events_);
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<size_t>(between(0, static_cast<int>(v.size()) - 1))]; }

  std::string hex(int n) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < n; ++i) s += digits[between(0, 15)];
    return s;
  }

  // A typo now and then, as people type.
  std::string typed(std::string q) {
    if (q.size() > 5 && chance(0.15)) {
      const size_t at = static_cast<size_t>(between(1, static_cast<int>(q.size()) - 2));
      auto letter = [](char c) { return (c >= 'a' && c <= 'z'); };  // never inside a multi-byte character
      if (letter(q[at]) && letter(q[at + 1])) std::swap(q[at], q[at + 1]);
    }
    return q;
  }

  void visit(std::int64_t day, double age, std::int64_t end_ms) {
    // Busy in office hours, quiet at night.
    std::normal_distribution<double> hour(14.0, 4.0);
    const double h = std::clamp(hour(rng_), 0.0, 23.9);
    at_ = day + static_cast<std::int64_t>(h * 3600000.0) + between(0, 59999);
    if (at_ > end_ms) return;
    visit_ = "demo-" + hex(16);
    seq_ = 0;
    locale_ = chance(0.85) ? "en" : "es";
    // Returning customers (a pool, so some come back on the same topic) and anonymous visitors.
    visitor_ = chance(0.55) ? "demo-visitor-" + std::to_string(between(1, 2500)) : "";
    std::vector<const Item*> mine;
    for (const auto& it : items_)
      if (it.locale == locale_) mine.push_back(&it);
    if (mine.empty()) return;

    const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (r < 0.05) return ask_for_person("contact");
    if (r < 0.17 + 0.06 * age) return gap(age);  // the gaps grow as the month goes on
    const Item& target = *pick(mine);
    const std::string sid = "s" + std::to_string(seq_);
    const int results = between(3, 10);
    emit({{"type", "search"}, {"query", typed(pick(target.phrasings))}, {"results", results}, {"search_id", sid}}, between(3, 20));
    if (chance(0.12)) return;  // looked at the results, left
    const int position = chance(0.7) ? 1 : between(2, std::min(results, 6));
    emit({{"type", "result_click"}, {"search_id", sid}, {"position", position}, {"target", target.id}, {"kind", target.flow ? "flow" : "article"}}, between(2, 15));
    if (target.flow) return run_flow(target);
    emit({{"type", "article_view"}, {"target", target.id}}, 1);
    const double vote = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (vote < 0.45) {
      emit({{"type", "vote"}, {"target", target.id}, {"helpful", true}}, between(30, 240));
    } else if (vote < 0.6) {
      emit({{"type", "vote"}, {"target", target.id}, {"helpful", false}}, between(20, 120));
      failure("failures");
    }
  }

  void gap(double age) {
    std::vector<std::pair<std::string, std::string>> mine;
    for (const auto& g : kGaps)
      if (g.first == locale_) mine.push_back(g);
    if (mine.empty()) return;
    // "gift card" questions grow across the month: a trend for the editor.
    const auto& q = chance(0.2 + 0.4 * age) ? mine[0] : pick(mine);
    emit({{"type", "search"}, {"query", typed(q.second)}, {"results", chance(0.6) ? 0 : between(1, 3)}, {"search_id", "s0"}}, between(3, 20));
    if (chance(0.5)) {
      emit({{"type", "search"}, {"query", q.second + (locale_ == "es" ? " ayuda" : " help")}, {"results", 0}, {"search_id", "s1"}}, between(5, 30));
      failure("failures");
    }
  }

  void run_flow(const Item& flow) {
    const std::string session = "fs_demo" + hex(12);
    emit({{"type", "flow_start"}, {"target", flow.id}, {"session", session}}, 1);
    const int steps = between(2, 5);
    int failed = 0;
    for (int s = 0; s < steps; ++s) {
      const bool fails = chance(0.12);
      failed += fails;
      emit({{"type", "flow_step"}, {"target", flow.id}, {"session", session}, {"step", "step-" + std::to_string(s + 1)},
            {"outcome", fails ? "failed" : chance(0.1) ? "invalid" : "ok"}}, between(10, 60));
    }
    const double end = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (end < 0.1) return;  // abandoned
    const bool resolved = failed < 2 && end < 0.85;
    emit({{"type", "flow_done"}, {"target", flow.id}, {"session", session}, {"outcome", resolved ? "resolved" : "unresolved"}}, between(5, 30));
    if (resolved && chance(0.3))
      emit({{"type", "survey"}, {"about", "flow"}, {"session", session}, {"score", chance(0.8) ? between(4, 5) : between(1, 3)}}, between(5, 20));
    if (!resolved) failure("failures");
  }

  // A self-service failure: after two (or one, here, following an earlier one) the widget offers a person.
  void failure(const char* trigger) {
    if (!chance(0.55)) return;
    emit({{"type", "escalation_offered"}, {"outcome", trigger}}, 1);
    if (chance(0.45)) {
      emit({{"type", "escalation_accepted"}, {"outcome", trigger}}, between(3, 20));
      chat();
    } else {
      emit({{"type", "escalation_declined"}, {"outcome", trigger}}, between(3, 20));
    }
  }

  void ask_for_person(const char* trigger) {
    emit({{"type", "escalation_accepted"}, {"outcome", trigger}}, between(3, 30));
    chat();
  }

  void chat() {
    const std::string conversation = "cv_demo" + hex(12);
    emit({{"type", "chat_started"}, {"session", conversation}, {"outcome", chance(0.85) ? "queued" : "ticket"}}, 1);
    emit({{"type", "chat_closed"}, {"session", conversation}, {"outcome", chance(0.8) ? "resolved" : "follow_up"}}, between(180, 900));
    if (chance(0.35))
      emit({{"type", "survey"}, {"about", "chat"}, {"session", conversation}, {"score", chance(0.75) ? between(4, 5) : between(1, 3)}}, between(5, 30));
  }

  void emit(json j, int after_seconds) {
    at_ += after_seconds * 1000LL;
    j["id"] = visit_ + "-" + std::to_string(seq_);
    j["visit"] = visit_;
    j["at"] = at_;
    j["seq"] = seq_++;
    j["locale"] = locale_;
    if (!visitor_.empty()) j["visitor"] = visitor_;
    events_.push_back(metrics::parse_event(j));
  }

  std::mt19937 rng_;
  DemoEventsOptions options_;
  std::vector<Item> items_;
  std::vector<metrics::Event> events_;
  std::string visit_, visitor_, locale_;
  std::int64_t at_ = 0;
  int seq_ = 0;
};

}  // namespace

std::vector<metrics::Event> demo_events(const json& manifest, std::int64_t end_ms, const DemoEventsOptions& options) {
  return Generator(manifest, options).run(end_ms);
}

}  // namespace firstfix::server

namespace firstfix::server {

size_t add_demo_events(Reports& reports, const nlohmann::json& manifest, std::int64_t end_ms, const DemoEventsOptions& options) {
  const auto events = demo_events(manifest, end_ms, options);
  size_t added = 0;
  constexpr size_t kBatch = 5000;  // one transaction each: a visit's events are consecutive, so few straddle two
  for (size_t at = 0; at < events.size(); at += kBatch) {
    const std::vector<metrics::Event> batch(events.begin() + static_cast<std::ptrdiff_t>(at),
                                            events.begin() + static_cast<std::ptrdiff_t>(std::min(events.size(), at + kBatch)));
    added += reports.store().ingest(batch, end_ms, reports.catalog()).accepted;
  }
  return added;
}

}  // namespace firstfix::server
