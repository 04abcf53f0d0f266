// `firstfix publish --content DIR --database URL`: the content compiled here,
// stored in PostgreSQL as a new version, and taken by every server that
// serves from that database (cli/content_reloader.cc), without a restart.
// The editors' search-learning decisions stored in that database are
// written into DIR first (README: "Search learning").
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "native_server/reports/search_learning.h"
#include "native_server/storage/event_store.h"
#include "native_server/storage/pg_connection.h"
#include "native_server/storage/published_content.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace firstfix::cli {

int publish_command(const std::string& content_dir, const std::string& database) {
  if (!server::is_postgres_url(database)) {
    std::cerr << "firstfix publish: --database must be a postgresql:// URL; with SQLite, send the server SIGHUP "
                 "(systemctl reload firstfix) or run it with --watch\n";
    return 2;
  }
  const fs::path work = fs::temp_directory_path() / ("firstfix-publish-" + std::to_string(getpid()));
  fs::remove_all(work);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{work};
  const std::string dist = (work / "dist").string();
  // What editors accepted or reverted in the Suggestions tab since, into the folder first.
  try {
    const auto events = server::open_event_store(database, "", 1);
    for (const auto& c : server::apply_decisions(*events, content_dir)) {
      if (c.contains("left"))
        std::cerr << "firstfix publish: suggestion " << c["id"].get<std::string>() << " not applied: " << c["left"].get<std::string>() << "\n";
      else
        std::cout << "firstfix: " << c["file"].get<std::string>() << (c.contains("added") ? " gained " : " lost ")
                  << c.value("added", c.value("removed", json())).dump() << " (suggestion " << c["id"].get<std::string>() << ")" << std::endl;
    }
  } catch (const std::exception& e) {
    std::cerr << "firstfix publish: the editors' decisions: " << e.what() << "\n";
    return 1;
  }
  if (int rc = build_command(content_dir, dist, /*quiet=*/true); rc != 0) return rc;
  server::PublishedContent store(database);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto v = store.publish(dist, now);
  std::cout << "firstfix: published content version " << v.version << " (number " << v.id << ") from " << content_dir
            << "; every server on this database serves it now" << std::endl;
  return 0;
}

}  // namespace firstfix::cli
