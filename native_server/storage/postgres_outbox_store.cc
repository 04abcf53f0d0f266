// The webhook outbox in PostgreSQL, delivered once across servers: a
// server claims due events with FOR UPDATE SKIP LOCKED (others skip the
// rows it holds instead of waiting) and leases them by moving their next
// attempt past the lease, so a server that dies mid-delivery lets them go.
#include "native_server/storage/postgres_store.h"

#include <algorithm>

namespace firstfix::server {

void PostgresStore::enqueue_event(const OutboundEvent& e) {
  pool_.acquire()->exec("INSERT INTO outbound_events (kind, key, payload, next_attempt_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
                        {e.kind, e.key, e.payload.dump(), e.next_attempt_ms});
}

std::vector<OutboundEvent> PostgresStore::claim_due_events(std::int64_t now_ms, std::int64_t lease_ms, size_t limit) {
  const PgResult r = pool_.acquire()->exec(
      "UPDATE outbound_events SET next_attempt_ms = $2 WHERE id IN (SELECT id FROM outbound_events "
      "WHERE delivered_ms = 0 AND next_attempt_ms <= $1 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) "
      "RETURNING id, kind, key, payload, attempts, next_attempt_ms, last_error",
      {now_ms, now_ms + lease_ms, static_cast<std::int64_t>(limit)});
  std::vector<OutboundEvent> out;
  for (int i = 0; i < r.rows(); ++i) {
    OutboundEvent e;
    e.id = r.int64(i, 0);
    e.kind = r.text(i, 1);
    e.key = r.text(i, 2);
    e.payload = nlohmann::json::parse(r.text(i, 3));
    e.attempts = static_cast<int>(r.int64(i, 4));
    e.next_attempt_ms = r.int64(i, 5);
    e.last_error = r.text(i, 6);
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const OutboundEvent& a, const OutboundEvent& b) { return a.id < b.id; });
  return out;
}

void PostgresStore::event_attempted(std::int64_t id, bool delivered, std::int64_t now_ms, std::int64_t next_attempt_ms,
                                    const std::string& error) {
  pool_.acquire()->exec(
      "UPDATE outbound_events SET attempts = attempts + 1, delivered_ms = $1, next_attempt_ms = $2, last_error = $3 WHERE id = $4",
      {delivered ? now_ms : std::int64_t{0}, next_attempt_ms, error, id});
}

}  // namespace firstfix::server
