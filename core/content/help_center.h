// A whole help center compiled from its source files: the site settings,
// articles rendered to sanitized HTML, flows and synonyms, checked together
// (unique ids, known locales, internal links that resolve).
//
// Pure: the caller reads the files and writes the outputs.
#pragma once

#include <string>
#include <vector>

#include "core/content/article.h"
#include "core/base/diagnostic.h"
#include "core/content/flow_file.h"
#include "core/content/synonyms.h"

namespace firstfix::content {

struct SourceFile {
  std::string path;  // relative to the content root, '/'-separated
  std::string text;
};

// An article or flow id named in site.yaml, with where, for diagnostics.
struct SiteReference {
  std::string id;
  int line = 1, column = 1;
};

struct SiteConfig {
  std::string name = "Help Center";
  std::string default_locale = "en";
  std::vector<std::string> locales;  // empty: every supported locale is allowed
  std::string contact_email;
  std::string contact_hours;
  std::string chat_hours;     // "Mon-Fri 08:00-20:00, Sat 09:00-14:00"; empty: chat whenever an agent is online
  std::string timezone = "UTC";  // IANA name: chat hours are in it, and flows' "today"
  unsigned escalation_failures = 2;   // self-service failures before a person is offered
  // The panel's opening list (core/content/suggested.h): pinned first, in
  // this order; hidden never suggested, however often it resolves.
  std::vector<SiteReference> suggestions_pinned, suggestions_hidden;
};

struct CompiledArticle {
  Article article;
  std::string url;       // "/articles/<id>"
  std::string html;      // sanitized
  std::string text;      // plain text of the body
  std::string headings;  // plain text of the headings
};

struct HelpCenter {
  SiteConfig site;
  std::vector<CompiledArticle> articles;  // sorted by id
  std::vector<FlowFile> flows;            // sorted by id
  std::vector<SynonymFile> synonyms;      // sorted by locale
};

// Files are classified by path: site.yaml, articles/**/*.md, flows/**/*.json,
// synonyms/<locale>.txt. Every problem found is appended to `diagnostics`;
// the result is complete only if none was. Flows are held to `catalog`'s
// connectors when one is given.
HelpCenter compile_help_center(const std::vector<SourceFile>& files, base::Diagnostics& diagnostics,
                               const flow::ConnectorCatalog* catalog = nullptr);

// The URL of an article or a flow inside the help center.
std::string article_url(const std::string& id);
std::string flow_url(const std::string& id);

}  // namespace firstfix::content
