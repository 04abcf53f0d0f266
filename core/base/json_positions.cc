#include "core/base/json_positions.h"

namespace firstfix::base {
namespace {

class Scanner {
 public:
  Scanner(const std::string& text, std::map<std::string, std::pair<int, int>>& out) : t_(text), out_(out) {}

  void value(const std::string& pointer) {
    space();
    out_[pointer] = {line_, column_};
    if (at_end()) return;
    char c = t_[i_];
    if (c == '{') {
      advance();
      space();
      if (peek() == '}') { advance(); return; }
      while (!at_end()) {
        space();
        std::string key = string();
        space();
        if (peek() == ':') advance();
        value(json_pointer_child(pointer, key));
        space();
        if (peek() == ',') { advance(); continue; }
        if (peek() == '}') advance();
        return;
      }
    } else if (c == '[') {
      advance();
      space();
      if (peek() == ']') { advance(); return; }
      for (int n = 0; !at_end(); ++n) {
        value(pointer + "/" + std::to_string(n));
        space();
        if (peek() == ',') { advance(); continue; }
        if (peek() == ']') advance();
        return;
      }
    } else if (c == '"') {
      string();
    } else {
      while (!at_end() && t_[i_] != ',' && t_[i_] != '}' && t_[i_] != ']' && !is_space(t_[i_])) advance();
    }
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  bool at_end() const { return i_ >= t_.size(); }
  char peek() const { return at_end() ? '\0' : t_[i_]; }
  void advance() {
    if (t_[i_] == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(t_[i_]) & 0xC0) != 0x80) {
      ++column_;  // columns count characters, not UTF-8 continuation bytes
    }
    ++i_;
  }
  void space() {
    while (!at_end() && is_space(t_[i_])) advance();
  }
  // Reads a string literal, returning its raw contents with \" and \\ unescaped.
  std::string string() {
    std::string s;
    if (peek() != '"') return s;
    advance();
    while (!at_end() && t_[i_] != '"') {
      if (t_[i_] == '\\' && i_ + 1 < t_.size()) {
        advance();
        char e = t_[i_];
        s += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        s += t_[i_];
      }
      advance();
    }
    if (!at_end()) advance();
    return s;
  }

  const std::string& t_;
  std::map<std::string, std::pair<int, int>>& out_;
  size_t i_ = 0;
  int line_ = 1, column_ = 1;
};

}  // namespace

std::string json_pointer_child(const std::string& parent, const std::string& key) {
  std::string escaped;
  for (char c : key) {
    if (c == '~') escaped += "~0";
    else if (c == '/') escaped += "~1";
    else escaped += c;
  }
  return parent + "/" + escaped;
}

JsonPositions::JsonPositions(const std::string& text) {
  Scanner(text, positions_).value("");
}

std::pair<int, int> JsonPositions::at(std::string pointer) const {
  while (true) {
    auto it = positions_.find(pointer);
    if (it != positions_.end()) return it->second;
    auto slash = pointer.rfind('/');
    if (slash == std::string::npos) return {1, 1};
    pointer.resize(slash);
  }
}

}  // namespace firstfix::base
