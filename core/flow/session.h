// One customer's run of a flow: everything the engine needs to go on, and
// serializable, so it survives a page reload, a server restart or a move to
// another server.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace firstfix::flow {

struct Session {
  std::string flow_id;
  std::string step;                                  // the step waiting for the customer
  nlohmann::json answers = nlohmann::json::object();  // field name -> answer
  std::string outcome;                               // the latest action's outcome
  nlohmann::json result = nlohmann::json::object();  // the latest action's data
  // Each action step's own outcome and data, kept under its step id, so a
  // later action does not hide an earlier one's: {"lookup": {"outcome", "result"}}.
  nlohmann::json steps = nlohmann::json::object();
  nlohmann::json vars = nlohmann::json::object();    // what `set` steps computed
  // The customer the host site vouched for ({"id", "email", "name"}), or
  // null: a claim in the browser never gets here.
  nlohmann::json identity;
  std::map<std::string, unsigned> attempts;          // step id -> times entered (steps with max_attempts)
  std::vector<std::string> history;                  // steps taken, in order
  std::vector<std::string> failure_reasons;          // self-service failures, in order
  std::string done_state;                            // "", "resolved", "unresolved", "escalate"
  std::string end_reason;                            // why the engine ended it, when no done step did
  bool done() const { return !done_state.empty(); }
  size_t failures() const { return failure_reasons.size(); }
};

}  // namespace firstfix::flow
