// Chat benchmark (printed, not asserted): N concurrent conversations on
// loopback: N customer WebSockets held open plus one agent socket
// subscribed to all of them; then every customer sends messages and we
// time customer -> agent delivery (stored, then fanned out). Two setups in
// one run: one server on SQLite (the peer), and three servers on one
// PostgreSQL database, customers on two of them and the agent on the
// third, so every message crosses servers by LISTEN/NOTIFY (issue 12's
// target: p99 <= 50 ms at 1,000 conversations).
//   bash tests/bench/chat_bench.sh [CONVERSATIONS] [MESSAGES_EACH]   (default 1000, 5; starts its own PostgreSQL)
import WebSocket from 'ws';
import { readFileSync } from 'node:fs';
import { startServer, onPostgres, newPostgresDatabase } from '../support/server.mjs';

const n = Number(process.argv[2] || 1000);
const each = Number(process.argv[3] || 5);
const opened = (s) => new Promise((resolve, reject) => { s.once('open', resolve); s.once('error', reject); });
const post = (origin, path, body, headers = {}) => fetch(origin + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  .then(async (r) => ({ status: r.status, headers: r.headers, body: await r.json() }));
const rssMb = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;

// Customers connect to `customerServers` in turn; the agent to `agentServer`.
async function bench(label, customerServers, agentServer) {
  const login = await post(agentServer.origin, '/agent/login', { email: 'agent@brightloop.example', password: 'brightloop-agent' });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const agent = new WebSocket(`${agentServer.origin.replace('http', 'ws')}/agent/ws`, { headers: { cookie, origin: agentServer.origin } });
  await opened(agent);
  const sentAt = new Map();
  const latencies = [];
  let expected = 0;
  let resolveAll;
  const allArrived = new Promise((r) => { resolveAll = r; });
  agent.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.type !== 'message' || m.message.sender !== 'customer') return;
    const t0 = sentAt.get(m.message.client_id);
    if (t0 === undefined) return;
    latencies.push(performance.now() - t0);
    sentAt.delete(m.message.client_id);
    if (latencies.length === expected) resolveAll();
  });
  // The agent's presence reaches the other servers' counts (their customers then queue, not ticket).
  await new Promise((r) => setTimeout(r, 300));

  const t0 = performance.now();
  const customers = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => {
      const server = customerServers[(i + k) % customerServers.length];
      return post(server.origin, '/api/v1/chat/conversations', { locale: 'en', trigger: 'contact' }).then((r) => ({ server, r }));
    }));
    for (const { server, r } of batch) {
      const s = new WebSocket(`${server.origin.replace('http', 'ws')}/api/v1/chat/ws`);
      customers.push({ s, ready: opened(s), conversation: r.body.conversation, key: r.body.key });
    }
  }
  await Promise.all(customers.map(async (c) => {
    await c.ready;
    const welcomed = new Promise((resolve) => c.s.on('message', (d) => { if (JSON.parse(d.toString()).type === 'welcome') resolve(); }));
    c.s.send(JSON.stringify({ type: 'hello', conversation: c.conversation, key: c.key, after: 0 }));
    await welcomed;
  }));
  for (const c of customers) agent.send(JSON.stringify({ type: 'subscribe', conversation: c.conversation, after: 0 }));
  await new Promise((r) => setTimeout(r, 1000));
  const setup = performance.now() - t0;

  // Messages: each customer sends `each`, 100 every 100 ms.
  expected = n * each;
  const started = performance.now();
  for (let round = 0; round < each; round++) {
    for (let i = 0; i < customers.length; i++) {
      const id = `b${round}-${i}`;
      sentAt.set(id, performance.now());
      customers[i].s.send(JSON.stringify({ type: 'send', client_id: id, body: `message ${round} from ${i}` }));
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 100));
    }
  }
  await Promise.race([allArrived, new Promise((r) => setTimeout(r, 60000))]);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  const servers = [...new Set([...customerServers, agentServer])];
  console.log(`${label}: setup ${(setup / 1000).toFixed(1)} s; RSS ${servers.map((s) => rssMb(s.proc.pid).toFixed(0)).join(' + ')} MB`);
  console.log(`  delivered to the agent: ${latencies.length}/${expected} in ${elapsed.toFixed(1)} s (${(latencies.length / elapsed).toFixed(0)} msg/s)`);
  console.log(`  customer -> agent latency: p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`);
  for (const c of customers) c.s.close();
  agent.close();
  return { p50: pct(0.5), p99: pct(0.99), delivered: latencies.length };
}

console.log(`chat benchmark: ${n} concurrent conversations, ${each} messages each (${n} customer sockets + 1 agent socket subscribed to all), loopback, 2 cores`);
const single = await startServer({ database: 'sqlite:' });
const peer = await bench('one server, SQLite (peer)', [single], single);
await single.stop();
if (!onPostgres) {
  console.log('(three servers on PostgreSQL: run through tests/bench/chat_bench.sh)');
} else {
  const database = newPostgresDatabase();
  const [a, b, c] = await Promise.all([0, 1, 2].map(() => startServer({ database })));
  try {
    const spread = await bench('three servers on one PostgreSQL: customers on A and B, the agent on C', [a, b], c);
    console.log(`three servers / one: p99 ${(spread.p99 / peer.p99).toFixed(2)}x (target: p99 <= 50 ms)`);
  } finally {
    await Promise.all([a.stop(), b.stop(), c.stop()]);
  }
}
