#include "native_server/chat/chat_bus.h"

#include <doctest/doctest.h>

#include <vector>

using namespace firstfix::server;
using nlohmann::json;

TEST_CASE("chat signals: a message row travels with its signal and comes back the same; anything else is refused") {
  ChatSignal s{.kind = "message", .conversation = "cv_1", .seq = 7};
  s.message = {{"seq", 7}, {"sender", "customer"}, {"body", "hola ¿qué tal?"}};
  const ChatSignal back = ChatSignal::from_json(json::parse(s.to_json().dump()));
  CHECK(back.kind == "message");
  CHECK(back.seq == 7);
  CHECK(back.message == s.message);
  // Without a row, receivers read it: the signal is ids only.
  CHECK(ChatSignal::from_json(ChatSignal{.kind = "message", .conversation = "cv_1", .seq = 8}.to_json()).message.is_null());
  // A row that is not the signal's message is refused, not delivered.
  CHECK_THROWS_AS(ChatSignal::from_json({{"k", "message"}, {"c", "cv_1"}, {"s", 7}, {"msg", {{"seq", 6}}}}), std::invalid_argument);
  CHECK_THROWS_AS(ChatSignal::from_json({{"k", "message"}, {"c", "cv_1"}, {"s", 7}, {"msg", "text"}}), std::invalid_argument);
  CHECK_THROWS_AS(ChatSignal::from_json(json::array()), std::invalid_argument);
}

TEST_CASE("chat signals: the in-process bus hands each signal to the handler once, in order") {
  auto bus = in_process_chat_bus();
  std::vector<std::int64_t> got;
  bus->subscribe([&](const ChatSignal& s) { got.push_back(s.seq); });
  for (std::int64_t i = 1; i <= 3; ++i) bus->publish({.kind = "message", .conversation = "cv", .seq = i});
  CHECK(got == std::vector<std::int64_t>{1, 2, 3});
}
