// Conversations, their messages and photos in PostgreSQL. Messages are
// numbered under a lock on their conversation's row, so two servers
// appending at once number them 1, 2 and never 1, 1; a conversation
// changes state only from the state expected, in the UPDATE itself.
#include "native_server/storage/postgres_store.h"

namespace firstfix::server {
namespace {

using nlohmann::json;

const char* const kConversationColumns =
    "id, customer_key_hash, state, locale, packet, agent_id, disposition, reason_code, created_ms, updated_ms";

ChatConversation conversation_at(const PgResult& r, int i) {
  ChatConversation c;
  c.id = r.text(i, 0);
  c.customer_key_hash = r.text(i, 1);
  c.state = r.text(i, 2);
  c.locale = r.text(i, 3);
  c.packet = json::parse(r.text(i, 4));
  c.agent_id = r.text(i, 5);
  c.disposition = r.text(i, 6);
  c.reason_code = r.text(i, 7);
  c.created_ms = r.int64(i, 8);
  c.updated_ms = r.int64(i, 9);
  return c;
}

json attachment_json(const std::string& id, const std::string& type, std::int64_t size, std::int64_t width, std::int64_t height) {
  return {{"id", id}, {"content_type", type}, {"size", size}, {"width", width}, {"height", height}};
}

// Messages of a conversation with their photos; `where` narrows by seq ($2).
std::vector<ChatMessage> select_messages(PgConnection& c, const std::string& where, const std::string& conversation_id, std::int64_t seq,
                                         size_t limit) {
  const PgResult r = c.exec(
      "SELECT m.seq, m.sender, m.author, m.body, m.client_id, m.created_ms, a.id, a.content_type, a.size, a.width, a.height "
      "FROM messages m LEFT JOIN chat_attachments a ON a.id = m.attachment_id WHERE m.conversation_id = $1 " +
          where + " ORDER BY m.seq LIMIT $3",
      {conversation_id, seq, static_cast<std::int64_t>(limit)});
  std::vector<ChatMessage> out;
  for (int i = 0; i < r.rows(); ++i) {
    ChatMessage m{r.int64(i, 0), conversation_id, r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.int64(i, 5)};
    if (!r.is_null(i, 6)) m.attachment = attachment_json(r.text(i, 6), r.text(i, 7), r.int64(i, 8), r.int64(i, 9), r.int64(i, 10));
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

void PostgresStore::create_conversation(const ChatConversation& c) {
  pool_.acquire()->exec(std::string("INSERT INTO conversations (") + kConversationColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        {c.id, c.customer_key_hash, c.state, c.locale, c.packet.dump(), c.agent_id, c.disposition, c.reason_code,
                         c.created_ms, c.updated_ms});
}

std::optional<ChatConversation> PostgresStore::find_conversation(const std::string& id) {
  const PgResult r = pool_.acquire()->exec(std::string("SELECT ") + kConversationColumns + " FROM conversations WHERE id = $1", {id});
  if (!r.rows()) return std::nullopt;
  return conversation_at(r, 0);
}

std::vector<ChatConversation> PostgresStore::conversations(const std::string& state, size_t limit) {
  const PgResult r = pool_.acquire()->exec(
      std::string("SELECT ") + kConversationColumns + " FROM conversations WHERE state = $1 ORDER BY created_ms, id LIMIT $2",
      {state, static_cast<std::int64_t>(limit)});
  std::vector<ChatConversation> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(conversation_at(r, i));
  return out;
}

bool PostgresStore::change_conversation(const std::string& id, const std::string& from_state, const ChatConversation& to) {
  return pool_.acquire()
             ->exec("UPDATE conversations SET state = $1, agent_id = $2, disposition = $3, reason_code = $4, updated_ms = $5, packet = $6 "
                    "WHERE id = $7 AND state = $8",
                    {to.state, to.agent_id, to.disposition, to.reason_code, to.updated_ms, to.packet.dump(), id, from_state})
             .affected() == 1;
}

ChatMessage PostgresStore::append_message(const ChatMessage& m, const ChatAttachment* photo) {
  return pool_.transaction([&](PgConnection& c) {
    // The conversation's row is the numbering's lock.
    if (!c.exec("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE", {m.conversation_id}).rows())
      throw PgError("no conversation " + m.conversation_id);
    // A resend (the same client id) is answered with what was stored; else the next number. One round trip, after the lock.
    const PgResult numbers = c.exec(
        "SELECT (SELECT seq FROM messages WHERE conversation_id = $1 AND sender = $2 AND client_id = $3), "
        "(SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE conversation_id = $1)",
        {m.conversation_id, m.sender, m.client_id});
    if (!numbers.is_null(0, 0)) {
      ChatMessage stored = select_messages(c, "AND m.seq = $2", m.conversation_id, numbers.int64(0, 0), 1).at(0);
      stored.repeated = true;
      return stored;
    }
    ChatMessage out = m;
    out.seq = numbers.int64(0, 1);
    if (photo) {
      const auto size = static_cast<std::int64_t>(photo->bytes.size());
      c.exec("INSERT INTO chat_attachments VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
             {photo->id, photo->conversation_id, photo->content_type, photo->sha256, size, photo->width, photo->height,
              PgParam::bytes(photo->bytes), photo->created_ms});
      out.attachment = attachment_json(photo->id, photo->content_type, size, photo->width, photo->height);
    }
    c.exec("INSERT INTO messages (conversation_id, seq, sender, author, body, client_id, created_ms, attachment_id) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
           {m.conversation_id, out.seq, m.sender, m.author, m.body, m.client_id, m.created_ms,
            photo ? PgParam(photo->id) : PgParam(std::nullopt)});
    return out;
  });
}

std::vector<ChatMessage> PostgresStore::messages_after(const std::string& conversation_id, std::int64_t after_seq, size_t limit) {
  return select_messages(*pool_.acquire(), "AND m.seq > $2", conversation_id, after_seq, limit);
}

std::optional<ChatAttachment> PostgresStore::find_attachment(const std::string& id, bool with_bytes) {
  const PgResult r = pool_.acquire()->exec(std::string("SELECT conversation_id, content_type, sha256, size, width, height, created_ms") +
                                               (with_bytes ? ", data" : "") + " FROM chat_attachments WHERE id = $1",
                                           {id});
  if (!r.rows()) return std::nullopt;
  ChatAttachment a;
  a.id = id;
  a.conversation_id = r.text(0, 0);
  a.content_type = r.text(0, 1);
  a.sha256 = r.text(0, 2);
  a.size = r.int64(0, 3);
  a.width = static_cast<int>(r.int64(0, 4));
  a.height = static_cast<int>(r.int64(0, 5));
  a.created_ms = r.int64(0, 6);
  if (with_bytes) a.bytes = r.bytes(0, 7);
  return a;
}

size_t PostgresStore::count_attachments(const std::string& conversation_id, std::int64_t since_ms) {
  return static_cast<size_t>(
      pool_.acquire()
          ->exec("SELECT count(*) FROM chat_attachments WHERE conversation_id = $1 AND created_ms >= $2", {conversation_id, since_ms})
          .int64(0, 0));
}

void PostgresStore::set_presence(const std::string& server_id, std::size_t agents, std::int64_t now_ms) {
  pool_.acquire()->exec(
      "INSERT INTO chat_presence VALUES ($1, $2, $3) ON CONFLICT (server_id) DO UPDATE SET agents = excluded.agents, seen_ms = excluded.seen_ms",
      {server_id, static_cast<std::int64_t>(agents), now_ms});
}

std::size_t PostgresStore::agents_online(std::int64_t now_ms, std::int64_t fresh_ms) {
  return static_cast<std::size_t>(
      pool_.acquire()->exec("SELECT coalesce(sum(agents), 0) FROM chat_presence WHERE seen_ms > $1", {now_ms - fresh_ms}).int64(0, 0));
}

}  // namespace firstfix::server
