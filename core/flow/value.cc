#include "core/flow/value.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace firstfix::flow {
namespace {

using nlohmann::json;

// Letters, digits, '_' and '-'; '/' joins a sub-flow call's prefix to a
// name in linked flows ("verify/email"), never at either end.
bool valid_name(const std::string& s) {
  if (s.empty() || s.front() == '/' || s.back() == '/' || s.find("//") != std::string::npos) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '/') return false;
  return true;
}

bool valid_path(const std::string& s) {
  size_t at = 0;
  while (true) {
    const size_t dot = s.find('.', at);
    if (!valid_name(s.substr(at, dot == std::string::npos ? std::string::npos : dot - at))) return false;
    if (dot == std::string::npos) return true;
    at = dot + 1;
  }
}

const json* walk(const json& from, const std::string& path) {
  const json* at = &from;
  size_t begin = 0;
  while (!path.empty()) {
    const size_t dot = path.find('.', begin);
    const std::string part = path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
    if (!at->is_object()) return nullptr;
    auto it = at->find(part);
    if (it == at->end()) return nullptr;
    at = &*it;
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
  return at;
}

std::optional<json> present(const json* v) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  return *v;
}

// Days since 1970-01-01 of a civil date, and back (Howard Hinnant's algorithms).
long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

std::string civil_from_days(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const long y = static_cast<long>(yoe) + era * 400 + (m <= 2);
  char out[16];
  std::snprintf(out, sizeof out, "%04ld-%02u-%02u", y, m, d);
  return out;
}

// "today", "today-90d", "today+2w" -> days from today; nullopt otherwise.
std::optional<long> relative_days(const std::string& text) {
  if (text.rfind("today", 0) != 0) return std::nullopt;
  if (text.size() == 5) return 0;
  const char sign = text[5];
  if ((sign != '+' && sign != '-') || text.size() < 8 || text.size() > 12) return std::nullopt;
  const char unit = text.back();
  const std::string digits = text.substr(6, text.size() - 7);
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  if (digits.empty() || (unit != 'd' && unit != 'w')) return std::nullopt;
  const long n = std::strtol(digits.c_str(), nullptr, 10) * (unit == 'w' ? 7 : 1);
  return sign == '-' ? -n : n;
}

}  // namespace

std::optional<Ref> parse_ref(const std::string& text, std::string& error) {
  Ref r;
  r.text = text;
  auto rest = [&](const char* prefix) { return text.substr(std::string(prefix).size()); };
  auto fail = [&](const std::string& why) -> std::optional<Ref> {
    error = "'" + text + "' " + why;
    return std::nullopt;
  };
  if (text == "outcome") {
    r.scope = Ref::Scope::kLastOutcome;
  } else if (text == "result" || text.rfind("result.", 0) == 0) {
    r.scope = Ref::Scope::kLastResult;
    r.key = text.size() > 7 ? rest("result.") : "";
    if (text.size() > 6 && !valid_path(r.key)) return fail("is not a result key path like result.status");
  } else if (text.rfind("steps.", 0) == 0) {
    const std::string tail = rest("steps.");
    const size_t dot = tail.find('.');
    r.name = tail.substr(0, dot);
    const std::string what = dot == std::string::npos ? "" : tail.substr(dot + 1);
    if (!valid_name(r.name)) return fail("does not name a step: write steps.<step>.result.<key> or steps.<step>.outcome");
    if (what == "outcome") {
      r.scope = Ref::Scope::kStepOutcome;
    } else if (what.rfind("input.", 0) == 0) {
      r.scope = Ref::Scope::kStepInput;
      r.key = what.substr(6);
      if (!valid_name(r.key)) return fail("is not a call's input like steps." + r.name + ".input.email");
    } else if (what == "result" || what.rfind("result.", 0) == 0) {
      r.scope = Ref::Scope::kStepResult;
      r.key = what.size() > 7 ? what.substr(7) : "";
      if (what.size() > 6 && !valid_path(r.key)) return fail("is not a result key path like steps." + r.name + ".result.status");
    } else {
      return fail("must go on with .result.<key>, .outcome or .input.<name>");
    }
  } else if (text.rfind("vars.", 0) == 0 || text.rfind("identity.", 0) == 0 || text.rfind("inputs.", 0) == 0) {
    const size_t dot = text.find('.');
    const std::string scope = text.substr(0, dot);
    r.scope = scope == "vars" ? Ref::Scope::kVar : scope == "identity" ? Ref::Scope::kIdentity : Ref::Scope::kInput;
    r.name = text.substr(dot + 1);
    if (!valid_name(r.name)) return fail("must name one value, like " + scope + ".email");
    if (r.scope == Ref::Scope::kIdentity && r.name != "id" && r.name != "email" && r.name != "name")
      return fail("is not part of a verified identity (identity.id, identity.email, identity.name)");
  } else {
    r.scope = Ref::Scope::kAnswer;
    r.name = text;
    if (!valid_name(text))
      return fail("is not a value: write an answer name, steps.<step>.result.<key>, result.<key>, outcome, vars.<name>, identity.<id|email|name> or inputs.<name>");
  }
  return r;
}

std::optional<json> lookup(const Ref& ref, const Session& s) {
  switch (ref.scope) {
    case Ref::Scope::kAnswer: return present(walk(s.answers, ref.name));
    case Ref::Scope::kLastOutcome: return s.outcome.empty() ? std::nullopt : std::optional<json>(s.outcome);
    case Ref::Scope::kLastResult: return present(walk(s.result, ref.key));
    case Ref::Scope::kStepOutcome: {
      const json* step = walk(s.steps, ref.name);
      return step ? present(walk(*step, "outcome")) : std::nullopt;
    }
    case Ref::Scope::kStepResult: {
      const json* step = walk(s.steps, ref.name);
      const json* result = step ? walk(*step, "result") : nullptr;
      return result ? present(walk(*result, ref.key)) : std::nullopt;
    }
    case Ref::Scope::kStepInput: {
      const json* step = walk(s.steps, ref.name);
      const json* input = step ? walk(*step, "input") : nullptr;
      return input && input->is_object() && input->contains(ref.key) ? present(&(*input)[ref.key]) : std::nullopt;
    }
    case Ref::Scope::kVar: return present(walk(s.vars, ref.name));
    case Ref::Scope::kIdentity: return s.identity.is_object() ? present(walk(s.identity, ref.name)) : std::nullopt;
    case Ref::Scope::kInput: return std::nullopt;  // a sub-flow runs linked into its caller, where inputs read steps.<call>.input
  }
  return std::nullopt;
}

std::string to_text(const Ref& r) {
  switch (r.scope) {
    case Ref::Scope::kAnswer: return r.name;
    case Ref::Scope::kStepResult: return "steps." + r.name + ".result" + (r.key.empty() ? "" : "." + r.key);
    case Ref::Scope::kStepOutcome: return "steps." + r.name + ".outcome";
    case Ref::Scope::kStepInput: return "steps." + r.name + ".input." + r.key;
    case Ref::Scope::kLastResult: return "result" + (r.key.empty() ? "" : "." + r.key);
    case Ref::Scope::kLastOutcome: return "outcome";
    case Ref::Scope::kVar: return "vars." + r.name;
    case Ref::Scope::kIdentity: return "identity." + r.name;
    case Ref::Scope::kInput: return "inputs." + r.name;
  }
  return r.text;
}

std::optional<json> resolve(const Value& v, const Session& s) {
  if (!v.ref) return v.constant.is_null() ? std::nullopt : std::optional<json>(v.constant);
  auto found = lookup(*v.ref, s);
  const bool empty = !found || (found->is_string() && found->get_ref<const std::string&>().empty());
  if (empty && v.fallback) return v.fallback;
  return found;
}

bool valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  const int y = std::atoi(s.substr(0, 4).c_str()), m = std::atoi(s.substr(5, 2).c_str()), d = std::atoi(s.substr(8, 2).c_str());
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool is_relative_date(const std::string& text) { return relative_days(text).has_value(); }

std::optional<std::string> resolve_date(const std::string& text, const std::string& today) {
  if (valid_date(text)) return text;
  auto days = relative_days(text);
  if (!days || !valid_date(today)) return std::nullopt;
  return add_days(today, *days);
}

std::string add_days(const std::string& date, long days) {
  const long y = std::atol(date.substr(0, 4).c_str());
  const unsigned m = static_cast<unsigned>(std::atoi(date.substr(5, 2).c_str()));
  const unsigned d = static_cast<unsigned>(std::atoi(date.substr(8, 2).c_str()));
  return civil_from_days(days_from_civil(y, m, d) + days);
}

std::optional<double> as_number(const json& v) {
  double x = 0;
  if (v.is_number()) {
    x = v.get<double>();
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    // Decimal only: strtod would also take "0x1A", "inf" and leading spaces.
    if (s.empty() || s.find_first_not_of("0123456789.+-eE") != std::string::npos) return std::nullopt;
    char* end = nullptr;
    x = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(x)) return std::nullopt;
  return x;
}

}  // namespace firstfix::flow
