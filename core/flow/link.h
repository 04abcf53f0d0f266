// Sub-flows, linked at compile time. A `call` step runs another flow; the
// compiler inlines that flow into its caller, so what runs (on the server,
// and what the widget checks against) is one graph, versioned as one file:
//
//   - the called flow's steps, answers and vars take the call's id as a
//     prefix ("verify/code"), so two calls never share a name;
//   - its inputs.<name> read what the call passed (steps.<call>.input.<name>);
//   - its done steps become return steps: they record the call's outcome
//     (the done step's `outcome`, else its state) and `result`, and the
//     caller goes on by the call's outcomes.
//
// The call site is checked against the called flow: it exists, is in the
// same language, does not call back into its caller, gets every input it
// requires and no other, and each way it can end is handled.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/base/diagnostic.h"
#include "core/flow/flow.h"

namespace firstfix::flow {

struct FlowSource {
  std::string path;  // as diagnostics name it
  std::string text;  // the JSON as written (it parsed)
};

// The linked JSON of flow `root` (its text unchanged when it calls
// nothing); nullopt, with diagnostics at the call steps, when a call is
// wrong. `flows` holds every flow by id, `root` included.
std::optional<std::string> link_flow(const std::string& root, const std::map<std::string, FlowSource>& flows, base::Diagnostics& diagnostics);

// The ways a flow can end, as a caller sees them: each done step's outcome
// (its state when it names none), with the result keys it always returns.
std::map<std::string, std::vector<std::string>> flow_outcomes(const Flow& flow);

}  // namespace firstfix::flow
