// A guided task flow's JSON file as the compiler keeps it: checked whole by
// core/flow (flow.h), carried as written into the compiled output.
#pragma once

#include <optional>
#include <string>

#include "core/base/diagnostic.h"
#include "core/flow/flow.h"

namespace firstfix::content {

struct FlowFile {
  std::string source;
  std::string id;
  std::string title;
  std::string locale;
  std::string category;              // one of the articles' categories, or empty
  std::vector<std::string> intents;  // customer phrasings, searchable
  std::vector<std::string> pages;    // URL patterns where the widget suggests it
  bool requires_identity = false;    // runs only for a customer the host site signed
  bool subflow = false;              // only other flows call it: linked into them, not compiled on its own
  std::string json;                   // the file's text, as written; linked (its calls inlined) once compiled
};

// `catalog`: the connectors known to the checker (their outcomes), if any.
std::optional<FlowFile> parse_flow_file(const std::string& source, const std::string& text,
                                        base::Diagnostics& diagnostics, const flow::ConnectorCatalog* catalog = nullptr);

}  // namespace firstfix::content
