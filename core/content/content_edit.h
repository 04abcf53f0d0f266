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

}  // namespace firstfix::content
