#include <doctest/doctest.h>

#include <filesystem>
#include <random>

#include "native_server/demo/back_office.h"

namespace fs = std::filesystem;
using namespace firstfix::server;
using nlohmann::json;

namespace {
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("firstfix-demo-" + std::to_string(std::random_device{}()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

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

TEST_CASE("the demo back office's catalog names exactly the operations it serves") {
  TempDir dir;
  DemoBackOffice office((dir.path / "demo.db").string());
  for (const auto& entry : DemoBackOffice::catalog().connectors) {
    CHECK_MESSAGE(office.problem(entry.first) == "", entry.first);
    CHECK_FALSE(entry.second.outcomes.empty());
  }
  CHECK(office.problem("demo.no_such_thing") != "");
  // What it answers is what the catalog says it answers, with the keys it promises.
  auto sent = office.run({"demo.send_code", {{"email", "ana@example.com"}}, "k1", "f", "s"});
  CHECK(sent.data.contains("email_masked"));
  auto lost = office.run({"demo.track_order", {{"order", "BL-00000"}, {"email", "ana@example.com"}}, "k2", "f", "s"});
  CHECK(lost.outcome == "not_found");
}
