#include "core/flow/message_template.h"

#include <cstring>

namespace firstfix::flow {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

// Calls `each(name, begin, end)` for every "{{ name }}"; an unclosed "{{" is
// passed with end == npos.
template <typename F>
void scan(const std::string& text, F each) {
  size_t at = 0;
  while ((at = text.find("{{", at)) != std::string::npos) {
    const size_t close = text.find("}}", at + 2);
    if (close == std::string::npos) {
      each(text.substr(at), at, std::string::npos);
      return;
    }
    each(trim(text.substr(at + 2, close - at - 2)), at, close + 2);
    at = close + 2;
  }
}

std::string escape_markdown(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    if (std::strchr("\\`*_{}[]()<>#+-.!|~&", c) != nullptr) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::vector<std::string> template_names(const std::string& text) {
  std::vector<std::string> names;
  scan(text, [&](const std::string& name, size_t, size_t) { names.push_back(name); });
  return names;
}

std::string fill_template(const std::string& text, const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  std::string out;
  size_t copied = 0;
  scan(text, [&](const std::string& name, size_t begin, size_t end) {
    if (end == std::string::npos) return;
    out += text.substr(copied, begin - copied);
    if (auto v = lookup(name)) out += escape_markdown(*v);
    copied = end;
  });
  return out + text.substr(copied);
}

}  // namespace firstfix::flow
