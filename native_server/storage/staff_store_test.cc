// StaffStore's behaviour, one suite for every engine: SQLite always, and
// PostgreSQL when FIRSTFIX_TEST_POSTGRES is set (the test command runs it
// inside a throwaway cluster, pg_virtualenv; the PG* environment names it).
// Each PostgreSQL case gets a schema of its own, dropped afterwards.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>

#include "native_server/storage/pg_connection.h"
#include "native_server/storage/postgres_staff_store.h"
#include "native_server/storage/store.h"

namespace fs = std::filesystem;
using namespace firstfix::server;

namespace {

std::string random_name(const std::string& prefix) {
  std::random_device rd;
  return prefix + std::to_string(rd()) + std::to_string(rd());
}

// Runs `check` on a fresh store of each engine, naming the engine for the report.
void for_each_engine(const std::function<void(StaffStore&)>& check) {
  {
    const fs::path dir = fs::temp_directory_path() / random_name("firstfix-staff-");
    fs::create_directories(dir);
    {
      auto store = open_sqlite_store((dir / "s.db").string());
      INFO("engine: sqlite");
      check(*store);
    }
    fs::remove_all(dir);
  }
  if (!std::getenv("FIRSTFIX_TEST_POSTGRES")) return;
  const std::string schema = random_name("test_");
  PgConnection admin("");
  admin.exec("CREATE SCHEMA " + schema);
  {
    auto store = open_postgres_staff_store("options='-csearch_path=" + schema + "'");
    INFO("engine: postgresql");
    check(*store);
  }
  admin.exec("DROP SCHEMA " + schema + " CASCADE");
}

}  // namespace

TEST_CASE("staff store: an account is found by email or id; an upsert changes it in place; the list is by email") {
  for_each_engine([](StaffStore& store) {
    store.upsert_agent({"ag_1", "sam@example.com", "Sam", "hash-1", "agent"});
    store.upsert_agent({"ag_2", "eve@example.com", "Eve", "hash-2", "editor"});
    CHECK(store.find_agent("sam@example.com")->id == "ag_1");
    CHECK(store.find_agent("ag_2")->role == "editor");
    CHECK_FALSE(store.find_agent("nobody@example.com"));
    store.upsert_agent({"ag_1", "sam@example.com", "Samuel", "hash-3", "agent"});
    const Agent sam = *store.find_agent("ag_1");
    CHECK(sam.name == "Samuel");
    CHECK(sam.password_hash == "hash-3");
    const auto all = store.agents();
    REQUIRE(all.size() == 2);
    CHECK(all[0].email == "eve@example.com");
    CHECK(all[1].email == "sam@example.com");
  });
}

TEST_CASE("staff store: sessions expire, end one by one or all at once, and go with their account") {
  for_each_engine([](StaffStore& store) {
    store.upsert_agent({"ag_1", "sam@example.com", "Sam", "hash", "agent"});
    store.create_agent_session({"t1", "ag_1", "csrf-1", 1000});
    store.create_agent_session({"t2", "ag_1", "csrf-2", 5000});
    store.create_agent_session({"t3", "ag_1", "csrf-3", 5000});
    CHECK(store.find_agent_session("t1", 999)->csrf == "csrf-1");
    CHECK_FALSE(store.find_agent_session("t1", 1000));
    store.delete_agent_session("t2");
    CHECK_FALSE(store.find_agent_session("t2", 0));
    CHECK(store.find_agent_session("t3", 0));
    store.delete_agent_sessions("ag_1");  // a new password logs everyone out
    CHECK_FALSE(store.find_agent_session("t3", 0));
    store.create_agent_session({"t4", "ag_1", "csrf-4", 5000});
    CHECK(store.delete_agent("ag_1"));
    CHECK_FALSE(store.find_agent_session("t4", 0));
    CHECK_FALSE(store.find_agent("ag_1"));
    CHECK_FALSE(store.delete_agent("ag_1"));
  });
}

TEST_CASE("staff store: a value is stored as given, quotes and all (parameters, never spliced SQL)") {
  for_each_engine([](StaffStore& store) {
    const std::string name = "O'Brien\"; DROP TABLE agents; --";
    store.upsert_agent({"ag_'1", "o'brien@example.com", name, "h", "agent"});
    CHECK(store.find_agent("o'brien@example.com")->name == name);
    CHECK(store.agents().size() == 1);
  });
}
