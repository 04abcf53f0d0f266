// `firstfix check` and `firstfix build`.
#include <stdio.h>  // renameat2
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/content_files.h"
#include "core/content/help_center.h"
#include "core/content/manifest.h"
#include "core/search/index_writer.h"
#include "native_server/demo/back_office.h"
#include "native_server/flows/webhook_connector.h"

namespace fs = std::filesystem;

namespace firstfix::cli {
namespace {

// The connectors flows are held to: the demo back office's, and the
// operations the connectors file declares. `check` also holds them to the
// file's endpoints (a webhook.<endpoint> it does not name does not exist);
// `serve` switches such a flow off instead, and serves the rest.
flow::ConnectorCatalog connector_catalog(const std::string& connectors_file, bool every_endpoint_named) {
  flow::ConnectorCatalog catalog = server::DemoBackOffice::catalog();
  if (connectors_file.empty()) return catalog;
  const auto declared = server::load_connectors_config(connectors_file, /*need_secrets=*/false).catalog;
  catalog.connectors.insert(declared.connectors.begin(), declared.connectors.end());
  catalog.open_prefixes = declared.open_prefixes;
  if (every_endpoint_named) catalog.complete_prefixes.push_back("webhook");
  else for (const auto& [name, spec] : declared.connectors) catalog.complete_prefixes.push_back(name.substr(0, name.rfind('.')));
  return catalog;
}

// Compiles the content folder; prints every problem as file:line:col.
bool compile(const std::string& dir, content::HelpCenter& out, const std::string& connectors_file, bool every_endpoint_named = false) {
  base::Diagnostics diagnostics;
  flow::ConnectorCatalog catalog;
  try {
    catalog = connector_catalog(connectors_file, every_endpoint_named);
  } catch (const std::runtime_error& e) {
    std::cerr << e.what() << '\n';
    return false;
  }
  out = content::compile_help_center(read_content_dir(dir), diagnostics, &catalog);
  const std::string prefix = fs::path(dir).generic_string();
  for (const auto& d : diagnostics) {
    base::Diagnostic shown = d;
    shown.file = (fs::path(prefix) / d.file).generic_string();
    std::cerr << shown.to_string() << '\n';
  }
  if (!diagnostics.empty())
    std::cerr << diagnostics.size() << (diagnostics.size() == 1 ? " problem" : " problems") << " in " << dir << '\n';
  return diagnostics.empty();
}

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Replaces `target` by `staged` so that readers see either the old folder or
// the new one, never a mix: an atomic exchange where the folder exists.
void publish(const fs::path& staged, const fs::path& target) {
  if (fs::exists(target)) {
    if (renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0)
      throw std::runtime_error("cannot replace " + target.string() + ": " + std::strerror(errno));
    fs::remove_all(staged);  // now holds the previous output
  } else {
    fs::rename(staged, target);
  }
}

}  // namespace

bool compile_content_dir(const std::string& dir, content::HelpCenter& out, const std::string& connectors_file) {
  return compile(dir, out, connectors_file);
}

int check_command(const std::string& content_dir, const std::string& connectors_file) {
  content::HelpCenter hc;
  if (!compile(content_dir, hc, connectors_file, /*every_endpoint_named=*/true)) return 1;
  std::cout << content_dir << ": " << hc.articles.size() << " articles, " << hc.flows.size() << " flows, "
            << hc.synonyms.size() << " synonym files: no problems\n";
  return 0;
}

int build_command(const std::string& content_dir, const std::string& out_dir, bool quiet, const std::string& connectors_file) {
  content::HelpCenter hc;
  if (!compile(content_dir, hc, connectors_file)) return 1;

  const fs::path target = fs::absolute(out_dir).lexically_normal();
  const fs::path parent = target.has_filename() ? target.parent_path() : target.parent_path().parent_path();
  const std::string name = target.filename().empty() ? target.parent_path().filename().string() : target.filename().string();
  fs::create_directories(parent);
  const fs::path staged = parent / ("." + name + ".tmp-" + std::to_string(getpid()));
  const fs::path scratch = parent / ("." + name + ".scratch-" + std::to_string(getpid()));
  fs::remove_all(staged);
  fs::remove_all(scratch);
  try {
    fs::create_directories(staged);
    fs::create_directories(scratch);
    const fs::path index_path = staged / std::string(content::kIndexFile);
    search::write_index(hc, scratch.string(), index_path.string());
    fs::remove_all(scratch);
    for (const auto& c : hc.articles) write_file(staged / content::article_html_path(c.article.id), c.html);
    for (const auto& f : hc.flows) write_file(staged / content::flow_json_path(f.id), f.json);
    const std::string index_bytes = read_file(index_path.string());
    auto manifest = content::make_manifest(hc, index_bytes.size(), content::content_hash(index_bytes));
    write_file(staged / std::string(content::kManifestFile), manifest.dump(2) + "\n");
    publish(staged, fs::path(parent) / name);
    if (!quiet)
      std::cout << "built " << out_dir << ": " << hc.articles.size() << " articles, " << hc.flows.size()
                << " flows, index " << index_bytes.size() << " bytes\n";
    return 0;
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staged, ec);
    fs::remove_all(scratch, ec);
    throw;
  }
}

}  // namespace firstfix::cli
