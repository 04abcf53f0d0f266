// Store's behaviour (store.h), one suite for every engine: SQLite always,
// and PostgreSQL when FIRSTFIX_TEST_POSTGRES is set (the test command runs
// it inside a throwaway cluster, pg_virtualenv; the PG* environment names
// it). Each PostgreSQL case gets a schema of its own, dropped afterwards.
// "Two servers" are two stores opened on the same database.
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <set>
#include <thread>

#include "native_server/storage/pg_connection.h"
#include "native_server/storage/store.h"

namespace fs = std::filesystem;
using namespace firstfix::server;
using nlohmann::json;

namespace {

std::string random_name(const std::string& prefix) {
  std::random_device rd;
  return prefix + std::to_string(rd()) + std::to_string(rd());
}

// One database of one engine: opened as often as a case wants (each open is
// another "server"), and reachable with raw SQL to try what the store forbids.
struct Engine {
  std::string name;
  std::function<std::unique_ptr<Store>()> open;
  std::function<void(const std::string&)> raw_sql;
  std::function<void(int)> set_schema_version;  // as a newer firstfix would leave it
};

void for_each_engine(const std::function<void(Engine&)>& check) {
  {
    const fs::path dir = fs::temp_directory_path() / random_name("firstfix-store-");
    fs::create_directories(dir);
    const std::string path = (dir / "s.db").string();
    Engine e{"sqlite", [path] { return open_sqlite_store(path); },
             [path](const std::string& sql) { SQLite::Database(path, SQLite::OPEN_READWRITE).exec(sql); },
             [path](int v) {
               SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE).exec("PRAGMA user_version = " + std::to_string(v));
             }};
    {
      INFO("engine: sqlite");
      check(e);
    }
    fs::remove_all(dir);
  }
  if (!std::getenv("FIRSTFIX_TEST_POSTGRES")) return;
  const std::string schema = random_name("test_");
  const std::string conninfo = "options='-csearch_path=" + schema + "'";
  PgConnection admin("");
  admin.exec("CREATE SCHEMA " + schema);
  Engine e{"postgresql", [conninfo] { return open_postgres_store(conninfo, 4); },
           [conninfo](const std::string& sql) { PgConnection(conninfo).exec(sql); },
           [conninfo](int v) {
             PgConnection c(conninfo);
             c.exec("CREATE TABLE IF NOT EXISTS firstfix_migrations (store TEXT PRIMARY KEY, version INTEGER NOT NULL)");
             c.exec("INSERT INTO firstfix_migrations VALUES ('store', $1) ON CONFLICT (store) DO UPDATE SET version = excluded.version", {v});
           }};
  {
    INFO("engine: postgresql");
    check(e);
  }
  admin.exec("DROP SCHEMA " + schema + " CASCADE");
}

void for_each_store(const std::function<void(Store&)>& check) {
  for_each_engine([&](Engine& e) { check(*e.open()); });
}

ChatConversation queued_conversation(const std::string& id) {
  ChatConversation c;
  c.id = id;
  c.state = "queued";
  c.locale = "en";
  return c;
}

}  // namespace

TEST_CASE("store: a session update is compare-and-swap: a stale version writes nothing") {
  for_each_store([](Store& store) {
    store.create_session({"s1", "flow", json{{"step", "a"}}, json{{"page", "/orders"}}, 0, 1, 1, "v-3f2a"});
    CHECK(store.update_session("s1", json{{"step", "b"}}, 0, 2, "k1", json{{"reply", 1}}));
    CHECK_FALSE(store.update_session("s1", json{{"step", "c"}}, 0, 3, "k2", json{{"reply", 2}}));
    auto s = store.find_session("s1");
    REQUIRE(s);
    CHECK(s->state["step"] == "b");
    CHECK(s->version == 1);
    CHECK(s->updated_ms == 2);
    CHECK(s->context == json{{"page", "/orders"}});
    CHECK(s->flow_version == "v-3f2a");  // the flow version it started on
    CHECK(store.find_reply("s1", "k1") == json{{"reply", 1}});
    CHECK_FALSE(store.find_reply("s1", "k2"));
    CHECK_FALSE(store.find_session("nope"));
  });
}

TEST_CASE("store: answers racing on two servers: exactly one updates the session, every other finds it moved on") {
  for_each_engine([](Engine& e) {
    auto a = e.open(), b = e.open();
    a->create_session({"s1", "flow", json{{"step", "a"}}, json::object(), 0, 1, 1});
    std::atomic<int> won{0};
    std::vector<std::thread> racers;
    for (int i = 0; i < 8; ++i)
      racers.emplace_back([&, i] {
        Store& server = i % 2 ? *a : *b;
        if (server.update_session("s1", json{{"step", "b"}, {"by", i}}, 0, 2, "k" + std::to_string(i), json{{"by", i}})) ++won;
      });
    for (auto& t : racers) t.join();
    CHECK(won == 1);
    const auto s = b->find_session("s1");
    CHECK(s->version == 1);
    // The winner's reply is the one remembered.
    const int by = s->state["by"];
    CHECK(a->find_reply("s1", "k" + std::to_string(by)) == json{{"by", by}});
  });
}

TEST_CASE("store: the audit log is append-only, and survives reopening") {
  for_each_engine([](Engine& e) {
    {
      auto store = e.open();
      AuditEntry entry;
      entry.session_id = "s1";
      entry.connector = "demo.x";
      entry.outcome = "ok";
      entry.input = json{{"order", "BL-1"}};
      entry.replayed = true;
      store->record_action({"key-1", "ok", json{{"n", 1}}}, entry);
      store->record_action({"key-1", "changed", json{{"n", 2}}}, entry);  // a journaled key keeps its first outcome
      CHECK(store->find_action("key-1")->data == json{{"n", 1}});
      CHECK_FALSE(store->find_action("key-2"));
    }
    auto store = e.open();
    const auto log = store->audit_log("s1", 10);
    REQUIRE(log.size() == 2);
    CHECK(log[0].input == json{{"order", "BL-1"}});
    CHECK(log[0].replayed);
    CHECK(store->audit_log("", 1).size() == 1);
    CHECK(store->audit_log("other", 10).empty());
    CHECK_THROWS_WITH(e.raw_sql("UPDATE audit_log SET outcome = 'changed'"), doctest::Contains("append-only"));
    CHECK_THROWS_WITH(e.raw_sql("DELETE FROM audit_log"), doctest::Contains("append-only"));
  });
}

TEST_CASE("store: a database from a newer firstfix is refused, saying so") {
  for_each_engine([](Engine& e) {
    e.set_schema_version(99);
    CHECK_THROWS_WITH(e.open(), doctest::Contains("99"));
    CHECK_THROWS_WITH(e.open(), doctest::Contains("newer"));
  });
}

TEST_CASE("store: chat messages are numbered per conversation and a resend is stored once") {
  for_each_store([](Store& store) {
    store.create_conversation(queued_conversation("cv_1"));
    auto m1 = store.append_message({0, "cv_1", "customer", "Ana", "hello", "c-1", 10}, nullptr);
    auto m2 = store.append_message({0, "cv_1", "agent", "Sam", "hi Ana", "a-1", 11}, nullptr);
    auto again = store.append_message({0, "cv_1", "customer", "Ana", "hello (resent)", "c-1", 12}, nullptr);
    CHECK(m1.seq == 1);
    CHECK(m2.seq == 2);
    CHECK(again.seq == 1);
    CHECK(again.body == "hello");  // the first one stands
    CHECK(again.repeated);
    CHECK_FALSE(m2.repeated);
    auto after = store.messages_after("cv_1", 1, 10);
    REQUIRE(after.size() == 1);
    CHECK(after[0].body == "hi Ana");
    CHECK(after[0].attachment.is_null());
    CHECK(store.messages_after("cv_1", 0, 10).size() == 2);
  });
}

TEST_CASE("store: messages appended on two servers at once are numbered 1..n, none lost, none doubled") {
  for_each_engine([](Engine& e) {
    auto a = e.open(), b = e.open();
    a->create_conversation(queued_conversation("cv_1"));
    std::vector<std::thread> senders;
    for (int i = 0; i < 4; ++i)
      senders.emplace_back([&, i] {
        Store& server = i % 2 ? *a : *b;
        for (int n = 0; n < 10; ++n) {
          const std::string id = std::to_string(i) + "-" + std::to_string(n);
          server.append_message({0, "cv_1", "customer", "Ana", "m" + id, "c" + id, n}, nullptr);
          server.append_message({0, "cv_1", "customer", "Ana", "m" + id, "c" + id, n}, nullptr);  // resent
        }
      });
    for (auto& t : senders) t.join();
    const auto all = a->messages_after("cv_1", 0, 100);
    REQUIRE(all.size() == 40);
    std::set<std::string> bodies;
    for (std::size_t i = 0; i < all.size(); ++i) {
      CHECK(all[i].seq == static_cast<std::int64_t>(i + 1));
      bodies.insert(all[i].body);
    }
    CHECK(bodies.size() == 40);
  });
}

TEST_CASE("store: a photo and its message are stored together, once, and counted for the rate limit") {
  for_each_store([](Store& store) {
    store.create_conversation(queued_conversation("cv_1"));
    const std::string bytes("\x89PNG\0\r\n\x1a\xff-bytes", 14);  // NUL and high bytes survive
    ChatAttachment photo{"ph_1", "cv_1", "image/png", "abc", bytes, 14, 64, 48, 100};
    auto m = store.append_message({0, "cv_1", "customer", "Ana", "", "p-1", 100}, &photo);
    CHECK(m.seq == 1);
    CHECK(m.attachment["id"] == "ph_1");
    // A resend (same client id) with another photo stores neither.
    ChatAttachment other = photo;
    other.id = "ph_2";
    auto again = store.append_message({0, "cv_1", "customer", "Ana", "", "p-1", 101}, &other);
    CHECK(again.seq == 1);
    CHECK(again.attachment["id"] == "ph_1");
    CHECK_FALSE(store.find_attachment("ph_2", false));
    auto listed = store.messages_after("cv_1", 0, 10);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].attachment == json{{"id", "ph_1"}, {"content_type", "image/png"}, {"size", 14}, {"width", 64}, {"height", 48}});
    auto found = store.find_attachment("ph_1", true);
    REQUIRE(found);
    CHECK(found->bytes == bytes);
    CHECK(found->conversation_id == "cv_1");
    CHECK(found->width == 64);
    CHECK(store.find_attachment("ph_1", false)->bytes.empty());
    CHECK(store.count_attachments("cv_1", 0) == 1);
    CHECK(store.count_attachments("cv_1", 101) == 0);
  });
}

TEST_CASE("store: a conversation changes state only from the state expected: one agent accepts it") {
  for_each_store([](Store& store) {
    ChatConversation c = queued_conversation("cv_1");
    c.customer_key_hash = "kh";
    c.packet = json{{"searches", json::array({"refund"})}};
    c.created_ms = 5;
    store.create_conversation(c);
    store.create_conversation(queued_conversation("cv_0"));  // created earlier (0 < 5): first in the queue
    const auto queue = store.conversations("queued", 10);
    REQUIRE(queue.size() == 2);
    CHECK(queue[0].id == "cv_0");
    CHECK(queue[1].packet == c.packet);
    CHECK(queue[1].customer_key_hash == "kh");
    ChatConversation taken = c;
    taken.state = "active";
    taken.agent_id = "ag_1";
    CHECK(store.change_conversation("cv_1", "queued", taken));
    taken.agent_id = "ag_2";
    CHECK_FALSE(store.change_conversation("cv_1", "queued", taken));
    CHECK(store.find_conversation("cv_1")->agent_id == "ag_1");
    CHECK(store.conversations("queued", 10).size() == 1);
    CHECK_FALSE(store.find_conversation("cv_9"));
  });
}

TEST_CASE("store: uploads that no answer names are deleted once a day old; named and recent ones stay") {
  for_each_store([](Store& store) {
    const std::int64_t day = 24LL * 3600 * 1000, now = 100 * day;
    store.create_session({"fs_1", "return-request", json{{"answers", {{"photo", "up_named"}}}}, json::object(), 0, 1, 1});
    store.create_upload({"up_named", "fs_1", "image/jpeg", "aa", std::string("\0\xff", 2), now - 2 * day});
    store.create_upload({"up_stale", "fs_1", "image/jpeg", "bb", "bytes", now - 2 * day});
    store.create_upload({"up_fresh", "fs_1", "image/jpeg", "cc", "bytes", now - day / 2});
    store.create_session({"fs_2", "return-request", json{{"step", "photo"}}, json::object(), 0, 1, 1});
    store.create_upload({"up_left", "fs_2", "image/jpeg", "dd", "bytes", now - 3 * day});
    CHECK(store.count_uploads("fs_1") == 3);
    CHECK(store.delete_unreferenced_uploads(now - day) == 2);
    CHECK(store.find_upload("up_named", true)->bytes == std::string("\0\xff", 2));
    CHECK(store.find_upload("up_fresh", false));
    CHECK_FALSE(store.find_upload("up_stale", false));
    CHECK_FALSE(store.find_upload("up_left", false));
    CHECK(store.delete_unreferenced_uploads(now - day) == 0);
  });
}

TEST_CASE("store: an account is found by email or id; an upsert changes it in place; the list is by email") {
  for_each_store([](Store& store) {
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

TEST_CASE("store: staff sessions expire, end one by one or all at once, go with their account, and hold on every server") {
  for_each_engine([](Engine& e) {
    auto store = e.open(), other = e.open();
    store->upsert_agent({"ag_1", "sam@example.com", "Sam", "hash", "agent"});
    store->create_agent_session({"t1", "ag_1", "csrf-1", 1000});
    store->create_agent_session({"t2", "ag_1", "csrf-2", 5000});
    store->create_agent_session({"t3", "ag_1", "csrf-3", 5000});
    CHECK(other->find_agent_session("t1", 999)->csrf == "csrf-1");
    CHECK_FALSE(store->find_agent_session("t1", 1000));
    other->delete_agent_session("t2");  // a logout on another server
    CHECK_FALSE(store->find_agent_session("t2", 0));
    CHECK(store->find_agent_session("t3", 0));
    store->delete_agent_sessions("ag_1");  // a new password logs everyone out
    CHECK_FALSE(other->find_agent_session("t3", 0));
    store->create_agent_session({"t4", "ag_1", "csrf-4", 5000});
    CHECK(store->delete_agent("ag_1"));
    CHECK_FALSE(store->find_agent_session("t4", 0));
    CHECK_FALSE(store->find_agent("ag_1"));
    CHECK_FALSE(store->delete_agent("ag_1"));
  });
}

TEST_CASE("store: a value is stored as given, quotes and all (parameters, never spliced SQL)") {
  for_each_store([](Store& store) {
    const std::string name = "O'Brien\"; DROP TABLE agents; --";
    store.upsert_agent({"ag_'1", "o'brien@example.com", name, "h", "agent"});
    CHECK(store.find_agent("o'brien@example.com")->name == name);
    CHECK(store.agents().size() == 1);
  });
}

TEST_CASE("store: the outbox keeps one event per key and hands each due event to one server at a time, until its lease runs out") {
  for_each_engine([](Engine& e) {
    auto a = e.open(), b = e.open();
    for (int i = 0; i < 6; ++i) a->enqueue_event({0, "conversation.opened", "key-" + std::to_string(i), json{{"n", i}}, 0, 100, 0, ""});
    b->enqueue_event({0, "conversation.opened", "key-0", json{{"n", 99}}, 0, 100, 0, ""});  // the same key again: kept once
    CHECK(a->claim_due_events(99, 1000, 10).empty());  // not due yet
    const auto first = a->claim_due_events(100, 1000, 4);
    REQUIRE(first.size() == 4);
    CHECK(first[0].key == "key-0");
    CHECK(first[0].payload == json{{"n", 0}});
    const auto second = b->claim_due_events(200, 1000, 10);  // the other server gets only what is left
    REQUIRE(second.size() == 2);
    CHECK(second[0].key == "key-4");
    CHECK(a->claim_due_events(300, 1000, 10).empty());
    // The first server delivers two and fails one, then dies holding the fourth.
    a->event_attempted(first[0].id, true, 300, 0, "");
    a->event_attempted(first[1].id, true, 300, 0, "");
    a->event_attempted(first[2].id, false, 300, 500, "HTTP 503");
    const auto retried = b->claim_due_events(500, 1000, 10);
    REQUIRE(retried.size() == 1);
    CHECK(retried[0].key == "key-2");
    CHECK(retried[0].attempts == 1);
    CHECK(retried[0].last_error == "HTTP 503");
    const auto orphaned = b->claim_due_events(1100, 1000, 10);  // the dead server's lease ran out at 1100
    REQUIRE(orphaned.size() == 1);
    CHECK(orphaned[0].key == "key-3");
  });
}

TEST_CASE("store: many servers claiming the outbox at once are each given different events") {
  for_each_engine([](Engine& e) {
    auto a = e.open(), b = e.open();
    for (int i = 0; i < 200; ++i) a->enqueue_event({0, "conversation.opened", "key-" + std::to_string(i), json::object(), 0, 0, 0, ""});
    std::mutex mu;
    std::multiset<std::string> claimed;
    std::vector<std::thread> servers;
    for (int i = 0; i < 4; ++i)
      servers.emplace_back([&, i] {
        Store& s = i % 2 ? *a : *b;
        for (;;) {
          const auto got = s.claim_due_events(10, 60000, 7);
          if (got.empty()) return;
          std::lock_guard lock(mu);
          for (const auto& ev : got) claimed.insert(ev.key);
        }
      });
    for (auto& t : servers) t.join();
    CHECK(claimed.size() == 200);
    CHECK(std::set<std::string>(claimed.begin(), claimed.end()).size() == 200);
  });
}

TEST_CASE("store: agents online are summed over servers, and a server that stops reporting stops counting") {
  for_each_engine([](Engine& e) {
    auto a = e.open(), b = e.open();
    CHECK(a->agents_online(1000, 300) == 0);
    a->set_presence("server-a", 2, 1000);
    b->set_presence("server-b", 1, 1100);
    CHECK(a->agents_online(1200, 300) == 3);
    b->set_presence("server-b", 0, 1250);  // its agent logged off
    CHECK(b->agents_online(1250, 300) == 2);
    CHECK(b->agents_online(1301, 300) == 0);  // server-a last reported at 1000: gone
  });
}

TEST_CASE("store: a NUL inside text is stored whole or refused, never cut short") {
  for_each_store([](Store& store) {
    store.create_conversation(queued_conversation("cv_1"));
    const std::string body("before\0after", 12);
    try {
      const auto m = store.append_message({0, "cv_1", "customer", "Ana", body, "c-1", 1}, nullptr);
      CHECK(store.messages_after("cv_1", 0, 10).at(0).body == body);  // SQLite keeps it
      CHECK(m.seq == 1);
    } catch (const std::exception& e) {
      CHECK(std::string(e.what()).find("NUL") != std::string::npos);  // PostgreSQL refuses it
      CHECK(store.messages_after("cv_1", 0, 10).empty());
    }
  });
}

TEST_CASE("store: an action is claimed by one request at a time, on any server, until its claim runs out or is let go") {
  for_each_engine([](Engine& e) {
    auto a = e.open(), b = e.open();
    CHECK(a->claim_action("fs_1/2/confirm", 1000, 2000));
    CHECK_FALSE(b->claim_action("fs_1/2/confirm", 1500, 2500));  // the other server waits
    CHECK(b->claim_action("fs_1/2/other", 1500, 2500));          // another action is free
    CHECK(b->claim_action("fs_1/2/confirm", 2000, 3000));        // the holder died: its claim ran out
    CHECK_FALSE(a->claim_action("fs_1/2/confirm", 2100, 3100));
    b->release_action("fs_1/2/confirm");                          // it failed: a retry may run it at once
    CHECK(a->claim_action("fs_1/2/confirm", 2200, 3200));
  });
}
