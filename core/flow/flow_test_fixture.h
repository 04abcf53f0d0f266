// A realistic flow for the flow tests (also run through WebAssembly by
// tests/wasm/flow.test.mjs): return or exchange an item, with a clarifying
// question, a branch, actions, a save offer and done states.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

// The date the flow tests run on, and a customer the host site vouched for.
inline const std::string kToday = "2026-12-03";
inline const nlohmann::json kIdentity = {{"id", "cus_1"}, {"email", "ana@example.com"}, {"name", "Ana"}};

inline const std::string& return_flow_json() {
  static const std::string text = [] {
    std::ifstream in(FIRSTFIX_SOURCE_DIR "/tests/fixtures/return-item.flow.json", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  return text;
}
