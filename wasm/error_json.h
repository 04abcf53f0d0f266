// The shape of every failure the bindings return: {"error": message}.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

inline std::string error_json(const std::string& message) { return nlohmann::json{{"error", message}}.dump(); }
