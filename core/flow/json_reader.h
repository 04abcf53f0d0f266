// Reads a flow file's JSON into typed values, reporting each problem at
// its file:line:col. Internal to core/flow: the parser (flow.cc) and the
// checks (flow_check.cc) share it.
#pragma once

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "core/base/diagnostic.h"
#include "core/base/json_positions.h"

namespace firstfix::flow {

using nlohmann::json;

// Reads typed values from JSON, reporting problems at their position.
class Reader {
 public:
  Reader(const std::string& source, const std::string& text, base::Diagnostics& out)
      : source_(source), positions_(text), out_(out) {}

  void error(const std::string& pointer, const std::string& message) {
    auto [line, column] = positions_.at(pointer);
    out_.push_back({source_, line, column, message});
    ok_ = false;
  }

  static std::string where(const std::string& pointer) { return pointer.empty() ? "the flow" : "'" + pointer + "'"; }

  std::string string(const json& obj, const std::string& ptr, const char* key, bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) error(ptr, std::string("missing required field '") + key + "' in " + where(ptr));
      return {};
    }
    if (!it->is_string() || it->get<std::string>().empty()) {
      error(base::json_pointer_child(ptr, key), std::string("field '") + key + "' must be a non-empty string");
      return {};
    }
    return it->get<std::string>();
  }

  std::vector<std::string> strings(const json& obj, const std::string& ptr, const char* key) {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end()) return out;
    const std::string p = base::json_pointer_child(ptr, key);
    if (!it->is_array()) {
      error(p, std::string("field '") + key + "' must be a list of strings");
      return out;
    }
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) error(p + "/" + std::to_string(i), std::string("field '") + key + "' must contain only strings");
      else out.push_back((*it)[i].get<std::string>());
    }
    return out;
  }

  bool boolean(const json& obj, const std::string& ptr, const char* key, bool fallback) {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_boolean()) {
      error(base::json_pointer_child(ptr, key), std::string("field '") + key + "' must be true or false");
      return fallback;
    }
    return it->get<bool>();
  }

  std::optional<size_t> count(const json& obj, const std::string& ptr, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    if (!it->is_number_unsigned()) {
      error(base::json_pointer_child(ptr, key), std::string("field '") + key + "' must be a whole number");
      return std::nullopt;
    }
    return it->get<size_t>();
  }

  void only(const json& obj, const std::string& ptr, std::initializer_list<const char*> allowed) {
    for (const auto& [key, value] : obj.items()) {
      bool known = false;
      std::string list;
      for (const char* a : allowed) {
        known |= key == a;
        list += (list.empty() ? "" : ", ") + std::string(a);
      }
      if (!known) error(base::json_pointer_child(ptr, key), "unknown field '" + key + "' (expected " + list + ")");
    }
  }

  bool ok() const { return ok_; }

 private:
  const std::string& source_;
  base::JsonPositions positions_;
  base::Diagnostics& out_;
  bool ok_ = true;
};

}  // namespace firstfix::flow
