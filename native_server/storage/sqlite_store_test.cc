#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <filesystem>

#include "native_server/demo/back_office.h"
#include "native_server/storage/sqlite_schema.h"
#include "native_server/storage/store.h"

namespace fs = std::filesystem;
using namespace firstfix::server;
using nlohmann::json;

namespace {
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("firstfix-store-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};
ChatConversation queued_conversation(const std::string& id) {
  ChatConversation c;
  c.id = id;
  c.state = "queued";
  c.locale = "en";
  return c;
}
}  // namespace

TEST_CASE("a session update is compare-and-swap: a stale version writes nothing") {
  TempDir dir;
  auto store = open_sqlite_store((dir.path / "s.db").string());
  store->create_session({"s1", "flow", json{{"step", "a"}}, json{{"page", "/orders"}}, 0, 1, 1});
  CHECK(store->update_session("s1", json{{"step", "b"}}, 0, 2, "k1", json{{"reply", 1}}));
  CHECK_FALSE(store->update_session("s1", json{{"step", "c"}}, 0, 3, "k2", json{{"reply", 2}}));
  auto s = store->find_session("s1");
  REQUIRE(s);
  CHECK(s->state["step"] == "b");
  CHECK(s->version == 1);
  CHECK(s->context == json{{"page", "/orders"}});
  CHECK(store->find_reply("s1", "k1") == json{{"reply", 1}});
  CHECK_FALSE(store->find_reply("s1", "k2"));
  CHECK_FALSE(store->find_session("nope"));
}

TEST_CASE("the audit log is append-only, and survives reopening") {
  TempDir dir;
  const auto path = (dir.path / "s.db").string();
  {
    auto store = open_sqlite_store(path);
    AuditEntry e;
    e.session_id = "s1";
    e.connector = "demo.x";
    e.outcome = "ok";
    store->record_action({"key-1", "ok", json{{"n", 1}}}, e);
    CHECK(store->find_action("key-1")->data == json{{"n", 1}});
  }
  auto store = open_sqlite_store(path);
  REQUIRE(store->audit_log("s1", 10).size() == 1);
  SQLite::Database raw(path, SQLite::OPEN_READWRITE);
  CHECK_THROWS_WITH(raw.exec("UPDATE audit_log SET outcome = 'changed'"), doctest::Contains("append-only"));
  CHECK_THROWS_WITH(raw.exec("DELETE FROM audit_log"), doctest::Contains("append-only"));
}

TEST_CASE("a database from a newer firstfix is refused by name") {
  TempDir dir;
  const auto path = (dir.path / "s.db").string();
  { SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE).exec("PRAGMA user_version = 99"); }
  const std::string expected = path + ": schema version 99 is newer";
  CHECK_THROWS_WITH(open_sqlite_store(path), doctest::Contains(expected.c_str()));
}

TEST_CASE("the demo back office runs an idempotency key once and answers a replay from its record") {
  TempDir dir;
  DemoBackOffice office((dir.path / "demo.db").string());
  ActionRequest send{"demo.send_code", {{"email", "ana@example.com"}}, "key-1", "f", "s"};
  CHECK(office.run(send).outcome == "sent");
  CHECK(office.run(send).outcome == "sent");
  CHECK(office.outbox(10).size() == 1);  // one email, not two
  send.idempotency_key = "key-2";
  office.run(send);
  CHECK(office.outbox(10).size() == 2);
  CHECK_THROWS_AS(office.run({"demo.no_such_thing", json::object(), "k", "f", "s"}), ConnectorError);
  CHECK_THROWS_WITH(office.run({"demo.track_order", {{"order", "BL-10421"}}, "k3", "f", "s"}), doctest::Contains("input 'email'"));
}

TEST_CASE("the demo back office does not reveal whether an email has an account") {
  TempDir dir;
  DemoBackOffice office((dir.path / "demo.db").string());
  auto known = office.run({"demo.send_code", {{"email", "ana@example.com"}}, "a", "f", "s"});
  auto unknown = office.run({"demo.send_code", {{"email", "nobody@example.com"}}, "b", "f", "s"});
  CHECK(known.outcome == unknown.outcome);
  CHECK(office.outbox(10).size() == 1);
  CHECK(office.run({"demo.verify_code", {{"email", "nobody@example.com"}, {"code", "123456"}}, "c", "f", "s"}).outcome == "expired");
}

TEST_CASE("chat messages are numbered per conversation and a resend is stored once") {
  TempDir dir;
  auto store = open_sqlite_store((dir.path / "s.db").string());
  store->create_conversation(queued_conversation("cv_1"));
  auto m1 = store->append_message({0, "cv_1", "customer", "Ana", "hello", "c-1", 10}, nullptr);
  auto m2 = store->append_message({0, "cv_1", "agent", "Sam", "hi Ana", "a-1", 11}, nullptr);
  auto again = store->append_message({0, "cv_1", "customer", "Ana", "hello (resent)", "c-1", 12}, nullptr);
  CHECK(m1.seq == 1);
  CHECK(m2.seq == 2);
  CHECK(again.seq == 1);
  CHECK(again.body == "hello");  // the first one stands
  auto after = store->messages_after("cv_1", 1, 10);
  REQUIRE(after.size() == 1);
  CHECK(after[0].body == "hi Ana");
  CHECK(store->messages_after("cv_1", 0, 10).size() == 2);
}

TEST_CASE("a photo and its message are stored together, once, and counted for the rate limit") {
  TempDir dir;
  auto store = open_sqlite_store((dir.path / "s.db").string());
  store->create_conversation(queued_conversation("cv_1"));
  ChatAttachment photo{"ph_1", "cv_1", "image/png", "abc", std::string("\x89PNG-bytes", 10), 10, 64, 48, 100};
  auto m = store->append_message({0, "cv_1", "customer", "Ana", "", "p-1", 100}, &photo);
  CHECK(m.seq == 1);
  CHECK(m.attachment["id"] == "ph_1");
  // A resend (same client id) with another photo stores neither.
  ChatAttachment other = photo;
  other.id = "ph_2";
  auto again = store->append_message({0, "cv_1", "customer", "Ana", "", "p-1", 101}, &other);
  CHECK(again.seq == 1);
  CHECK(again.attachment["id"] == "ph_1");
  CHECK_FALSE(store->find_attachment("ph_2", false));
  auto listed = store->messages_after("cv_1", 0, 10);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].attachment == nlohmann::json{{"id", "ph_1"}, {"content_type", "image/png"}, {"size", 10}, {"width", 64}, {"height", 48}});
  auto found = store->find_attachment("ph_1", true);
  REQUIRE(found);
  CHECK(found->bytes == photo.bytes);
  CHECK(found->conversation_id == "cv_1");
  CHECK(store->find_attachment("ph_1", false)->bytes.empty());
  CHECK(store->count_attachments("cv_1", 0) == 1);
  CHECK(store->count_attachments("cv_1", 101) == 0);
}

TEST_CASE("a conversation changes state only from the state expected: one agent accepts it") {
  TempDir dir;
  auto store = open_sqlite_store((dir.path / "s.db").string());
  store->create_conversation(queued_conversation("cv_1"));
  ChatConversation taken = queued_conversation("cv_1");
  taken.state = "active";
  taken.agent_id = "ag_1";
  CHECK(store->change_conversation("cv_1", "queued", taken));
  taken.agent_id = "ag_2";
  CHECK_FALSE(store->change_conversation("cv_1", "queued", taken));
  CHECK(store->find_conversation("cv_1")->agent_id == "ag_1");
  CHECK(store->conversations("queued", 10).empty());
}


TEST_CASE("uploads that no answer names are deleted once a day old; named and recent ones stay") {
  TempDir dir;
  auto store = open_sqlite_store((dir.path / "s.db").string());
  const std::int64_t day = 24LL * 3600 * 1000, now = 100 * day;
  store->create_session({"fs_1", "return-request", json{{"answers", {{"photo", "up_named"}}}}, json::object(), 0, 1, 1});
  store->create_upload({"up_named", "fs_1", "image/jpeg", "aa", "bytes", now - 2 * day});
  store->create_upload({"up_stale", "fs_1", "image/jpeg", "bb", "bytes", now - 2 * day});
  store->create_upload({"up_fresh", "fs_1", "image/jpeg", "cc", "bytes", now - day / 2});
  store->create_session({"fs_2", "return-request", json{{"step", "photo"}}, json::object(), 0, 1, 1});
  store->create_upload({"up_left", "fs_2", "image/jpeg", "dd", "bytes", now - 3 * day});
  CHECK(store->delete_unreferenced_uploads(now - day) == 2);
  CHECK(store->find_upload("up_named", false));
  CHECK(store->find_upload("up_fresh", false));
  CHECK_FALSE(store->find_upload("up_stale", false));
  CHECK_FALSE(store->find_upload("up_left", false));
  CHECK(store->delete_unreferenced_uploads(now - day) == 0);
}
