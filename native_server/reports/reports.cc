#include "native_server/reports/reports.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "core/text/analyzer.h"
#include "native_server/base/crypto.h"
#include "native_server/base/text.h"

namespace firstfix::server {
namespace {

// A cell a spreadsheet would run as a formula: = + - @, and TAB or CR, which
// some spreadsheets skip before looking for one (OWASP's CSV injection list).
bool looks_like_formula(const std::string& s) {
  return !s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos;
}

}  // namespace

std::string csv_cell(const std::string& s) {
  const bool formula = looks_like_formula(s);
  if (s.find_first_of(",\"\n\r") == std::string::npos && !formula) return s;
  std::string out = "\"";
  if (formula) out += '\'';  // a leading quote keeps it text
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

namespace {

using nlohmann::json;

std::string number(const json& v) {
  if (v.is_null()) return "";
  if (v.is_number_float()) {
    std::ostringstream o;
    o.precision(6);
    o << v.get<double>();
    return o.str();
  }
  return v.dump();
}

}  // namespace

struct Reports::Impl {
  std::unique_ptr<EventStore> store;
  std::string visitor_key;
  metrics::Catalog catalog;
  // What the content says about its articles and flows; replaced whole when new content is published.
  struct Titles {
    std::map<std::string, std::string> category_of, title_of;
    json categories = json::object();  // locale -> [names]
    json locales = json::array();
  };
  mutable std::mutex titles_mu;
  std::shared_ptr<const Titles> titles_now;
  std::shared_ptr<const Titles> titles() const {
    std::lock_guard lock(titles_mu);
    return titles_now;
  }
  void set_titles(const json& manifest) {
    auto t = std::make_shared<Titles>();
    for (const char* kind : {"articles", "flows"})
      for (const auto& entry : manifest[kind]) {
        t->category_of[entry["id"]] = entry.value("category", "");
        t->title_of[entry["id"]] = entry.value("title", "");
      }
    for (const auto& [locale, list] : manifest["categories"].items()) {
      json names = json::array();
      for (const auto& c : list) names.push_back(c["name"]);
      t->categories[locale] = names;
      t->locales.push_back(locale);
    }
    std::lock_guard lock(titles_mu);
    titles_now = std::move(t);
  }
  std::mutex analyzers_mu;
  std::map<std::string, std::unique_ptr<text::Analyzer>> analyzers;

  // "Resetting my passwords?" and "password reset" group together: the
  // analyzer's stems of the words that are not stop words, sorted.
  std::string normalize(const std::string& query, const std::string& locale) {
    std::string out;
    {
      std::lock_guard lock(analyzers_mu);
      auto it = analyzers.find(locale);
      if (it == analyzers.end()) {
        std::unique_ptr<text::Analyzer> a;
        try {
          a = std::make_unique<text::Analyzer>(locale);
        } catch (const std::invalid_argument&) {
          a = std::make_unique<text::Analyzer>("en");
        }
        it = analyzers.emplace(locale, std::move(a)).first;
      }
      out = text::query_form(it->second->analyze(query));
    }
    return out.empty() ? query : out;
  }
};

Reports::Reports(const json& manifest, std::unique_ptr<EventStore> store) : impl_(std::make_unique<Impl>()) {
  impl_->store = std::move(store);
  impl_->visitor_key = impl_->store->visitor_key([] { return random_hex(32); });
  impl_->set_titles(manifest);
  Impl* im = impl_.get();
  impl_->catalog = {[im](const std::string& id) {
                      const auto t = im->titles();
                      auto it = t->category_of.find(id);
                      return it == t->category_of.end() ? std::string() : it->second;
                    },
                    [im](const std::string& q, const std::string& locale) { return im->normalize(q, locale); }};
}
Reports::~Reports() = default;

void Reports::set_manifest(const json& manifest) { impl_->set_titles(manifest); }

EventStore& Reports::store() { return *impl_->store; }
const metrics::Catalog& Reports::catalog() const { return impl_->catalog; }

ReportsReply Reports::ingest(const std::string& body, std::int64_t received_ms) {
  if (body.size() > kMaxBatchBytes) return {413, {{"error", "a batch is at most " + std::to_string(kMaxBatchBytes / 1024) + " KB"}}};
  if (!is_valid_utf8(body)) return {400, {{"error", "the body is not valid UTF-8"}}};
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return {400, {{"error", "the body is not valid JSON"}}};
  if (!j.is_object() || !j.contains("events") || !j["events"].is_array() || j.size() != 1)
    return {400, {{"error", "the body must be {\"events\": [...]}"}}};
  const json& list = j["events"];
  if (list.empty()) return {400, {{"error", "events: the batch is empty"}}};
  if (list.size() > kMaxEventsPerBatch)
    return {413, {{"error", "events: at most " + std::to_string(kMaxEventsPerBatch) + " events per batch (got " + std::to_string(list.size()) + ")"}}};
  std::vector<metrics::Event> events;
  events.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    try {
      events.push_back(metrics::parse_event(list[i]));  // scrubs free text again: the browser is not trusted
      // The widget's visitor id (a hash of the customer's id, or a random id) is
      // stored only as a keyed hash: stable, for repeat contacts, but not a
      // dictionary lookup away from the customer's id.
      if (auto& v = events.back().visitor; !v.empty()) v = "p-" + hmac_sha256_hex(impl_->visitor_key, v).substr(0, 32);
      // A flow session's id grants access to it: an older widget that sent
      // the id instead of the session's link has it replaced here, so it is
      // never stored nor shown in a drill-down.
      if (auto& s = events.back().session; s.starts_with("fs_")) s = public_link("fl_", s);
    } catch (const metrics::EventError& e) {
      return {400, {{"error", "events[" + std::to_string(i) + "]." + e.what()}, {"index", i}}};
    }
  }
  const IngestResult r = impl_->store->ingest(events, received_ms, impl_->catalog);
  json answer = {{"accepted", r.accepted}, {"duplicates", r.duplicates}};
  if (r.over_cap) answer["over_visit_cap"] = r.over_cap;
  return {200, answer};
}

ReportFilter Reports::filter(const std::map<std::string, std::string>& params, const std::string& today) const {
  static const std::set<std::string> known = {"from", "to", "locale", "category", "which", "normalized", "limit"};
  for (const auto& [k, v] : params) {
    if (!known.count(k)) throw std::invalid_argument("parameter '" + k + "' is unknown (from, to, locale, category)");
    // Nothing stored holds these, and PostgreSQL refuses them outright.
    if (!is_valid_utf8(v)) throw std::invalid_argument("parameter '" + k + "' is not valid UTF-8");
    if (std::any_of(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
      throw std::invalid_argument("parameter '" + k + "' contains a control character");
  }
  auto get = [&](const char* k) {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  };
  ReportFilter f{get("from"), get("to"), get("locale"), get("category")};
  if (f.to.empty()) f.to = today;
  auto check = [](const std::string& d, const char* name) {
    try {
      return metrics::utc_day_start(d);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("parameter '") + name + "': " + e.what());
    }
  };
  const std::int64_t to = check(f.to, "to");
  if (f.from.empty()) f.from = metrics::utc_day(to - 29 * metrics::kDayMs);  // the last 30 days
  if (check(f.from, "from") > to) throw std::invalid_argument("parameter 'from' is after 'to'");
  const auto t = impl_->titles();
  if (!f.locale.empty() && !t->categories.contains(f.locale)) throw std::invalid_argument("parameter 'locale': no content in '" + f.locale + "'");
  if (!f.category.empty()) {
    bool found = false;
    for (const auto& [locale, names] : t->categories.items())
      for (const auto& n : names) found |= n == f.category;
    if (!found) throw std::invalid_argument("parameter 'category': no category '" + f.category + "'");
  }
  return f;
}

json Reports::report(const ReportFilter& f) {
  json r = impl_->store->report(f);
  const auto t = impl_->titles();
  auto title = [&t](const json& id) {
    auto it = t->title_of.find(id.get<std::string>());
    return it == t->title_of.end() ? std::string() : it->second;
  };
  for (auto& a : r["articles"]) a["title"] = title(a["article"]);
  for (auto& fl : r["flows"]) fl["title"] = title(fl["flow"]);
  r["choices"] = {{"locales", t->locales}, {"categories", t->categories}};
  return r;
}

json Reports::searches(const ReportFilter& f, const std::string& which, const std::string& normalized, size_t limit) {
  return impl_->store->searches(f, which, normalized, limit);
}

json Reports::visits(const ReportFilter& f, const std::string& which, size_t limit, const std::string& normalized) {
  return impl_->store->visits(f, which, limit, normalized);
}

std::string Reports::csv(const json& r) {
  std::ostringstream o;
  o << "section,name,value\n";
  o << "range,from," << csv_cell(r["range"]["from"]) << "\nrange,to," << csv_cell(r["range"]["to"]) << "\n";
  o << "filter,locale," << csv_cell(r["filters"]["locale"]) << "\nfilter,category," << csv_cell(r["filters"]["category"]) << "\n";
  for (const char* k : {"visits", "searches", "no_result_rate", "click_through_rate", "mean_click_position", "search_success_rate",
                        "self_service_visits", "self_service_success_rate", "flow_starts", "flow_completion_rate", "escalations",
                        "escalation_rate", "escalation_offered_rate", "offers_declined", "deflection_rate", "resolved_visits",
                        "resolution_rate", "repeat_contact_rate", "chats"})
    o << "summary," << k << "," << number(r[k]) << "\n";
  for (const auto& [k, v] : r["time_to_resolution"].items()) o << "time_to_resolution," << k << "," << number(v) << "\n";
  for (const auto& [k, v] : r["satisfaction"].items()) o << "satisfaction," << k << "," << number(v) << "\n";
  for (const auto& [k, v] : r["escalation_triggers"].items()) o << "escalation_trigger," << csv_cell(k) << "," << number(v) << "\n";
  o << "\nflow,title,starts,completed,completion_rate,done_states,verified_customers,claimed_customers\n";
  for (const auto& f : r["flows"]) {
    std::string states;
    for (const auto& [k, v] : f["done_states"].items()) states += (states.empty() ? "" : " ") + k + "=" + number(v);
    o << csv_cell(f["flow"]) << "," << csv_cell(f["title"]) << "," << number(f["starts"]) << "," << number(f["completed"]) << ","
      << number(f["completion_rate"]) << "," << csv_cell(states) << "," << number(f["customers"]["verified"]) << ","
      << number(f["customers"]["claimed"]) << "\n";
  }
  o << "\narticle,title,views,helpful,not_helpful,helpfulness\n";
  for (const auto& a : r["articles"])
    o << csv_cell(a["article"]) << "," << csv_cell(a["title"]) << "," << number(a["views"]) << "," << number(a["helpful"]) << ","
      << number(a["not_helpful"]) << "," << number(a["helpfulness"]) << "\n";
  o << "\ncontent_gap,example,searches,no_results,no_clicks,previous_no_clicks,trend\n";
  for (const auto& g : r["content_gaps"])
    o << csv_cell(g["normalized"]) << "," << csv_cell(g["example"]) << "," << number(g["searches"]) << "," << number(g["no_results"]) << ","
      << number(g["no_clicks"]) << "," << number(g["previous_no_clicks"]) << "," << number(g["trend"]) << "\n";
  o << "\nday,visits,searches,search_success_rate,deflection_rate,resolution_rate\n";
  for (const auto& d : r["daily"])
    o << csv_cell(d["day"]) << "," << number(d["visits"]) << "," << number(d["searches"]) << "," << number(d["search_success_rate"]) << ","
      << number(d["deflection_rate"]) << "," << number(d["resolution_rate"]) << "\n";
  return o.str();
}

}  // namespace firstfix::server
