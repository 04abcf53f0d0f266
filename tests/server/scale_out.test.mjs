// Several servers on one PostgreSQL database (runs in server_api_postgres;
// skipped on SQLite, where one server owns its files): a flow started on one
// server continues on another; answers racing on two servers give one
// action and one 409; a staff login holds on every server; a customer on
// one server chats with an agent on another, typing and queue included; a
// socket that reconnects to another server catches up by message number;
// the webhook outbox is delivered once however many servers deliver it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, onPostgres, newPostgresDatabase } from '../support/server.mjs';
import { flowClient, weekdayFromToday } from '../support/flow_client.mjs';
import { chatSocket } from '../support/chat_socket.mjs';

const skip = onPostgres ? false : 'needs PostgreSQL (server_api_postgres runs it)';
let database, a, b, apiA, apiB;
before(async () => {
  if (skip) return;
  database = newPostgresDatabase();
  [a, b] = await startTogether([{ database }, { database }]);
  apiA = flowClient(a);
  apiB = flowClient(b);
});
after(async () => { await Promise.all([a?.stop(), b?.stop()]); });

// Servers started at once (as a deployment's would be: they race to migrate
// the database); if one fails, the others are stopped before the error passes on.
async function startTogether(options) {
  const settled = await Promise.allSettled(options.map((o) => startServer(o)));
  const failed = settled.find((s) => s.status === 'rejected');
  if (!failed) return settled.map((s) => s.value);
  await Promise.all(settled.filter((s) => s.status === 'fulfilled').map((s) => s.value.stop()));
  throw failed.reason;
}

const login = (api) => api.call('POST', '/agent/login', { email: 'agent@brightloop.example', password: 'brightloop-agent' });

test('a flow session started on one server continues on another, to its done state', { skip }, async () => {
  let r = await apiA.start('appointment-reschedule');
  r = await apiA.answer(r, { booking: 'AP-2003', email: 'carmen@example.com' });
  assert.equal(r.step.id, 'when');
  const resumed = await apiB.get(r);
  assert.equal(resumed.step.id, 'when');
  r = await apiB.answer(resumed, { date: weekdayFromToday(9), time: '08:00' });
  r = await apiA.answer(r, { confirm: true });
  assert.equal(r.session.done_state, 'resolved');
});

test('answers racing on two servers: one action, every other answer a 409', { skip }, async () => {
  let r = await apiA.start('appointment-reschedule');
  r = await apiA.answer(r, { booking: 'AP-2002', email: 'ben@example.com' });
  r = await apiB.answer(r, { date: weekdayFromToday(20), time: '12:00' });
  const results = await Promise.all([apiA, apiB, apiA, apiB].map((api) =>
    api.call('POST', `/api/v1/sessions/${r.session.id}/answers`, { step: r.step.id, answers: { confirm: true } })));
  const statuses = results.map((x) => x.status).sort();
  assert.deepEqual(statuses, [200, 409, 409, 409]);
  // A losing answer may read the winner's journal entry (audited as a replay) before its own update is refused.
  const runs = apiA.store(`SELECT count(*) AS n FROM audit_log WHERE session_id = '${r.session.id}' AND connector = 'demo.reschedule_appointment' AND replayed = false`);
  assert.equal(runs[0].n, 1, 'the reschedule ran once, on one server');
  assert.equal((await apiB.get(r)).session.done_state, 'resolved');
});

test('a staff login made on one server holds on the other, and a logout ends it on both', { skip }, async () => {
  const ok = await login(apiA);
  assert.equal(ok.status, 200);
  const cookie = ok.headers.get('set-cookie').split(';')[0];
  assert.equal((await apiB.call('GET', '/api/v1/agent/queue', undefined, { cookie })).status, 200);
  const out = await apiB.call('POST', '/agent/logout', undefined, { cookie, 'x-csrf-token': ok.body.csrf });
  assert.ok(out.status < 300, out.text);
  assert.equal((await apiA.call('GET', '/api/v1/agent/queue', undefined, { cookie })).status, 401);
});

test('a customer on one server and an agent on another: queue, messages both ways, typing, and a reconnect to the other server', { skip }, async () => {
  const ok = await login(apiB);
  const cookie = ok.headers.get('set-cookie').split(';')[0];
  const agent = chatSocket(b.origin, '/agent/ws', { cookie, origin: b.origin });
  await agent.opened;
  await agent.next('hello');

  // The agent is on B only: a conversation opened on A is queued for them, not a ticket.
  const opened = await apiA.call('POST', '/api/v1/chat/conversations', { locale: 'en', trigger: 'contact', trail: [] });
  assert.equal(opened.status, 201, opened.text);
  assert.equal(opened.body.state, 'queued');
  const { conversation, key } = opened.body;
  await agent.until('queue', (q) => q.queued.some((c) => c.conversation === conversation));

  const customer = chatSocket(a.origin, '/api/v1/chat/ws');
  await customer.opened;
  customer.send({ type: 'hello', conversation, key, after: 0 });
  assert.equal((await customer.next('welcome')).state, 'queued');

  const accepted = await apiB.call('POST', `/api/v1/agent/conversations/${conversation}/accept`, undefined, { cookie, 'x-csrf-token': ok.body.csrf });
  assert.equal(accepted.status, 200, accepted.text);
  assert.equal((await customer.next('state')).state, 'active');
  agent.send({ type: 'subscribe', conversation, after: 0 });
  await agent.next('conversation');

  customer.send({ type: 'send', client_id: 'c1', body: 'Hello from server A' });
  assert.equal((await agent.until('message', (m) => m.message.sender === 'customer')).message.body, 'Hello from server A');
  customer.send({ type: 'typing' });
  assert.equal((await agent.next('typing')).conversation, conversation);
  agent.send({ type: 'typing', conversation });
  assert.equal((await customer.next('typing')).from, 'agent');
  agent.send({ type: 'send', conversation, client_id: 'a1', body: 'Hello from server B' });
  const reply = await customer.until('message', (m) => m.message.sender === 'agent');
  assert.equal(reply.message.body, 'Hello from server B');
  // A message too large to travel in its NOTIFY (4,000 two-byte characters) is read from the store instead.
  const long = 'é'.repeat(4000);
  agent.send({ type: 'send', conversation, client_id: 'a-long', body: long });
  const longOne = await customer.until('message', (m) => m.message.client_id === 'a-long');
  assert.equal(longOne.message.body, long);

  // The customer drops from A; the agent writes twice; the customer comes back on B and gets exactly those.
  customer.close();
  await customer.closed;
  agent.send({ type: 'send', conversation, client_id: 'a2', body: 'Two' });
  agent.send({ type: 'send', conversation, client_id: 'a3', body: 'Three' });
  await agent.until('message', (m) => m.message.client_id === 'a3');
  const back = chatSocket(b.origin, '/api/v1/chat/ws');
  await back.opened;
  back.send({ type: 'hello', conversation, key, after: longOne.message.seq });
  assert.deepEqual((await back.next('welcome')).messages.map((m) => m.body), ['Two', 'Three']);
  // Live again, in order, each once, wherever it was written.
  for (let i = 0; i < 20; i++) {
    (i % 2 ? back : agent).send(i % 2 ? { type: 'send', client_id: `c-${i}`, body: `m${i}` } : { type: 'send', conversation, client_id: `a-${i}`, body: `m${i}` });
  }
  const seen = [];
  while (seen.length < 20) {
    const m = await back.next('message');
    if (/^m\d+$/.test(m.message.body)) seen.push(m.message.seq);
  }
  assert.deepEqual(seen, [...seen].sort((x, y) => x - y), 'in order');
  assert.equal(new Set(seen).size, 20, 'each once');
  back.close();
  agent.close();
});

test('the helpdesk outbox is delivered once, whichever server delivers it', { skip }, async () => {
  // A receiver that records each event id it is given.
  const received = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { received.push(JSON.parse(body).id); res.writeHead(200).end('{}'); });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'firstfix-hook-'));
  const connectors = join(dir, 'connectors.yaml');
  writeFileSync(connectors, `webhooks:\n  crm:\n    url: http://127.0.0.1:${hook.address().port}/events\n    secret_env: CRM_SECRET\n` +
    'handoff:\n  webhook: crm\n  backoff_ms: 50\n');
  const shared = newPostgresDatabase();
  const servers = await startTogether([0, 1, 2].map(() =>
    ({ database: shared, args: ['--connectors', connectors], env: { CRM_SECRET: 'test-signing-secret' } })));
  try {
    const api = flowClient(servers[0]);
    const ids = [];
    for (let i = 0; i < 12; i++) {
      const r = await flowClient(servers[i % 3]).call('POST', '/api/v1/chat/conversations', { locale: 'en', trigger: 'contact', trail: [] });
      assert.equal(r.status, 201, r.text);
      ids.push(`${r.body.conversation}:opened`);
    }
    for (let i = 0; i < 100 && received.length < ids.length; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));  // time for any second delivery to show
    assert.deepEqual([...received].sort(), [...ids].sort(), 'every event once');
    assert.equal(api.store("SELECT count(*) AS n FROM outbound_events WHERE delivered_ms = 0")[0].n, 0);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
