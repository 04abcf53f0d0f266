// Verified identity: the host site signs its customer (a JWT, or the id's
// HMAC), the server verifies it, and flows that require a known customer run
// with the verified id and email and no one-time code. A missing, wrong,
// expired or unsigned identity is refused with its reason; a chat still opens,
// marked claimed, because asking for a person is never a locked door.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { startServer } from '../support/server.mjs';
import { flowClient } from '../support/flow_client.mjs';

const SECRET = randomBytes(32).toString('hex');
const OLD_SECRET = randomBytes(32).toString('hex');
let server;
let api;

const b64url = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
// A JWT as a host site's back end would make it (any JWT library makes the same bytes).
function jwt(claims, { secret = SECRET, alg = 'HS256' } = {}) {
  const head = b64url({ alg, typ: 'JWT' });
  const body = b64url(claims);
  const signature = alg === 'none' ? '' : createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}
const now = () => Math.floor(Date.now() / 1000);
const ana = (extra = {}) => ({ sub: 'C-1001', email: 'ana@example.com', name: 'Ana Lima', iat: now(), exp: now() + 600, ...extra });
const hmac = (id, secret = SECRET) => createHmac('sha256', secret).update(id).digest('hex');

before(async () => {
  server = await startServer({ env: { FIRSTFIX_IDENTITY_SECRET: SECRET, FIRSTFIX_IDENTITY_SECRET_PREVIOUS: OLD_SECRET } });
  api = flowClient(server);
});
after(() => server?.stop());

const startPlanChange = (identity) => api.call('POST', '/api/v1/flows/plan-change/sessions', { identity });

test('a signed-in customer changes plan with no email code: the flow runs on the verified id', async () => {
  const r = await startPlanChange({ token: jwt(ana()) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.session.identified, true);
  assert.equal(r.body.step.id, 'plan');  // the subscription was found by the verified id: no email, no code
  assert.match(r.body.step.message_text, /Brightloop Plus monthly/);
  let reply = await api.answer(r.body, { plan: 'annual' });
  reply = await api.answer(reply, { confirm: true });
  assert.equal(reply.session.done_state, 'resolved');
  assert.match(reply.step.message_text, /Brightloop Plus annual/);
  assert.deepEqual(api.backOffice("SELECT plan FROM subscriptions WHERE customer_id = 'C-1001'"), [{ plan: 'Brightloop Plus annual' }]);
  assert.equal(api.backOffice("SELECT count(*) AS n FROM outbox WHERE subject LIKE 'Your Brightloop verification code%'")[0].n, 0);
  // The agent's view of the session says who, verified.
  const state = api.store(`SELECT state FROM flow_sessions WHERE id = '${r.body.session.id}'`)[0].state;
  assert.deepEqual(JSON.parse(state).identity, { id: 'C-1001', email: 'ana@example.com', name: 'Ana Lima', verified_by: 'jwt' });
});

test('the id\'s HMAC verifies the id (and only the id); the previous secret still works while rotating', async () => {
  for (const secret of [SECRET, OLD_SECRET]) {
    const r = await startPlanChange({ id: 'C-1002', email: 'someone-else@example.com', name: 'Ben', user_hash: hmac('C-1002', secret) });
    assert.equal(r.status, 201, r.text);
    assert.match(r.body.step.message_text, /Brightloop Plus annual/);  // Ben's subscription, found by the verified id
    const state = JSON.parse(api.store(`SELECT state FROM flow_sessions WHERE id = '${r.body.session.id}'`)[0].state);
    assert.deepEqual(state.identity, { id: 'C-1002', verified_by: 'hmac' }, 'the unsigned email is not part of the verified identity');
  }
});

test('missing, wrong, expired, unsigned or tampered identities are refused with their reason, and nothing runs', async () => {
  const sessions = () => api.store("SELECT count(*) AS n FROM flow_sessions WHERE flow_id = 'plan-change'")[0].n;
  const before = sessions();
  const tampered = jwt(ana()).split('.');
  tampered[1] = b64url(ana({ sub: 'C-1002' }));
  const cases = [
    [undefined, 403, /for customers signed in on the site: sign in first/],
    [{ id: 'C-1001', email: 'ana@example.com' }, 403, /signed in on the site/],  // a claim proves nothing
    [{ id: 'C-1001', user_hash: hmac('C-1002') }, 401, /user_hash does not match the id/],
    [{ id: 'C-1001', user_hash: hmac('C-1001', randomBytes(32).toString('hex')) }, 401, /user_hash does not match/],
    [{ token: jwt(ana(), { secret: 'x'.repeat(64) }) }, 401, /signature does not verify/],
    [{ token: tampered.join('.') }, 401, /signature does not verify/],
    [{ token: jwt(ana(), { alg: 'none' }) }, 401, /signature does not verify|must be signed with HS256/],
    [{ token: jwt(ana({ exp: now() - 3600 })) }, 401, /expired 3[56]\d\d s ago/],
    [{ token: jwt(ana({ exp: undefined })) }, 401, /has no expiry/],
    [{ token: jwt(ana({ exp: now() + 3 * 86400 })) }, 401, /more than 24 hours ahead/],
    [{ token: jwt(ana({ nbf: now() + 3600 })) }, 401, /not valid yet/],
    [{ token: jwt(ana({ sub: undefined })) }, 401, /names no customer/],
    [{ token: jwt(ana({ email: 'not an email' })) }, 401, /email is not an email address/],
    [{ token: 'a.b' }, 401, /signature does not verify/],
    [{ token: jwt(ana()), id: 'C-1002' }, 400, /carries nothing else/],
    [{ token: 42 }, 400, /token/],
    [{ id: 'C-1001', user_hash: hmac('C-1001'), role: 'admin' }, 400, /unknown identity field 'role'/],
    ['C-1001', 400, /must be an object/],
    [{ token: 'x'.repeat(5000) }, 400, /token/],
  ];
  for (const [identity, status, reason] of cases) {
    const r = await startPlanChange(identity);
    assert.equal(r.status, status, `${JSON.stringify(identity)?.slice(0, 80)}: ${r.text}`);
    assert.match(r.body.error, reason, JSON.stringify(identity)?.slice(0, 80));
  }
  assert.equal(sessions(), before, 'no session was stored');
});

test('flows that do not need a known customer ignore a signature they are given, and still refuse a bad one', async () => {
  const ok = await api.call('POST', '/api/v1/flows/order-tracking/sessions', { identity: { token: jwt(ana()) } });
  assert.equal(ok.status, 201, ok.text);
  const bad = await api.call('POST', '/api/v1/flows/order-tracking/sessions', { identity: { token: jwt(ana({ exp: now() - 3600 })) } });
  assert.equal(bad.status, 401);
});

test('the hand-off packet marks a verified customer as verified, and a refused signature as claimed, with why', async () => {
  const open = (customer) => api.call('POST', '/api/v1/chat/conversations', { locale: 'en', trigger: 'request', customer });
  const verified = await open({ token: jwt(ana()) });
  assert.equal(verified.status, 201, verified.text);
  const refused = await open({ id: 'C-1001', email: 'ana@example.com', name: 'Ana', user_hash: hmac('C-9999') });
  assert.equal(refused.status, 201, 'a bad signature never stops a customer reaching a person');
  const packets = api.store('SELECT id, packet FROM conversations').map((c) => ({ id: c.id, packet: JSON.parse(c.packet) }));
  const packetOf = (id) => packets.find((p) => p.id === id).packet;
  assert.deepEqual(packetOf(verified.body.conversation).customer.verified, { id: 'C-1001', email: 'ana@example.com', name: 'Ana Lima', verified_by: 'jwt' });
  const r = packetOf(refused.body.conversation).customer;
  assert.equal(r.verified, null);
  assert.equal(r.claimed.email, 'ana@example.com');
  assert.match(r.signature_problem, /user_hash does not match/);
});

test('a server with no identity secret (and no --demo) refuses signatures, saying why, and still opens the chat', async () => {
  const plain = await startServer({ demo: false, env: { FIRSTFIX_IDENTITY_SECRET: '', FIRSTFIX_IDENTITY_SECRET_PREVIOUS: '' } });
  try {
    const client = flowClient(plain);
    const r = await client.call('POST', '/api/v1/chat/conversations', { locale: 'en', trigger: 'request', customer: { token: jwt(ana()) } });
    assert.equal(r.status, 201, r.text);
    const packet = JSON.parse(client.store(`SELECT packet FROM conversations WHERE id = '${r.body.conversation}'`)[0].packet);
    assert.equal(packet.customer.verified, null);
    assert.match(packet.customer.signature_problem, /does not verify identities \(FIRSTFIX_IDENTITY_SECRET is not set\)/);
  } finally {
    await plain.stop();
  }
});

test('a short identity secret stops the server at startup, naming the variable', async () => {
  await assert.rejects(startServer({ env: { FIRSTFIX_IDENTITY_SECRET: 'hunter2' }, startTimeoutMs: 10000 }), /FIRSTFIX_IDENTITY_SECRET is shorter than 32 bytes/);
});
