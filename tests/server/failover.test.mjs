// Three servers on one PostgreSQL behind Debian's haproxy (on loopback),
// killed with kill -9 and restarted one at a time while customers run
// flows, send widget events and chat with an agent, all through haproxy.
// Clients do what the widget does when a request fails: send it again with
// the same Idempotency-Key, event ids or message client_id. Afterwards every
// acknowledged answer, action, event and message is stored exactly once,
// and the agent (its socket also through haproxy, so it too moves between
// servers) saw every customer message in order. Runs in
// server_api_postgres; skipped on SQLite, where one server owns its files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, onPostgres, newPostgresDatabase, repo } from '../support/server.mjs';
import { flowClient, weekdayFromToday } from '../support/flow_client.mjs';
import { chatSocket } from '../support/chat_socket.mjs';

const skip = onPostgres ? false : 'needs PostgreSQL (server_api_postgres runs it)';
// haproxy's certificate is made by this test, so this process trusts it (loopback only).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

// haproxy in the foreground with deploy/haproxy.cfg, the README's: TLS on
// `port` with a self-signed certificate made here, the three servers behind.
async function startHaproxy(port, backends, dir) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
  writeFileSync(join(dir, 'haproxy.pem'), readFileSync(join(dir, 'cert.pem'), 'utf8') + readFileSync(join(dir, 'key.pem'), 'utf8'));
  const env = { ...process.env, FIRSTFIX_HTTPS: `127.0.0.1:${port}`, FIRSTFIX_HTTP: `127.0.0.1:${await freePort()}`,
    FIRSTFIX_CERT: join(dir, 'haproxy.pem'), ...Object.fromEntries(backends.map((p, i) => [`FIRSTFIX_SERVER_${i + 1}`, `127.0.0.1:${p}`])) };
  const proc = spawn('haproxy', ['-db', '-f', join(repo, 'deploy/haproxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const origin = `https://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return { proc, origin, plain: `http://${env.FIRSTFIX_HTTP}`, output: () => output };
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  proc.kill();
  throw new Error(`haproxy did not start: ${output}`);
}

// A request sent again (same body, same key) until it gets an answer that is not a proxy's or a dying server's.
async function persist(send, what, deadline) {
  let last;
  while (Date.now() < deadline) {
    try {
      last = await send();
      if (last.status < 500) return last;
    } catch (e) { last = e; }
    await sleep(100);
  }
  throw new Error(`${what}: no answer before the deadline (last: ${last?.status ?? last})`);
}

test('kill -9 of one server at a time behind haproxy: nothing acknowledged is lost or doubled', { skip, timeout: 240000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'firstfix-failover-'));
  const database = newPostgresDatabase();
  const ports = [await freePort(), await freePort(), await freePort()];
  const serve = (port, data) => startServer({ database, port, data, args: ['--trust-proxy', '127.0.0.1'] });
  const servers = await Promise.all(ports.map((port) => serve(port)));
  const proxy = await startHaproxy(await freePort(), ports, dir);
  const api = flowClient({ origin: proxy.origin, database });
  const stats = { kills: 0, flows: 0, answers: 0, actions: 0, events: 0, messages: 0, retries: 0, held: 0 };
  let stopping = false;
  const deadline = Date.now() + 200000;
  try {
    // The agent and one customer conversation, accepted.
    const login = await persist(() => api.call('POST', '/agent/login', { email: 'agent@brightloop.example', password: 'brightloop-agent' }), 'login', deadline);
    assert.equal(login.status, 200, login.text);
    const cookie = login.headers.get('set-cookie').split(';')[0];
    const opened = await persist(() => api.call('POST', '/api/v1/chat/conversations', { locale: 'en', trigger: 'contact', trail: [] }), 'open', deadline);
    assert.equal(opened.status, 201, opened.text);
    const { conversation, key } = opened.body;
    // Plain HTTP is only a redirect to HTTPS.
    const plain = await fetch(`${proxy.plain}/healthz`, { redirect: 'manual' });
    assert.equal(plain.status, 301);
    assert.equal(plain.headers.get('location'), `https://${new URL(proxy.plain).host}/healthz`);

    // The agent's view: every message by seq, through reconnects (each catches up after the last seq seen).
    const agentSaw = [];
    let agentSeq = 0;
    let agentWs;
    const agentLoop = (async () => {
      while (!stopping) {
        const ws = agentWs = chatSocket(proxy.origin, '/agent/ws', { cookie, origin: proxy.origin });
        try {
          await ws.opened;
          await ws.next('hello', 3000);
          ws.send({ type: 'subscribe', conversation, after: agentSeq });
          const take = (list) => {
            for (const m of list) {
              if (m.seq <= agentSeq) continue;
              assert.equal(m.seq, agentSeq + 1, `the agent got seq ${m.seq} after ${agentSeq}`);
              agentSeq = m.seq;
              if (m.sender === 'customer') agentSaw.push(m.client_id);
            }
          };
          let page = await ws.next('conversation', 3000);
          take(page.messages);
          while (page.more) {
            ws.send({ type: 'history', conversation, after: agentSeq });
            page = await ws.next('history', 3000);
            take(page.messages);
          }
          while (ws.ws.readyState === ws.ws.OPEN) {
            const m = await ws.next('message', 1000).catch(() => null);  // none for a second: still open?
            if (m) take([m.message]);
          }
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
        } finally {
          ws.close();
        }
        await sleep(100);
      }
    })();

    const accepted = await persist(() => api.call('POST', `/api/v1/agent/conversations/${conversation}/accept`, undefined,
      { cookie, 'x-csrf-token': login.body.csrf }), 'accept', deadline);
    assert.equal(accepted.status, 200, accepted.text);

    // The customer sends messages one at a time, each acknowledged by its echo (with its seq);
    // after a dropped socket it reconnects through haproxy and sends the unacknowledged one again.
    const acked = [];
    const customerLoop = (async () => {
      let seq = 0;
      let i = 0;
      while (!stopping) {
        const ws = chatSocket(proxy.origin, '/api/v1/chat/ws');
        try {
          await ws.opened;
          ws.send({ type: 'hello', conversation, key, after: seq });
          for (const m of (await ws.next('welcome', 3000)).messages) seq = Math.max(seq, m.seq);
          while (!stopping) {
            const clientId = `c-${i}`;
            ws.send({ type: 'send', client_id: clientId, body: `message ${i}` });
            const echo = await ws.until('message', (m) => m.message.client_id === clientId, 3000);
            seq = Math.max(seq, echo.message.seq);
            acked.push(clientId);
            i += 1;
            await sleep(50);
          }
        } catch { stats.retries += 1; } finally { ws.close(); }
        await sleep(100);
      }
    })();

    // Flows: reschedule appointments (an action in the back office), each answer with its own Idempotency-Key.
    const flowSessions = [];
    const flowLoop = async (worker) => {
      for (let n = 0; !stopping; n++) {
        try {
          const started = await persist(() => api.call('POST', '/api/v1/flows/appointment-reschedule/sessions', {}), 'start', deadline);
          if (started.status !== 201) continue;
          let reply = started.body;
          const steps = [{ booking: 'AP-2003', email: 'carmen@example.com' }, { date: weekdayFromToday(9 + ((worker + n) % 20)), time: '08:00' }, { confirm: true }];
          const keys = [];
          for (let s = 0; s < steps.length; s++) {
            const idempotencyKey = `w${worker}-n${n}-s${s}-${reply.session.id}`;
            const r = await persist(() => api.call('POST', `/api/v1/sessions/${reply.session.id}/answers`, { step: reply.step.id, answers: steps[s] },
              { 'Idempotency-Key': idempotencyKey }), 'answer', deadline);
            if (r.status === 409 && /being completed in another request/.test(r.body?.error)) {
              // The server that claimed this action was killed while running it: whether it happened is
              // unknown, so it stays claimed (10 minutes) rather than risk running twice. Not acknowledged.
              stats.held += 1;
              break;
            }
            assert.equal(r.status, 200, `answer ${s} of ${reply.session.id}: ${r.text}`);
            keys.push(idempotencyKey);
            stats.answers += 1;
            reply = r.body;
          }
          if (keys.length < steps.length) continue;
          assert.equal(reply.session.done_state, 'resolved', JSON.stringify(reply));
          flowSessions.push({ id: reply.session.id, keys });
          stats.flows += 1;
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          stats.retries += 1;
        }
      }
    };

    // Widget events: batches of 10 with fixed ids, sent again until stored (500 to a visit: under its cap).
    const ackedEvents = new Set();
    const eventLoop = (async () => {
      const at = Date.now() - 3600000;
      for (let b = 0; !stopping; b++) {
        const events = Array.from({ length: 10 }, (_, k) => ({ id: `failover-${b}-${k}`, visit: `fo-visit-${Math.floor(b / 50)}`, at: at + b * 10 + k, seq: b * 10 + k,
          locale: 'en', type: 'search', query: `printer ${b}`, results: 1, search_id: `s-${b}-${k}` }));
        const r = await persist(() => api.call('POST', '/api/v1/events', JSON.stringify({ events }), { 'content-type': 'text/plain' }), 'events', deadline);
        assert.equal(r.status, 200, r.text);
        // A resend after a lost answer finds some or all of them stored already.
        assert.equal(r.body.accepted + r.body.duplicates, events.length, r.text);
        for (const e of events) ackedEvents.add(e.id);
        await sleep(20);
      }
    })();

    // Chaos: every 2.5 s one server is killed with -9, and restarted on its port a second later.
    const chaos = (async () => {
      for (let k = 0; k < 6; k++) {
        await sleep(2500);
        const i = k % servers.length;
        await servers[i].crash();
        stats.kills += 1;
        await sleep(1000);
        servers[i] = await serve(ports[i], servers[i].data);
      }
      await sleep(2000);
    })();
    const flows = [0, 1, 2].map((w) => flowLoop(w));
    await chaos;
    stopping = true;
    await Promise.all([...flows, customerLoop, eventLoop]);
    // The agent's socket: give it time to catch up on the last messages, then let it go.
    for (let i = 0; i < 100 && agentSaw.length < acked.length; i++) await sleep(100);
    agentWs?.close();
    await agentLoop;

    stats.actions = flowSessions.length;
    stats.events = ackedEvents.size;
    stats.messages = acked.length;
    console.log(`failover: ${JSON.stringify(stats)}`);
    assert.ok(stats.flows >= 3 && stats.messages >= 10 && stats.events >= 100, `work went on between the kills: ${JSON.stringify(stats)}`);
    assert.ok(stats.held <= 3 * stats.kills, `only actions running at a kill stay held: ${JSON.stringify(stats)}`);

    // Every acknowledged action ran once (its audited runs, replays aside), and every answer is journaled once.
    const runs = api.store(`SELECT session_id, count(*) AS n FROM audit_log WHERE connector = 'demo.reschedule_appointment' AND replayed = false GROUP BY session_id`);
    const runsOf = new Map(runs.map((r) => [r.session_id, Number(r.n)]));
    for (const s of flowSessions) assert.equal(runsOf.get(s.id), 1, `session ${s.id}: the reschedule ran ${runsOf.get(s.id) ?? 0} times`);
    const journaled = new Map(api.store(`SELECT session_id, count(*) AS n FROM replies GROUP BY session_id`).map((r) => [r.session_id, Number(r.n)]));
    for (const s of flowSessions) assert.equal(journaled.get(s.id), s.keys.length, `session ${s.id}: ${s.keys.length} answers journaled once each`);
    // Every acknowledged event is stored (once: the id is the key), and the reports count what is stored.
    const stored = new Set(api.store(`SELECT id FROM events WHERE id LIKE 'failover-%'`).map((r) => r.id));
    for (const id of ackedEvents) assert.ok(stored.has(id), `event ${id} was acknowledged and is not stored`);
    const searchRows = Number(api.store(`SELECT count(*) AS n FROM searches WHERE visit LIKE 'fo-visit-%'`)[0].n);
    assert.equal(searchRows, stored.size, 'every stored search event is in the summaries once');
    // Every acknowledged message is stored once, and the agent saw them all, in order.
    const messages = api.store(`SELECT client_id, count(*) AS n FROM messages WHERE conversation_id = '${conversation}' AND sender = 'customer' GROUP BY client_id`);
    const copies = new Map(messages.map((m) => [m.client_id, Number(m.n)]));
    for (const id of acked) assert.equal(copies.get(id), 1, `message ${id}: ${copies.get(id) ?? 0} copies`);
    const sawAcked = agentSaw.filter((id) => acked.includes(id));
    assert.deepEqual(sawAcked, acked, 'the agent saw every acknowledged message, in order');
    assert.equal(new Set(agentSaw).size, agentSaw.length, 'and none twice');
  } finally {
    stopping = true;
    proxy.proc.kill();
    await Promise.all(servers.map((s) => s.stop({ keepData: false }).catch(() => {})));
    rmSync(dir, { recursive: true, force: true });
  }
});
