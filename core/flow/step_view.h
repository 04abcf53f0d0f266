// What the customer sees of a flow session: the current step with its
// fields, filled-in messages, button labels, progress, and whether going
// back is safe. The server sends it; the widget draws it. One definition,
// so every client shows the same step the same way.
#pragma once

#include <nlohmann/json.hpp>

#include "core/flow/engine.h"
#include "core/flow/flow.h"

namespace firstfix::flow {

// {"id", "kind", "title", "message" (Markdown, placeholders filled),
//  "fields": [{name, label, type, required, hint, choices, min, max,
//              min_length, max_length, pattern, sensitive, value,
//              input: {type, autocomplete, inputmode}}],
//  "rules": [{fields, at_least, at_most}],
//  "labels": {"yes", "no"} | {"accept", "decline"},
//  "done_state", "progress": {"step", "of"}, "can_go_back"}
// A sensitive field never carries its previous value; a field already
// known (`from`) is not shown; relative date bounds are given as dates
// (`today` is "YYYY-MM-DD" in the help center's time zone). A session the
// engine ended for a person shows as a done step of its own.
nlohmann::json step_view(const Flow& flow, const Session& session, const std::string& today);

// How a field is typed, for the client to draw as it is: an HTML input
// `type`, its `autocomplete` token and `inputmode` ("" when none). Decided
// here, once: the field's `input` when it names one, else its type, and a
// sensitive field that takes N digits is a one-time code.
nlohmann::json input_kind(const Field& field);

// Customer-facing steps taken so far and the fewest still needed to reach
// a done step (the current one included): a progress bar that never lies
// by more than the flow's branches allow.
struct Progress {
  size_t step = 1;
  size_t of = 1;
};
Progress progress(const Flow& flow, const Session& session);

// Going back is safe while no action has run since the previous step the
// customer answered: an action may have changed the world.
bool can_go_back(const Flow& flow, const Session& session);

// Returns to the previous customer-facing step, keeping its answers to
// prefill. Returns false (and changes nothing) when that is not safe.
bool go_back(const Flow& flow, Session& session);

}  // namespace firstfix::flow
