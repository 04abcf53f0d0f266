// The checks a parsed flow must pass before it can run: a graph whose
// steps exist, are reachable and reach a done state; loops that are
// bounded; values set on every path that reads them; connectors that
// exist and outcomes that are handled. Internal to core/flow (parse_flow
// runs it); each problem is reported at its file:line:col.
#pragma once

#include "core/flow/flow.h"
#include "core/flow/json_reader.h"

namespace firstfix::flow {

void check_flow(const Flow& flow, Reader& reader, const ConnectorCatalog* catalog);

// The steps a step can lead to, with the JSON pointer suffix that names each.
std::vector<std::pair<std::string, std::string>> successors(const Step& s);

}  // namespace firstfix::flow
