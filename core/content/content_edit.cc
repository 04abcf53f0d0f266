#include "core/content/content_edit.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "core/base/diagnostic.h"
#include "core/base/json_positions.h"
#include "core/content/article.h"
#include "core/content/synonyms.h"

namespace firstfix::content {
namespace {

using nlohmann::json;

EditError fail(const std::string& source, const std::string& why) { return EditError(source + ": " + why); }

bool is_delimiter(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  return line == "---";
}

struct Line {
  size_t begin, end;  // end: at the '\n' (or the text's end)
};

// The lines of `text`, and the index of the closing '---' of its front matter (0 if none).
std::vector<Line> lines_of(const std::string& text) {
  std::vector<Line> out;
  for (size_t p = 0; p <= text.size();) {
    const size_t e = text.find('\n', p);
    out.push_back({p, e == std::string::npos ? text.size() : e});
    if (e == std::string::npos) break;
    p = e + 1;
  }
  return out;
}

size_t closing_delimiter(const std::string& text, const std::vector<Line>& lines) {
  for (size_t i = 1; i < lines.size(); ++i)
    if (is_delimiter(std::string_view(text).substr(lines[i].begin, lines[i].end - lines[i].begin))) return i;
  return 0;
}

std::string_view line_text(const std::string& text, const Line& l) { return std::string_view(text).substr(l.begin, l.end - l.begin); }

size_t indent_of(std::string_view l) {
  size_t n = 0;
  while (n < l.size() && l[n] == ' ') ++n;
  return n;
}

// `s` as a YAML scalar: plain when nothing in it means anything to YAML
// (in a block or a flow list), else double-quoted (JSON's escapes are YAML's).
std::string yaml_scalar(const std::string& s) {
  bool plain = !s.empty() && s.front() != ' ' && s.back() != ' ';
  for (size_t i = 0; plain && i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool word = c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    // Not '?': yaml-cpp reads "[a, b?]" as an error, though YAML allows it.
    plain = word || (i > 0 && (c == ' ' || c == '-' || c == '.' || c == '!' || c == '\'' || c == '(' || c == ')' || c == '/'));
  }
  if (plain) {
    // Words YAML reads as something other than text.
    for (const char* special : {"yes", "no", "true", "false", "on", "off", "null", "y", "n", "~"})
      if (s.size() == std::string_view(special).size() &&
          std::equal(s.begin(), s.end(), special, [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }))
        plain = false;
    if (plain && (s.front() >= '0' && s.front() <= '9')) plain = false;  // might read as a number
  }
  return plain ? s : json(s).dump();
}

std::optional<Article> parse(const std::string& source, const std::string& text) {
  base::Diagnostics d;
  auto a = parse_article(source, text, d);
  if (!d.empty()) return std::nullopt;
  return a;
}

// Whether `edited` is `original` with its questions changed to `want`, and nothing else.
bool says_only(const Article& original, const std::string& source, const std::string& edited, const std::vector<std::string>& want) {
  const auto a = parse(source, edited);
  if (!a) return false;
  Article expected = original;
  expected.questions = want;
  auto same = [](const Article& x, const Article& y) {
    return x.id == y.id && x.title == y.title && x.locale == y.locale && x.category == y.category && x.tags == y.tags &&
           x.questions == y.questions && x.synonyms == y.synonyms && x.pages == y.pages && x.body == y.body;
  };
  return same(*a, expected);
}

// The `questions:` line of the front matter, if any.
std::optional<size_t> questions_line(const std::string& text, const std::vector<Line>& lines, size_t closing) {
  for (size_t i = 1; i < closing; ++i) {
    const auto l = line_text(text, lines[i]);
    if (l.rfind("questions:", 0) == 0) return i;
  }
  return std::nullopt;
}

// The items of the block list under line `q`: the lines after it that are "- ..." or their continuations.
size_t block_end(const std::string& text, const std::vector<Line>& lines, size_t q, size_t closing) {
  size_t last = q;
  for (size_t i = q + 1; i < closing; ++i) {
    const auto l = line_text(text, lines[i]);
    const size_t ind = indent_of(l);
    if (ind == l.size() || (ind < l.size() && l[ind] == '#')) continue;  // blank or comment
    if (ind == 0 && l[0] != '-') break;                                  // the next key
    last = i;
  }
  return last;
}

// Calls `stop(i, c)` for each byte of JSON `text` in [from, to) outside its
// strings; returns the first index it said yes to, or npos.
template <typename Stop>
size_t outside_strings(const std::string& text, size_t from, size_t to, Stop stop) {
  bool in_string = false;
  for (size_t i = from; i < to; ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (stop(i, c)) {
      return i;
    }
  }
  return std::string::npos;
}

// Where a flow JSON's top-level "intents" array opens and closes (offsets of '[' and ']').
std::optional<std::pair<size_t, size_t>> intents_array(const std::string& text) {
  const auto [line, column] = base::JsonPositions(text).at("/intents");
  size_t at = 0;
  for (int l = 1; l < line && at != std::string::npos; ++l) at = text.find('\n', at) + 1;
  at += static_cast<size_t>(column - 1);
  if (at >= text.size() || text[at] != '[') return std::nullopt;
  const size_t close = outside_strings(text, at + 1, text.size(), [](size_t, char c) { return c == ']' || c == '[' || c == '{'; });
  if (close == std::string::npos || text[close] != ']') return std::nullopt;  // intents hold strings only
  return std::make_pair(at, close);
}

// The first candidate that parses to `original` with exactly `want` as its
// questions; else the edit is refused with `why`.
std::string first_saying(const Article& original, const std::string& source, const std::vector<std::string>& candidates,
                         const std::vector<std::string>& want, const std::string& why) {
  for (const auto& c : candidates)
    if (says_only(original, source, c, want)) return c;
  throw fail(source, why);
}

json parse_json(const std::string& source, const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw fail(source, "not a JSON object");
  return j;
}

bool json_says_only(const json& original, const std::string& edited, const std::vector<std::string>& intents) {
  json e = json::parse(edited, nullptr, false);
  if (e.is_discarded()) return false;
  json expected = original;
  expected["intents"] = intents;
  return e == expected;
}

}  // namespace

std::vector<std::string> article_questions(const std::string& source, const std::string& text) {
  const auto a = parse(source, text);
  if (!a) throw fail(source, "the article does not compile as it is; fix it first");
  return a->questions;
}

std::vector<std::string> flow_intents(const std::string& source, const std::string& text) {
  const json j = parse_json(source, text);
  std::vector<std::string> out;
  if (!j.contains("intents") || !j["intents"].is_array()) return out;
  for (const auto& i : j["intents"])
    if (i.is_string()) out.push_back(i.get<std::string>());
  return out;
}

std::string with_article_question(const std::string& source, const std::string& text, const std::string& question) {
  const auto original = parse(source, text);
  if (!original) throw fail(source, "the article does not compile as it is; fix it first");
  for (const auto& q : original->questions)
    if (q == question) throw fail(source, "already has the question \"" + question + "\"");
  std::vector<std::string> want = original->questions;
  want.push_back(question);
  const auto lines = lines_of(text);
  const size_t closing = closing_delimiter(text, lines);
  const std::string nl = text.find("\r\n") != std::string::npos ? "\r\n" : "\n";
  const std::string item = yaml_scalar(question);
  std::vector<std::string> candidates;
  if (const auto q = questions_line(text, lines, closing)) {
    const auto l = line_text(text, lines[*q]);
    std::string rest(l.substr(std::string_view("questions:").size()));
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\r')) rest.pop_back();
    const size_t first = rest.find_first_not_of(' ');
    if (first == std::string::npos || rest[first] == '#') {
      // A block list: after its last item, indented as its first.
      const size_t last = block_end(text, lines, *q, closing);
      std::string indent = "  ";
      if (last > *q) indent = std::string(line_text(text, lines[*q + 1]).substr(0, indent_of(line_text(text, lines[*q + 1]))));
      std::string out = text;
      const bool crlf = lines[last].end > lines[last].begin && text[lines[last].end - 1] == '\r';
      out.insert(lines[last].end, "\n" + indent + "- " + item + (crlf ? "\r" : ""));
      candidates.push_back(out);
    } else if (rest[first] == '[') {
      const size_t close = l.rfind(']');
      if (close != std::string::npos) {
        const size_t at = lines[*q].begin + close;
        size_t before = at;
        while (before > lines[*q].begin && text[before - 1] == ' ') --before;
        std::string out = text;
        out.insert(before, text[before - 1] == '[' ? item : ", " + item);
        candidates.push_back(out);
      }
    }
  } else if (closing > 0) {
    std::string out = text;
    out.insert(lines[closing].begin, "questions:" + nl + "  - " + item + nl);
    candidates.push_back(out);
  }
  return first_saying(*original, source, candidates, want, "its questions are written in a form firstfix does not edit; add \"" + question + "\" by hand");
}

std::string without_article_question(const std::string& source, const std::string& text, const std::string& question) {
  const auto original = parse(source, text);
  if (!original || original->questions.empty() || original->questions.back() != question)
    throw fail(source, "\"" + question + "\" is no longer its last question: the file was edited since; change it by hand");
  std::vector<std::string> want(original->questions.begin(), original->questions.end() - 1);
  const auto lines = lines_of(text);
  const size_t closing = closing_delimiter(text, lines);
  const auto q = questions_line(text, lines, closing);
  std::vector<std::string> candidates;
  if (q) {
    const size_t last = block_end(text, lines, *q, closing);
    if (last > *q) {
      // The last item's line; with it the list's own line when it was the only item.
      const size_t from = want.empty() ? lines[*q].begin : lines[last].begin;
      std::string out = text;
      out.erase(from, lines[last].end + 1 - from);
      candidates.push_back(out);
    }
    const auto l = line_text(text, lines[*q]);
    const size_t close = l.rfind(']');
    const size_t comma = l.rfind(',', close);
    if (close != std::string::npos) {
      std::string out = text;
      if (comma != std::string::npos) {
        out.erase(lines[*q].begin + comma, close - comma);
      } else {
        const size_t open = l.find('[');
        if (open != std::string::npos && open < close) out.erase(lines[*q].begin + open + 1, close - open - 1);
      }
      candidates.push_back(out);
    }
  }
  return first_saying(*original, source, candidates, want, "cannot take \"" + question + "\" out without rewriting its questions; change it by hand");
}

std::string with_flow_intent(const std::string& source, const std::string& text, const std::string& intent) {
  const json original = parse_json(source, text);
  if (!original.contains("intents") || !original["intents"].is_array()) {
    throw fail(source, "has no \"intents\" list; add \"" + intent + "\" by hand");
  }
  std::vector<std::string> want;
  for (const auto& i : original["intents"]) {
    if (!i.is_string()) throw fail(source, "\"intents\" holds something other than text");
    if (i == intent) throw fail(source, "already has the intent \"" + intent + "\"");
    want.push_back(i);
  }
  want.push_back(intent);
  const auto array = intents_array(text);
  if (!array) throw fail(source, "its \"intents\" are written in a form firstfix does not edit; add \"" + intent + "\" by hand");
  const auto [open, close] = *array;
  size_t last = close;  // just after the last element
  while (last > open + 1 && std::isspace(static_cast<unsigned char>(text[last - 1]))) --last;
  const std::string item = json(intent).dump();
  std::string out = text;
  if (last == open + 1) {
    out.insert(open + 1, item);
  } else if (text.find('\n', open) < close) {
    // One per line: indented as the last one.
    const size_t line_start = text.rfind('\n', last - 1) + 1;
    out.insert(last, ",\n" + std::string(indent_of(std::string_view(text).substr(line_start)), ' ') + item);
  } else {
    out.insert(last, ", " + item);
  }
  if (!json_says_only(original, out, want)) throw fail(source, "cannot add \"" + intent + "\" without rewriting the file; add it by hand");
  return out;
}

std::string without_flow_intent(const std::string& source, const std::string& text, const std::string& intent) {
  const json original = parse_json(source, text);
  if (!original.contains("intents") || !original["intents"].is_array() || original["intents"].empty() || original["intents"].back() != intent)
    throw fail(source, "\"" + intent + "\" is no longer its last intent: the file was edited since; change it by hand");
  std::vector<std::string> want = original["intents"].get<std::vector<std::string>>();
  want.pop_back();
  const auto array = intents_array(text);
  if (!array) throw fail(source, "its \"intents\" are written in a form firstfix does not edit; change it by hand");
  const auto [open, close] = *array;
  size_t end = close;
  while (end > open + 1 && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  // The last element starts after the last ',' outside strings (or after '[').
  size_t from = open + 1;
  outside_strings(text, open + 1, end, [&](size_t i, char c) {
    if (c == ',') from = i;
    return false;
  });
  std::string out = text;
  out.erase(from, end - from);
  if (!json_says_only(original, out, want)) throw fail(source, "cannot take \"" + intent + "\" out without rewriting the file; change it by hand");
  return out;
}

namespace {

std::vector<std::vector<std::string>> synonym_groups(const std::string& source, const std::string& text) {
  base::Diagnostics d;
  const SynonymFile file = parse_synonyms(source, "", text, d);
  if (!d.empty()) throw fail(source, "line " + std::to_string(d.front().line) + ": " + d.front().message + "; fix it first");
  std::vector<std::vector<std::string>> out;
  for (const auto& g : file.groups) out.push_back(g.terms);
  return out;
}

std::string synonym_line(const std::string& source, const std::vector<std::string>& words) {
  if (words.size() < 2) throw fail(source, "a synonym group needs two words or more");
  std::string line;
  for (const auto& w : words) {
    if (w.empty() || w.find_first_of(",#\r\n") != std::string::npos || w.front() == ' ' || w.back() == ' ')
      throw fail(source, "\"" + w + "\" cannot be a synonym (a comma, a '#', a line break or spaces around it)");
    line += (line.empty() ? "" : ", ") + w;
  }
  return line;
}

}  // namespace

bool has_synonym_group(const std::string& source, const std::string& text, const std::vector<std::string>& words) {
  for (const auto& g : synonym_groups(source, text))
    if (std::all_of(words.begin(), words.end(), [&](const std::string& w) { return std::find(g.begin(), g.end(), w) != g.end(); }))
      return true;
  return false;
}

std::string with_synonym_line(const std::string& source, const std::string& text, const std::vector<std::string>& words) {
  const std::string line = synonym_line(source, words);
  if (has_synonym_group(source, text, words)) throw fail(source, "already has a group with " + line);
  const std::string nl = text.find("\r\n") != std::string::npos ? "\r\n" : "\n";
  std::string out = text;
  if (!out.empty() && out.back() != '\n') out += nl;
  out += line + nl;
  auto want = synonym_groups(source, text);
  want.push_back(words);
  if (synonym_groups(source, out) != want) throw fail(source, "adding \"" + line + "\" would change its other groups; add it by hand");
  return out;
}

std::string without_synonym_line(const std::string& source, const std::string& text, const std::vector<std::string>& words) {
  const std::string line = synonym_line(source, words);
  for (const std::string nl : {"\r\n", "\n"}) {
    const std::string tail = line + nl;
    if (text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0 &&
        (text.size() == tail.size() || text[text.size() - tail.size() - 1] == '\n')) {
      std::string out = text.substr(0, text.size() - tail.size());
      auto want = synonym_groups(source, text);
      want.pop_back();
      if (synonym_groups(source, out) == want) return out;
    }
  }
  throw fail(source, "its last line is not \"" + line + "\"; take it out by hand");
}

}  // namespace firstfix::content
