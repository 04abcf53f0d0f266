// Live chat over real HTTP and WebSockets on loopback: a ticket when nobody
// is online; agent login (cookie + CSRF); the hand-off packet, with a flow's
// sensitive answers redacted; queue, accept, messages both ways; a
// reconnect that gets exactly what was missed; resends stored once; another
// conversation's key and foreign origins refused; close with a disposition.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { flowClient } from '../support/flow_client.mjs';
import { chatSocket } from '../support/chat_socket.mjs';

let server, api;
before(async () => { server = await startServer(); api = flowClient(server); });
after(async () => { await server?.stop(); });

const socket = (path, headers = {}) => chatSocket(server.origin, path, headers);

async function login(password = 'brightloop-agent') {
  return api.call('POST', '/agent/login', { email: 'agent@brightloop.example', password });
}

test('with nobody online a conversation becomes a ticket with an expected reply', async () => {
  const r = await api.call('POST', '/api/v1/chat/conversations', { locale: 'en', trigger: 'contact', trail: [] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.state, 'ticket');
  assert.equal(r.body.expected_reply, 'within one business day');
});

test('an agent logs in; the queue needs the cookie and changes need the CSRF token', async () => {
  assert.equal((await login('wrong')).status, 401);
  assert.equal((await api.call('GET', '/api/v1/agent/queue')).status, 401);
  const ok = await login();
  assert.equal(ok.status, 200);
  const cookie = ok.headers.get('set-cookie');
  assert.match(cookie, /^ff_agent=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict/);
  const queue = await api.call('GET', '/api/v1/agent/queue', undefined, { cookie: cookie.split(';')[0] });
  assert.equal(queue.status, 200);
  assert.equal(queue.body.agent.name, 'Sam (demo agent)');
  assert.ok(queue.body.tickets.length >= 1);
  const noCsrf = await api.call('POST', `/api/v1/agent/conversations/${queue.body.tickets[0].conversation}/accept`, undefined,
    { cookie: cookie.split(';')[0] });
  assert.equal(noCsrf.status, 403);
});

test('customer and agent chat with the full, redacted context; reconnects miss nothing and repeat nothing', async () => {
  // The customer tried a password reset first: a wrong code, twice.
  let flow = await api.start('password-reset');
  flow = await api.answer(flow, { 'verify/email': 'dev@example.com' });  // the email check is a sub-flow, called as 'verify'
  flow = await api.answer(flow, { 'verify/code': '000001' });
  flow = await api.answer(flow, { 'verify/code': '000002' });

  const login_ = await login();
  const cookie = login_.headers.get('set-cookie').split(';')[0];
  const csrf = login_.body.csrf;
  const agent = socket('/agent/ws', { cookie, origin: server.origin });
  await agent.opened;
  assert.equal((await agent.next('hello')).agent.name, 'Sam (demo agent)');
  await agent.next('queue');

  const opened = await api.call('POST', '/api/v1/chat/conversations', {
    locale: 'en', trigger: 'failures', page: `${server.origin}/articles/reset-password`,
    customer: { id: 'c-1004', email: 'dev@example.com', name: 'Dev' },
    failures: ['password-reset: wrong code', 'password-reset: wrong code'],
    trail: [
      { type: 'search', query: 'reset password', shown: ['reset-password', 'password-reset'], clicked: 'password-reset' },
      { type: 'article', id: 'reset-password', title: 'Reset your password', helpful: false },
      { type: 'flow', session: flow.session.id },
    ],
  }, { 'user-agent': 'Mozilla/5.0 (iPhone) Mobile' });
  assert.equal(opened.status, 201, opened.text);
  assert.equal(opened.body.state, 'queued');
  assert.equal(opened.body.queue_position, 1);
  const { conversation, key } = opened.body;

  // The agent sees it in the queue, and the whole hand-off packet on opening it.
  let queued;
  for (;;) {
    const q = await agent.next('queue');
    queued = q.queued.find((c) => c.conversation === conversation);
    if (queued) break;
  }
  assert.deepEqual([queued.who, queued.trigger, queued.failures, queued.first_search], ['Dev', 'failures', 2, 'reset password']);
  agent.send({ type: 'subscribe', conversation, after: 0 });
  const { packet } = await agent.next('conversation');
  assert.equal(packet.customer.claimed.email, 'dev@example.com');
  assert.equal(packet.device, 'mobile');
  assert.equal(packet.trigger, 'failures');
  assert.deepEqual(packet.trail.map((e) => e.type), ['search', 'article', 'flow']);
  assert.equal(packet.trail[2].session, flow.session.link, 'the flow is named by its public link');
  assert.ok(!JSON.stringify(packet).includes(flow.session.id), 'the session id (the customer\'s credential) is nowhere in the packet');
  const flowEntry = packet.trail[2].flow;
  assert.equal(flowEntry.title, 'Reset your password');
  assert.equal(flowEntry.answers['verify/code'], '[redacted]', 'the one-time code never reaches the agent');
  assert.equal(flowEntry.answers['verify/email'], 'dev@example.com');
  assert.equal(flowEntry.failures.length, 2);
  assert.match(flowEntry.failures[0], /didn't match/);

  // The customer connects: a wrong key is refused, the right one gets the history.
  const intruder = socket('/api/v1/chat/ws');
  await intruder.opened;
  intruder.send({ type: 'hello', conversation, key: '0'.repeat(64) });
  assert.match((await intruder.next('error')).error, /unknown conversation or wrong key/);
  await intruder.closed;
  const customer = socket('/api/v1/chat/ws');
  await customer.opened;
  customer.send({ type: 'hello', conversation, key, after: 0 });
  const welcome = await customer.next('welcome');
  assert.equal(welcome.state, 'queued');
  assert.equal(welcome.queue_position, 1);
  assert.match(welcome.messages[0].body, /Waiting for the next available person/);

  // Accept (with the CSRF token), then talk.
  const accepted = await api.call('POST', `/api/v1/agent/conversations/${conversation}/accept`, undefined, { cookie, 'x-csrf-token': csrf });
  assert.equal(accepted.status, 200, accepted.text);
  assert.equal((await customer.next('state')).state, 'active');
  agent.send({ type: 'subscribe', conversation, after: 0 });
  const view = await agent.next('conversation');
  assert.equal(view.packet.trail.length, 3);
  assert.equal(view.state, 'active');
  customer.send({ type: 'send', client_id: 'c1', body: 'Hi, the code never works' });
  let got;
  do { got = await agent.next('message'); } while (got.message.sender !== 'customer');
  assert.equal(got.message.body, 'Hi, the code never works');
  const firstSeq = got.message.seq;
  customer.send({ type: 'typing' });
  assert.equal((await agent.next('typing')).from, 'customer');
  agent.send({ type: 'send', conversation, client_id: 'a1', body: 'Hi Dev, I can see two wrong codes. Let me help.' });
  do { got = await customer.next('message'); } while (got.message.sender !== 'agent');
  assert.equal(got.message.author, 'Sam (demo agent)');
  const lastSeen = got.message.seq;

  // The customer drops; two messages arrive meanwhile; the reconnect gets exactly those.
  customer.close();
  await customer.closed;
  agent.send({ type: 'send', conversation, client_id: 'a2', body: 'I have sent you a fresh code.' });
  agent.send({ type: 'send', conversation, client_id: 'a3', body: 'It is valid for 15 minutes.' });
  do { got = await agent.next('message'); } while (got.message.client_id !== 'a3');  // both stored
  const back = socket('/api/v1/chat/ws');
  await back.opened;
  back.send({ type: 'hello', conversation, key, after: lastSeen });
  const missed = await back.next('welcome');
  assert.deepEqual(missed.messages.map((m) => m.body), ['I have sent you a fresh code.', 'It is valid for 15 minutes.']);
  // A resend (same client id) is stored once.
  back.send({ type: 'send', client_id: 'c1', body: 'Hi, the code never works' });
  const echoed = await back.next('message');
  assert.equal(echoed.message.seq, firstSeq, 'the resend answers with the stored message, not a new one');
  const all = api.store(`SELECT count(*) AS n FROM messages WHERE conversation_id = '${conversation}' AND client_id = 'c1'`);
  assert.equal(all[0].n, 1);

  // Closing needs a disposition; the customer sees it.
  const badClose = await api.call('POST', `/api/v1/agent/conversations/${conversation}/close`, { disposition: 'meh', reason_code: 'x' }, { cookie, 'x-csrf-token': csrf });
  assert.equal(badClose.status, 400);
  const closed = await api.call('POST', `/api/v1/agent/conversations/${conversation}/close`, { disposition: 'resolved', reason_code: 'password-reset-help' }, { cookie, 'x-csrf-token': csrf });
  assert.equal(closed.status, 200, closed.text);
  assert.equal((await back.next('state')).state, 'closed');
  assert.deepEqual(api.store(`SELECT state, disposition, reason_code FROM conversations WHERE id = '${conversation}'`),
    [{ state: 'closed', disposition: 'resolved', reason_code: 'password-reset-help' }]);
  back.close();
  agent.close();
});

test('agent sockets refuse other origins and missing logins', async () => {
  const cookie = (await login()).headers.get('set-cookie').split(';')[0];
  const foreign = socket('/agent/ws', { cookie, origin: 'https://evil.example' });
  await foreign.opened;
  assert.match((await foreign.next('error')).error, /same-origin only/);
  await foreign.closed;
  const anonymous = socket('/agent/ws', { origin: server.origin });
  await anonymous.opened;
  assert.match((await anonymous.next('error')).error, /log in/);
  await anonymous.closed;
});

test('bad chat requests get a 4xx JSON reason', async () => {
  for (const [body, status, reason] of [
    [{ locale: 'en', trail: [{ type: 'flow', session: 'fs_nope' }] }, 400, /no flow session 'fs_nope'/],
    [{ locale: 'en', trail: 'x' }, 400, /'trail' must be a list/],
    [{ locale: 'en', extra: 1 }, 400, /unknown field 'extra'/],
    [{ trail: [] }, 400, /'locale' is required/],
    [{ locale: 'en', trail: [{ type: 'rocket' }] }, 400, /trail\[0\]\.type must be search, article or flow/],
  ]) {
    const r = await api.call('POST', '/api/v1/chat/conversations', body);
    assert.equal(r.status, status, r.text);
    assert.match(r.body.error, reason);
  }
});

test('the queue is first come, first served, and places move up when someone is taken', async () => {
  const login_ = await login();
  const cookie = login_.headers.get('set-cookie').split(';')[0];
  const agent = socket('/agent/ws', { cookie, origin: server.origin });
  await agent.opened;
  await agent.next('hello');
  const opened = [];
  for (let i = 0; i < 3; i++) {
    const r = await api.call('POST', '/api/v1/chat/conversations', { locale: 'en', trigger: 'contact', trail: [{ type: 'search', query: `order ${i}` }] });
    opened.push(r.body);
  }
  const before = opened.map((o) => o.queue_position);
  assert.deepEqual(before.map((p) => p - before[0]), [0, 1, 2], 'each arrival joins at the end');
  const q = await api.call('GET', '/api/v1/agent/queue', undefined, { cookie });
  const ids = q.body.queued.map((c) => c.conversation);
  assert.deepEqual(ids.slice(-3), opened.map((o) => o.conversation), 'oldest first');
  // The last in line is connected; taking the first moves it up one place.
  const last = socket('/api/v1/chat/ws');
  await last.opened;
  last.send({ type: 'hello', conversation: opened[2].conversation, key: opened[2].key, after: 0 });
  const welcome = await last.next('welcome');
  assert.equal(welcome.queue_position, before[2]);
  const take = await api.call('POST', `/api/v1/agent/conversations/${opened[0].conversation}/accept`, undefined, { cookie, 'x-csrf-token': login_.body.csrf });
  assert.equal(take.status, 200);
  assert.equal((await last.next('queue')).position, before[2] - 1);
  last.close();
  agent.close();
});
