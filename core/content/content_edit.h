// Small edits to content files, as an editor would make them by hand: a
// question added to an article's front matter or a flow's intents, and
// taken out again. The rest of the file stays byte for byte (a reviewable
// one-line diff), and every edit is checked by parsing the result the way
// the compiler does: a file is never written that would not compile, or
// that says anything but what was asked.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace firstfix::content {

// Thrown with the file's name and why ("articles/en/x.md: ...").
class EditError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `text` (the article at `source`) with `question` appended to its
// questions: to a block list after its last item, to a one-line flow list
// before its `]`, or as a new list before the closing '---'.
std::string with_article_question(const std::string& source, const std::string& text, const std::string& question);
// The same for a flow's JSON: `intent` appended to "intents".
std::string with_flow_intent(const std::string& source, const std::string& text, const std::string& intent);

// The questions (a flow's intents) `text` holds now; throws EditError when it does not parse.
std::vector<std::string> article_questions(const std::string& source, const std::string& text);
std::vector<std::string> flow_intents(const std::string& source, const std::string& text);

// The inverse: `text` without the question (or intent) an edit above added,
// when it is the list's last entry as the edit left it.
std::string without_article_question(const std::string& source, const std::string& text, const std::string& question);
std::string without_flow_intent(const std::string& source, const std::string& text, const std::string& intent);

// A synonyms file (synonyms/<locale>.txt, `text` "" for a new one) with
// `words` as one more group: a line at its end ("box, package"), the file's
// line ends kept. Refused when a word holds a comma or '#', or a group
// already has them all.
std::string with_synonym_line(const std::string& source, const std::string& text, const std::vector<std::string>& words);
// The inverse: `text` without that line, when it is the file's last group.
std::string without_synonym_line(const std::string& source, const std::string& text, const std::vector<std::string>& words);
// Whether a group of the file holds all of `words`.
bool has_synonym_group(const std::string& source, const std::string& text, const std::vector<std::string>& words);

}  // namespace firstfix::content
