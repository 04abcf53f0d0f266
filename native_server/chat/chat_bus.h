// What one server tells every server about live chat (its own included):
// a message was stored, someone is typing, a conversation changed state,
// the queue moved. Signals carry ids; receivers read the rows from the
// store, so a signal is small and never the only copy of anything. A new
// message's signal also carries the stored row when it fits in a NOTIFY,
// so a socket that has everything before it gets it without a read.
//
// One server (SQLite): the bus is a function call. Several (PostgreSQL):
// LISTEN/NOTIFY on the shared database (storage/postgres_chat_bus.h).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace firstfix::server {

struct ChatSignal {
  // "message" (conversation, seq), "typing" (conversation, from),
  // "state" (conversation, state, agent name), "queue" (moved: whether
  // places in it changed), "resync" (the bus may have missed signals: look
  // again at everything).
  std::string kind;
  std::string conversation;
  std::int64_t seq = 0;
  std::string from, state, agent;
  bool moved = false;
  // "message": the message as stored (its seq is `seq`), as sockets get it;
  // null when it is too large to travel (then receivers read it).
  nlohmann::json message;

  nlohmann::json to_json() const;
  // Throws std::invalid_argument on anything that is not a signal.
  static ChatSignal from_json(const nlohmann::json& j);
};

// A NOTIFY payload is at most 8000 bytes; a message row travels in its
// signal only below this, leaving room for the rest of the signal.
constexpr std::size_t kMaxCarriedMessageBytes = 6000;

class ChatBus {
 public:
  using Handler = std::function<void(const ChatSignal&)>;
  virtual ~ChatBus() = default;
  // Every server's handler gets it, this one's too, once each.
  virtual void publish(const ChatSignal& signal) = 0;
  // Signals reach `handler` one at a time, in the order they were published
  // by any one server; set once, before the first publish.
  virtual void subscribe(Handler handler) = 0;
};

// One server: publish calls the handler on the caller's thread.
std::unique_ptr<ChatBus> in_process_chat_bus();

}  // namespace firstfix::server
