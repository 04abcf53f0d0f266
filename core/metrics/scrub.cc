#include "core/metrics/scrub.h"

#include <vector>

#include "core/text/luhn.h"

namespace firstfix::metrics {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }
bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool alnum(char c) { return digit(c) || alpha(c); }
bool email_local(char c) { return alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || (c & 0x80); }
bool email_domain(char c) { return alnum(c) || c == '.' || c == '-' || (c & 0x80); }
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// An IBAN at `at`: two letters, two digits, 11 to 30 more letters or digits
// (spaces between groups of four allowed), whose mod-97 check holds.
size_t iban_length(std::string_view t, size_t at) {
  if (at + 4 > t.size() || !alpha(t[at]) || !alpha(t[at + 1]) || !digit(t[at + 2]) || !digit(t[at + 3])) return 0;
  if (at > 0 && alnum(t[at - 1])) return 0;
  std::string chars;
  std::vector<std::pair<size_t, size_t>> stops;  // (characters so far, end offset) where the IBAN could end
  size_t end = at;
  while (end < t.size() && chars.size() < 34) {
    if (alnum(t[end])) {
      chars += upper(t[end++]);
      if (end == t.size() || !alnum(t[end])) stops.push_back({chars.size(), end});
    } else if (t[end] == ' ' && end + 1 < t.size() && alnum(t[end + 1]) && chars.size() % 4 == 0) {
      ++end;
    } else {
      break;
    }
  }
  // The longest prefix, ending at a group boundary, whose check digits hold.
  for (auto it = stops.rbegin(); it != stops.rend(); ++it) {
    if (it->first < 15 || (it->second < t.size() && alnum(t[it->second]))) continue;
    const std::string moved = chars.substr(4, it->first - 4) + chars.substr(0, 4);
    int rest = 0;
    for (char c : moved) {
      const int v = digit(c) ? c - '0' : c - 'A' + 10;
      rest = (v >= 10 ? rest * 100 + v : rest * 10 + v) % 97;
    }
    if (rest == 1) return it->second - at;
  }
  return 0;
}

}  // namespace

std::string scrub_personal_data(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  size_t i = 0;
  while (i < t.size()) {
    // An email address: the '@' with a local part before it and a dotted domain after.
    if (email_local(t[i]) && (i == 0 || !email_local(t[i - 1]))) {
      size_t at = i;
      while (at < t.size() && email_local(t[at])) ++at;
      if (at < t.size() && t[at] == '@' && at > i) {
        size_t end = at + 1;
        while (end < t.size() && email_domain(t[end])) ++end;
        while (end > at + 1 && (t[end - 1] == '.' || t[end - 1] == '-')) --end;  // a full stop ending the sentence
        const std::string_view domain = t.substr(at + 1, end - at - 1);
        const size_t dot = domain.find('.');
        if (dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size()) {
          out += "[email]";
          i = end;
          continue;
        }
      }
    }
    if (const size_t n = iban_length(t, i)) {
      out += "[iban]";
      i += n;
      continue;
    }
    // A run of digits with the separators phone and card numbers are written with.
    const bool plus = t[i] == '+' && i + 1 < t.size() && (digit(t[i + 1]) || t[i + 1] == '(');
    if ((digit(t[i]) || plus || (t[i] == '(' && i + 1 < t.size() && digit(t[i + 1]))) && (i == 0 || !alnum(t[i - 1]))) {
      std::string digits;
      std::vector<size_t> groups;
      bool dashes_only = true;
      size_t end = i + (plus ? 1 : 0);
      size_t last_digit_end = end;
      while (end < t.size()) {
        const char c = t[end];
        if (digit(c)) {
          if (groups.empty() || (end > 0 && !digit(t[end - 1]))) groups.push_back(0);
          ++groups.back();
          digits += c;
          last_digit_end = ++end;
        } else if ((c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') && end + 1 < t.size() &&
                   (digit(t[end + 1]) || (c == ' ' && t[end + 1] == '(') || (c == ')' && t[end + 1] == ' '))) {
          if (c != '-') dashes_only = false;
          ++end;
        } else {
          break;
        }
      }
      const bool word_ends = last_digit_end >= t.size() || !alpha(t[last_digit_end]);
      const bool date = dashes_only && groups == std::vector<size_t>{4, 2, 2};
      const bool decimal = groups.size() == 2 && t.find('.', i) < last_digit_end && groups[1] <= 2;  // 1499.99
      if (word_ends && !date && !decimal && digits.size() >= 7) {
        if (digits.size() >= 13 && digits.size() <= 19 && !plus && text::passes_luhn(digits)) out += "[card]";
        else if (digits.size() <= 15 && (plus || groups.size() > 1 || t[i] == '(')) out += "[phone]";
        else out += "[number]";
        i = last_digit_end;
        continue;
      }
      // Not personal: copy the run as it was.
      out.append(t.substr(i, last_digit_end - i));
      i = last_digit_end;
      continue;
    }
    out += t[i++];
  }
  return out;
}

}  // namespace firstfix::metrics
