// The HTTP webhook connector against real local receivers: a signed request
// the receiver verifies, retries under one idempotency key (executed once),
// a receiver that times out or answers garbage (502, nothing changed, safe
// to retry), and configuration mistakes refused at startup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, repo, firstfixBin } from '../support/server.mjs';
import { flowClient } from '../support/flow_client.mjs';
import { photo } from '../support/photos.mjs';

const SECRET = 'test-signing-secret';
let receiver, receiverUrl, server, api, content, work;
const seen = [];          // every attempt: {key, attempt, verified, body}
const executed = new Map();  // idempotency key -> the answer, executed once
let mode = 'ok';
const events = [];     // hand-off events received, every attempt
let eventFailures = 0;
let failuresLeft = 0;

function verify(header, raw) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header || '');
  if (!m) return false;
  const expected = createHmac('sha256', SECRET).update(`${m[1]}.${raw}`).digest();
  return Math.abs(Date.now() / 1000 - Number(m[1])) < 300 && timingSafeEqual(expected, Buffer.from(m[2], 'hex'));
}

before(async () => {
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      const verified = verify(req.headers['x-firstfix-signature'], raw);
      const body = JSON.parse(raw);
      if (body.event) {  // a hand-off event for the helpdesk
        events.push({ key, verified, attempt: Number(req.headers['x-firstfix-attempt']), body });
        if (eventFailures-- > 0) { res.writeHead(503).end(); return; }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
        return;
      }
      seen.push({ key, attempt: Number(req.headers['x-firstfix-attempt']), verified, body });
      if (!verified) { res.writeHead(401).end('{"error":"bad signature"}'); return; }
      // A careful receiver: the key is executed once; a replay gets the same answer.
      if (!executed.has(key)) executed.set(key, { outcome: 'opened', data: { ticket: `T-${executed.size + 1}` } });
      const answer = JSON.stringify(executed.get(key));
      if (mode === 'flaky' && failuresLeft-- > 0) { res.writeHead(503).end(); return; }
      if (mode === 'slow') { setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(answer), 1500); return; }
      if (mode === 'garbage') { res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>'); return; }
      if (mode === 'unknown-outcome') { res.writeHead(200, { 'content-type': 'application/json' }).end('{"outcome":"huh"}'); return; }
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${receiver.address().port}/hooks/firstfix?via=test`;

  work = mkdtempSync(join(tmpdir(), 'ff-webhook-'));
  content = join(work, 'content');
  mkdirSync(join(content, 'flows'), { recursive: true });
  mkdirSync(join(content, 'articles'), { recursive: true });
  cpSync(join(repo, 'content', 'site.yaml'), join(content, 'site.yaml'));
  writeFileSync(join(content, 'articles', 'tickets.md'),
    '---\nid: tickets\ntitle: Support tickets\nlocale: en\ncategory: Help\n---\nOpen a ticket and we will answer.\n');
  writeFileSync(join(content, 'flows', 'ticket.json'), JSON.stringify({
    id: 'open-ticket', title: 'Open a ticket', locale: 'en', start: 'ask', steps: {
      ask: { kind: 'ask', fields: [{ name: 'subject', label: 'Subject' }, { name: 'pin', label: 'PIN', sensitive: true, required: false }], next: 'send' },
      send: { kind: 'action', connector: 'webhook.crm.open_ticket', input: { subject: 'subject', pin: 'pin' },
        outcomes: { opened: 'done' } },
      done: { kind: 'done', state: 'resolved', message: 'Ticket {{result.ticket}} is open.' },
    },
  }, null, 2));
  writeFileSync(join(work, 'connectors.yaml'),
    `webhooks:\n  crm:\n    url: ${receiverUrl}\n    secret_env: CRM_SECRET\n    timeout_ms: 300\n    retries: 2\n    backoff_ms: 20\n` +
    'handoff:\n  webhook: crm\n  backoff_ms: 50\n');
  server = await startServer({ content, args: ['--connectors', join(work, 'connectors.yaml')], env: { CRM_SECRET: SECRET } });
  api = flowClient(server);
});

after(async () => {
  await server?.stop();
  receiver?.close();
  rmSync(work, { recursive: true, force: true });
});

test('a signed request the receiver verifies; its answer maps to the outcome', async () => {
  mode = 'ok';
  seen.length = 0;
  let r = await api.start('open-ticket');
  r = await api.answer(r, { subject: 'Thermostat offline', pin: '4321' });
  assert.equal(r.session.done_state, 'resolved');
  assert.match(r.step.message_text, /Ticket T-\d+ is open/);
  assert.equal(seen.length, 1);
  const [call] = seen;
  assert.equal(call.verified, true);
  assert.equal(call.body.operation, 'open_ticket');
  assert.deepEqual(call.body.input, { subject: 'Thermostat offline', pin: '4321' }, 'the receiver gets what the action needs');
  assert.equal(call.body.idempotency_key, call.key);
  assert.equal(call.body.flow, 'open-ticket');
  assert.equal(call.body.session, r.session.id);
  const audit = api.store(`SELECT connector, input, outcome FROM audit_log WHERE session_id = '${r.session.id}'`);
  assert.deepEqual(audit.map((a) => [a.connector, a.outcome]), [['webhook.crm.open_ticket', 'opened']]);
  assert.match(audit[0].input, /"pin":"\[redacted\]"/);
});

test('failures are retried under one idempotency key, and the action runs once', async () => {
  mode = 'flaky';
  failuresLeft = 2;
  seen.length = 0;
  const before = executed.size;
  let r = await api.start('open-ticket');
  r = await api.answer(r, { subject: 'Flaky network' });
  assert.equal(r.session.done_state, 'resolved');
  assert.deepEqual(seen.map((s) => s.attempt), [1, 2, 3]);
  assert.equal(new Set(seen.map((s) => s.key)).size, 1);
  assert.equal(executed.size, before + 1);
});

test('a receiver that times out: 502, nothing changed; a retry completes it once', async () => {
  mode = 'slow';
  seen.length = 0;
  let r = await api.start('open-ticket');
  const failed = await api.call('POST', `/api/v1/sessions/${r.session.id}/answers`, { step: 'ask', answers: { subject: 'Slow CRM' } });
  assert.equal(failed.status, 502);
  assert.match(failed.body.error, /no answer within 300 ms/);
  assert.match(failed.body.error, /nothing was changed/);
  assert.equal(seen.length, 3, 'three attempts');
  assert.equal((await api.get(r)).step.id, 'ask', 'the session did not move');
  const errors = api.store(`SELECT error FROM audit_log WHERE session_id = '${r.session.id}'`);
  assert.equal(errors.length, 1);
  assert.match(errors[0].error, /failed: no answer within 300 ms/);
  // The receiver recovers; the customer presses "Try again".
  mode = 'ok';
  const before = executed.size;
  r = await api.answer(r, { subject: 'Slow CRM' });
  assert.equal(r.session.done_state, 'resolved');
  assert.equal(executed.size, before, 'the timed-out attempts already executed it; the retry used the same key');
  assert.equal(new Set(seen.map((s) => s.key)).size, 1);
});

test('garbage is an error, not retried, nothing changed', async () => {
  mode = 'garbage';
  seen.length = 0;
  const r = await api.start('open-ticket');
  const failed = await api.call('POST', `/api/v1/sessions/${r.session.id}/answers`, { step: 'ask', answers: { subject: 'garbage' } });
  assert.equal(failed.status, 502);
  assert.equal(seen.length, 1, 'not retried');
  assert.match(failed.body.error, /not \{"outcome"/);
  assert.equal((await api.get(r)).step.id, 'ask');
  mode = 'ok';
});

test('an outcome the flow does not handle: the action happened, so the session ends for a person, with the outcome on record', async () => {
  mode = 'unknown-outcome';
  seen.length = 0;
  const r = await api.start('open-ticket');
  const ended = await api.call('POST', `/api/v1/sessions/${r.session.id}/answers`, { step: 'ask', answers: { subject: 'odd' } });
  assert.equal(ended.status, 200);
  assert.equal(seen.length, 1, 'called once');
  assert.equal(ended.body.session.done_state, 'escalate');
  assert.match(ended.body.session.failure_reasons.join(' '), /answered 'huh', which step 'send' does not handle/);
  assert.equal(ended.body.step.kind, 'done');
  assert.doesNotMatch(ended.body.step.message_text, /nothing (was )?changed/i);
  // Asking again cannot run it twice: the flow has ended.
  const again = await api.call('POST', `/api/v1/sessions/${r.session.id}/answers`, { step: 'ask', answers: { subject: 'odd' } });
  assert.equal(again.status, 409);
  assert.equal(seen.length, 1);
  mode = 'ok';
});

test('mistakes in the connectors file stop the server at startup', () => {
  const firstfix = firstfixBin;
  const serve = (args, env = {}) => spawnSync(firstfix, ['serve', '--content', content, '--data', join(work, 'bad-data'), '--port', '0',
    '--widget', join(repo, 'build/widget'), ...args], { env: { ...process.env, ...env }, timeout: 20000 });
  writeFileSync(join(work, 'typo.yaml'), `webhooks:\n  crm:\n    url: ${receiverUrl}\n    secret_env: CRM_SECRET\n    retires: 2\n`);
  let r = serve(['--connectors', join(work, 'typo.yaml')], { CRM_SECRET: SECRET });
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /typo\.yaml:5:5: unknown setting 'retires'/);
  r = serve(['--connectors', join(work, 'connectors.yaml')], { CRM_SECRET: '' });
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /connectors\.yaml:4:17: environment variable CRM_SECRET .* is not set/);
  writeFileSync(join(work, 'handoff.yaml'), `webhooks:\n  crm:\n    url: ${receiverUrl}\n    secret_env: CRM_SECRET\nhandoff:\n  webhook: zendesk\n`);
  r = serve(['--connectors', join(work, 'handoff.yaml')], { CRM_SECRET: SECRET });
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /handoff\.yaml:6:3: 'handoff\.webhook' must name one of the webhooks \('zendesk' is not one\)/);
});

test('a flow whose connector is not configured is switched off with its reason; the rest of the help center is served', async () => {
  writeFileSync(join(work, 'other.yaml'), `webhooks:\n  billing:\n    url: ${receiverUrl}\n    secret_env: CRM_SECRET\n`);
  for (const args of [['--connectors', join(work, 'other.yaml')], []]) {
    const s = await startServer({ content, args, env: { CRM_SECRET: SECRET } });
    try {
      assert.match(s.output(), /flow 'open-ticket' is off: step 'send' uses connector 'webhook\.crm\.open_ticket'/);
      const start = await fetch(`${s.origin}/api/v1/flows/open-ticket/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"locale":"en"}' });
      assert.equal(start.status, 503);
      assert.match((await start.json()).error, /the flow 'open-ticket' is switched off on this server/);
      assert.equal((await fetch(`${s.origin}/api/v1/search?q=password`)).status, 200);
    } finally {
      await s.stop();
    }
  }
});

test('the hand-off packet and, at close, the transcript reach the helpdesk webhook: retried until acknowledged, recorded once', async () => {
  eventFailures = 2;
  events.length = 0;
  const opened = await api.call('POST', '/api/v1/chat/conversations', {
    locale: 'en', trigger: 'request', customer: { email: 'dev@example.com', name: 'Dev' },
    trail: [{ type: 'search', query: 'talk to a human', shown: [] }] });
  assert.equal(opened.status, 201, opened.text);
  const { conversation } = opened.body;
  const waitFor = async (pred, what) => {
    for (let i = 0; i < 100; i++) { if (pred()) return; await new Promise((r) => setTimeout(r, 100)); }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(events.map((e) => [e.body.event, e.attempt]))}`);
  };
  await waitFor(() => events.filter((e) => e.body.event === 'conversation.opened').length >= 3, 'three attempts');
  const attempts = events.filter((e) => e.body.event === 'conversation.opened');
  assert.deepEqual(attempts.map((e) => e.attempt), [1, 2, 3]);
  assert.ok(attempts.every((e) => e.verified && e.key === `${conversation}:opened`), 'signed, one idempotency key');
  assert.equal(attempts[2].body.data.packet.customer.claimed.email, 'dev@example.com');
  await waitFor(() => api.store(`SELECT delivered_ms FROM outbound_events WHERE key = '${conversation}:opened'`)[0]?.delivered_ms > 0, 'delivery recorded');

  // A photo the customer adds reaches the helpdesk too, bytes and all, once.
  const sent = await api.call('POST', `/api/v1/chat/conversations/${conversation}/photos`, photo('photo.png'),
    { 'content-type': 'image/png', authorization: `Bearer ${opened.body.key}`, 'idempotency-key': 'lamp-1' });
  assert.equal(sent.status, 201, sent.text);
  await waitFor(() => events.some((e) => e.body.event === 'conversation.photo'), 'the photo');
  const shown = events.find((e) => e.body.event === 'conversation.photo');
  assert.equal(shown.key, `${conversation}:photo:${sent.body.message.photo.id}`);
  assert.ok(shown.verified);
  const bytes = Buffer.from(shown.body.data.data_base64, 'base64');
  assert.equal(bytes.length, sent.body.message.photo.size);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), shown.body.data.sha256);

  // An agent picks up the ticket and closes it: the transcript follows.
  const login = await api.call('POST', '/agent/login', { email: 'agent@brightloop.example', password: 'brightloop-agent' });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const headers = { cookie, 'x-csrf-token': login.body.csrf };
  assert.equal((await api.call('POST', `/api/v1/agent/conversations/${conversation}/accept`, undefined, headers)).status, 200);
  const closed = await api.call('POST', `/api/v1/agent/conversations/${conversation}/close`, { disposition: 'resolved', reason_code: 'handoff-test' }, headers);
  assert.equal(closed.status, 200, closed.text);
  await waitFor(() => events.some((e) => e.body.event === 'conversation.closed'), 'the transcript');
  const transcript = events.find((e) => e.body.event === 'conversation.closed');
  assert.equal(transcript.key, `${conversation}:closed`);
  assert.equal(transcript.body.data.disposition, 'resolved');
  assert.match(transcript.body.data.transcript.map((m) => m.body).join(' | '), /joined the conversation.*closed/);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(events.filter((e) => e.body.event === 'conversation.closed').length, 1, 'acknowledged: not sent again');
});
