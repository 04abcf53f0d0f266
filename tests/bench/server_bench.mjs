// The server under the loads issue 11 names (prints figures, asserts nothing),
// each beside its peer or floor measured in the same run:
//   - flow starts during a 48-way login flood, against flow starts alone;
//   - RSS after 40 silent `hello`s on a 500-message conversation;
//   - /healthz with 2,000 idle connections open, against none, and the
//     server's CPU while they sit there.
//   node tests/bench/server_bench.mjs       (needs the native preset and the widget built)
import net from 'node:net';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { startServer } from '../support/server.mjs';
import { residentBytes, silentWebSocket } from '../support/raw_http.mjs';

const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const ms = (x) => `${x.toFixed(1)} ms`;
const cpuTicks = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
const sleep = (t) => new Promise((r) => setTimeout(r, t));

async function timed(n, f) {
  const times = [];
  for (let i = 0; i < n; ++i) {
    const t = performance.now();
    await f(i);
    times.push(performance.now() - t);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

const server = await startServer();
const { origin } = server;
const startFlow = async () => {
  const r = await fetch(`${origin}/api/v1/flows/password-reset/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (r.status !== 201) throw new Error(`flow start: ${r.status}`);
  await r.arrayBuffer();
};
try {
  // 1. Flow starts, alone and during a 48-way login flood (Argon2 on every attempt; limits raised so the flood is real work).
  await timed(20, startFlow);
  const alone = await timed(300, startFlow);
  let flooding = true, logins = 0;
  const flood = Array.from({ length: 48 }, async (_, k) => {
    while (flooding) {
      const r = await fetch(`${origin}/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `flood-${k}-${logins}@example.com`, password: 'not the password' }) });
      await r.arrayBuffer();
      ++logins;
    }
  });
  await sleep(500);
  const started = performance.now();
  const during = await timed(300, startFlow);
  const seconds = (performance.now() - started) / 1000;
  flooding = false;
  await Promise.all(flood);
  console.log(`flow start alone:          p50 ${ms(alone.p50)}, p99 ${ms(alone.p99)}`);
  console.log(`flow start, 48-way logins: p50 ${ms(during.p50)}, p99 ${ms(during.p99)} (target p99 <= 100 ms; ${(during.p99 / alone.p99).toFixed(1)}x alone; ${(logins / seconds).toFixed(0)} logins/s meanwhile)`);

  // 2. 40 silent readers of a 500-message conversation.
  const opened = await (await fetch(`${origin}/api/v1/chat/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ locale: 'en', trigger: 'contact' }) })).json();
  const writer = new WebSocket(origin.replace('http', 'ws') + '/api/v1/chat/ws');
  await new Promise((r) => writer.once('open', r));
  let last = 0;
  writer.on('message', (d) => { const m = JSON.parse(d); if (m.type === 'message') last = Math.max(last, m.message.seq); });
  writer.send(JSON.stringify({ type: 'hello', conversation: opened.conversation, key: opened.key, after: 0 }));
  for (let i = 0; i < 500; ++i) writer.send(JSON.stringify({ type: 'send', client_id: `m${i}`, body: `message ${i}: ${'words '.repeat(60)}` }));
  while (last < 500) await sleep(20);
  writer.close();
  await sleep(300);
  const before = await residentBytes(server.proc.pid);
  const readers = await Promise.all(Array.from({ length: 40 }, () => silentWebSocket(origin, '/api/v1/chat/ws')));
  for (const r of readers) r.send(JSON.stringify({ type: 'hello', conversation: opened.conversation, key: opened.key, after: 0 }));
  await sleep(2000);
  const after = await residentBytes(server.proc.pid);
  for (const r of readers) r.close();
  console.log(`40 hellos on a 500-message conversation: RSS ${(before / 1e6).toFixed(1)} -> ${(after / 1e6).toFixed(1)} MB (+${((after - before) / 1e6).toFixed(1)} MB; target <= 20 MB)`);

  // 3. /healthz with no idle connections, then with 2,000 open; the server's CPU while they idle.
  const health = async () => { const r = await fetch(`${origin}/healthz`); await r.arrayBuffer(); };
  await timed(50, health);
  const quiet = await timed(500, health);
  const { hostname, port } = new URL(origin);
  const idle = [];
  for (let i = 0; i < 2000; ++i) {
    const s = net.connect({ host: hostname, port: Number(port) });
    s.on('error', () => {});
    idle.push(s);
    if (i % 200 === 199) await sleep(50);
  }
  await Promise.all(idle.map((s) => new Promise((r) => (s.connecting ? s.once('connect', r) : r()))));
  await sleep(1000);
  const ticks0 = cpuTicks(server.proc.pid);
  await sleep(5000);
  const idleCpu = (cpuTicks(server.proc.pid) - ticks0) / 100 / 5;
  const busy = await timed(500, health);
  for (const s of idle) s.destroy();
  console.log(`/healthz, no idle connections:    p50 ${ms(quiet.p50)}, p99 ${ms(quiet.p99)}`);
  console.log(`/healthz, 2,000 idle connections: p50 ${ms(busy.p50)}, p99 ${ms(busy.p99)} (target p99 <= 50 ms); server CPU while they idle: ${(idleCpu * 100).toFixed(1)}% of a core (target < 10%)`);
} finally {
  await server.stop();
}
