// Chat benchmark (printed, not asserted): N concurrent conversations on
// loopback against `firstfix serve`: N customer WebSockets held open plus
// one agent socket subscribed to all of them; then every customer sends
// messages and we time customer -> agent delivery (stored, then fanned out).
//   node tests/bench/chat_bench.mjs [CONVERSATIONS] [MESSAGES_EACH]   (default 1000, 5)
import WebSocket from 'ws';
import { startServer } from '../support/server.mjs';

const n = Number(process.argv[2] || 1000);
const each = Number(process.argv[3] || 5);
const server = await startServer();
const ws = server.origin.replace('http', 'ws');
const post = (path, body, headers = {}) => fetch(server.origin + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  .then(async (r) => ({ status: r.status, headers: r.headers, body: await r.json() }));
const opened = (s) => new Promise((resolve, reject) => { s.once('open', resolve); s.once('error', reject); });

const login = await post('/agent/login', { email: 'agent@brightloop.example', password: 'brightloop-agent' });
const cookie = login.headers.get('set-cookie').split(';')[0];
const agent = new WebSocket(`${ws}/agent/ws`, { headers: { cookie, origin: server.origin } });
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

// Open the conversations (the agent is online, so they queue) and connect their customers.
const t0 = performance.now();
const customers = [];
for (let i = 0; i < n; i += 50) {
  const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => post('/api/v1/chat/conversations', { locale: 'en', trigger: 'contact' })));
  for (const r of batch) {
    const s = new WebSocket(`${ws}/api/v1/chat/ws`);
    customers.push({ s, ready: opened(s), conversation: r.body.conversation, key: r.body.key });
  }
}
console.error(`opened ${customers.length} conversations`);
await Promise.all(customers.map(async (c) => {
  await c.ready;
  const welcomed = new Promise((resolve) => c.s.on('message', (d) => { if (JSON.parse(d.toString()).type === 'welcome') resolve(); }));
  c.s.send(JSON.stringify({ type: 'hello', conversation: c.conversation, key: c.key, after: 0 }));
  await welcomed;
}));
for (const c of customers) agent.send(JSON.stringify({ type: 'subscribe', conversation: c.conversation, after: 0 }));
await new Promise((r) => setTimeout(r, 1000));
const setup = performance.now() - t0;
console.error(`setup done in ${(setup / 1000).toFixed(1)} s`);

// Messages: each customer sends `each`, spread over a second per round.
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
const mem = Number((await import('node:fs')).readFileSync(`/proc/${server.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
console.log(`chat benchmark: ${n} concurrent conversations (${n} customer sockets + 1 agent socket subscribed to all), loopback, 2 cores`);
console.log(`setup (open + connect + subscribe): ${(setup / 1000).toFixed(1)} s; server RSS ${mem.toFixed(0)} MB`);
console.log(`messages delivered to the agent: ${latencies.length}/${expected} in ${elapsed.toFixed(1)} s (${(latencies.length / elapsed).toFixed(0)} msg/s)`);
console.log(`customer -> agent latency: p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`);
for (const c of customers) c.s.close();
agent.close();
await server.stop();
