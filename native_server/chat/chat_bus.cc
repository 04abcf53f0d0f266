#include "native_server/chat/chat_bus.h"

#include <mutex>
#include <stdexcept>

namespace firstfix::server {

using nlohmann::json;

json ChatSignal::to_json() const {
  json j = {{"k", kind}};
  if (!conversation.empty()) j["c"] = conversation;
  if (seq) j["s"] = seq;
  if (!from.empty()) j["f"] = from;
  if (!state.empty()) j["st"] = state;
  if (!agent.empty()) j["a"] = agent;
  if (moved) j["m"] = true;
  if (!message.is_null()) j["msg"] = message;
  return j;
}

ChatSignal ChatSignal::from_json(const json& j) {
  if (!j.is_object() || !j.contains("k") || !j["k"].is_string()) throw std::invalid_argument("a chat signal is an object with a kind");
  ChatSignal s;
  s.kind = j["k"];
  s.conversation = j.value("c", "");
  s.seq = j.value("s", std::int64_t{0});
  s.from = j.value("f", "");
  s.state = j.value("st", "");
  s.agent = j.value("a", "");
  s.moved = j.value("m", false);
  if (const auto m = j.find("msg"); m != j.end()) {
    if (!m->is_object() || !m->contains("seq") || (*m)["seq"] != s.seq)
      throw std::invalid_argument("a chat signal's message is an object with the signal's seq");
    s.message = *m;
  }
  return s;
}

namespace {

class InProcessChatBus final : public ChatBus {
 public:
  void publish(const ChatSignal& signal) override {
    // One at a time, as on PostgreSQL.
    std::lock_guard lock(mu_);
    if (handler_) handler_(signal);
  }
  void subscribe(Handler handler) override { handler_ = std::move(handler); }

 private:
  std::recursive_mutex mu_;  // a handler may publish (a message's delivery never does, but nothing forbids it)
  Handler handler_;
};

}  // namespace

std::unique_ptr<ChatBus> in_process_chat_bus() { return std::make_unique<InProcessChatBus>(); }

}  // namespace firstfix::server
