// native_server/openapi.yaml against the real server: every documented
// operation is exercised, every response's status is documented for its
// operation, and every JSON body matches the documented schema.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';
import { startServer, repo, firstfixBin } from '../support/server.mjs';
import { flowClient } from '../support/flow_client.mjs';
import { photo } from '../support/photos.mjs';
import { postLearningEvents } from '../support/learning_visits.mjs';

const spec = YAML.parse(readFileSync(join(repo, 'native_server', 'openapi.yaml'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(spec, 'openapi');
const pointer = (...parts) => parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

// The documented operation a concrete request falls under.
function operationFor(method, path) {
  for (const [template, item] of Object.entries(spec.paths)) {
    const re = new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$');
    if (re.test(path) && item[method.toLowerCase()]) return { template, op: item[method.toLowerCase()] };
  }
  return null;
}

let server, api;
const exercised = new Set();
// A copy of the sample content: accepting a suggestion edits the folder served.
let content;
before(async () => {
  content = join(mkdtempSync(join(tmpdir(), 'firstfix-openapi-')), 'content');
  cpSync(join(repo, 'content'), content, { recursive: true });
  server = await startServer({ content });
  api = flowClient(server);
});
after(async () => { await server?.stop(); rmSync(join(content, '..'), { recursive: true, force: true }); });

async function check(method, path, body, headers) {
  const r = await api.call(method, path, body, headers);
  const found = operationFor(method, path.split('?')[0]);
  assert.ok(found, `${method} ${path} is not documented`);
  const { template, op } = found;
  assert.ok(op.responses[String(r.status)], `${method} ${template} answered ${r.status}, which is not documented: ${r.text}`);
  exercised.add(`${method.toLowerCase()} ${template} ${r.status}`);
  const ref = `openapi#/${pointer('paths', template, method.toLowerCase(), 'responses', r.status)}`;
  let response = op.responses[String(r.status)];
  let schemaRef = `${ref}/content/application~1json/schema`;
  if (response.$ref) {
    schemaRef = `openapi${response.$ref}/content/application~1json/schema`;
    response = response.$ref.split('/').slice(1).reduce((o, k) => o[k], spec);
  }
  assert.match(r.headers.get('content-type'), /application\/json/);
  const validate = ajv.getSchema(schemaRef);
  assert.ok(validate, `no schema at ${schemaRef}`);
  assert.ok(validate(r.body), `${method} ${path} ${r.status}: ${ajv.errorsText(validate.errors)}\n${r.text.slice(0, 400)}`);
  return r;
}

test('every response matches the document', async () => {
  await check('GET', '/healthz');
  await check('GET', '/api/v1/search?q=pasword%20resett&limit=3');
  await check('GET', '/api/v1/search?q=order&kind=flow&facets=false');
  await check('GET', '/api/v1/search?limit=-1');
  await check('GET', '/api/v1/suggested?page=https%3A%2F%2Fshop.example%2Forders%2F1&locale=en');
  await check('GET', '/api/v1/suggested?page=x&bogus=1');
  await check('GET', '/api/v1/articles/reset-password');
  await check('GET', '/api/v1/articles/nope');
  await check('GET', '/api/v1/flows');
  await check('GET', '/api/v1/flows?locale=es');
  await check('GET', '/api/v1/flows/order-tracking');
  await check('GET', '/api/v1/flows/nope');
  await check('POST', '/api/v1/flows/nope/sessions', {});
  await check('POST', '/api/v1/flows/order-tracking/sessions', '{"x');
  await check('POST', '/api/v1/flows/order-tracking/sessions', '{}', { 'content-type': 'text/plain' });
  await check('POST', '/api/v1/flows/order-tracking/sessions', { context: 'x'.repeat(70000) });
  let r = (await check('POST', '/api/v1/flows/order-tracking/sessions', { context: { page: '/orders' } })).body;
  const sid = r.session.id;
  await check('GET', `/api/v1/sessions/${sid}`);
  await check('GET', '/api/v1/sessions/fs_00000000000000000000000000000000');
  await check('POST', `/api/v1/sessions/${sid}/answers`, { step: 'order', answers: { order_id: 'x' } });
  await check('POST', `/api/v1/sessions/${sid}/answers`, { step: 'lookup', answers: {} });
  await check('POST', `/api/v1/sessions/${sid}/answers`, { answers: {} });
  await check('POST', `/api/v1/sessions/${sid}/back`, { step: 'order' });
  const jpeg = photo('photo.jpg');
  await check('POST', `/api/v1/sessions/${sid}/uploads`, jpeg, { 'content-type': 'image/jpeg' });
  await check('POST', `/api/v1/sessions/${sid}/uploads`, jpeg, { 'content-type': 'image/png' });
  await check('POST', `/api/v1/sessions/${sid}/uploads`, Buffer.alloc(0), { 'content-type': 'image/jpeg' });
  await check('POST', `/api/v1/sessions/${sid}/back`, {});
  r = (await check('POST', `/api/v1/sessions/${sid}/answers`, { step: 'order', answers: { order_id: 'BL-10422', email: 'ana@example.com' } },
    { 'Idempotency-Key': 'k1' })).body;
  assert.equal(r.session.done, true);
  await check('POST', `/api/v1/sessions/${sid}/not-solved`, { reason: 'still not here' });
  await check('POST', `/api/v1/sessions/${sid}/not-solved`, { reason: 42 });
  await check('POST', '/api/v1/sessions/fs_00000000000000000000000000000000/not-solved', {});
  // A flow with a confirm and an offer: labels, prefilled values, a done state.
  r = (await check('POST', '/api/v1/flows/return-request/sessions')).body;
  r = (await check('POST', `/api/v1/sessions/${r.session.id}/answers`, { step: 'order', answers: { order_id: 'BL-10427', email: 'carmen@example.com' } })).body;
  await check('POST', `/api/v1/sessions/${r.session.id}/uploads`, jpeg, { 'content-type': 'image/jpeg' });
  r = (await check('POST', `/api/v1/sessions/${r.session.id}/answers`, { step: 'reason', answers: { reason: 'Wrong model or colour' } })).body;
  assert.equal(r.step.kind, 'offer');
  r = (await check('POST', `/api/v1/sessions/${r.session.id}/back`, { step: 'exchange-offer' })).body;
  assert.equal(r.step.fields[0].value, 'Wrong model or colour');

  // Chat and the agent side.
  await check('POST', '/api/v1/chat/conversations', { locale: 'en', trigger: 'contact', trail: [{ type: 'search', query: 'hello', shown: [] }] });
  await check('POST', '/api/v1/chat/conversations', { trail: [] });
  await check('POST', '/agent/login', { email: 'agent@brightloop.example', password: 'nope' });
  await check('POST', '/agent/login', { email: 'x' });
  const login = await check('POST', '/agent/login', { email: 'agent@brightloop.example', password: 'brightloop-agent' });
  const agent = { cookie: login.headers.get('set-cookie').split(';')[0] };
  await check('GET', '/api/v1/agent/queue');
  const queue = await check('GET', '/api/v1/agent/queue', undefined, agent);
  const ticket = queue.body.tickets[0].conversation;
  await check('POST', `/api/v1/agent/conversations/${ticket}/accept`, undefined, agent);
  await check('POST', `/api/v1/agent/conversations/${ticket}/accept`, undefined);
  await check('POST', '/api/v1/agent/conversations/cv_nope/accept', undefined, { ...agent, 'x-csrf-token': login.body.csrf });
  await check('POST', `/api/v1/agent/conversations/${ticket}/accept`, undefined, { ...agent, 'x-csrf-token': login.body.csrf });
  await check('POST', `/api/v1/agent/conversations/${ticket}/accept`, undefined, { ...agent, 'x-csrf-token': login.body.csrf });
  await check('POST', `/api/v1/agent/conversations/${ticket}/close`, { disposition: 'x', reason_code: 'y' }, { ...agent, 'x-csrf-token': login.body.csrf });
  await check('POST', `/api/v1/agent/conversations/${ticket}/close`, { disposition: 'resolved', reason_code: 'openapi' }, { ...agent, 'x-csrf-token': login.body.csrf });

  // Photos in a chat.
  const c = (await check('POST', '/api/v1/chat/conversations', { locale: 'en', trail: [] })).body;
  const bearer = { authorization: `Bearer ${c.key}` };
  const photos = `/api/v1/chat/conversations/${c.conversation}/photos`;
  const sent = await check('POST', photos, photo('photo.png'), { ...bearer, 'content-type': 'image/png', 'idempotency-key': 'p1' });
  await check('POST', photos, photo('photo.png'), { ...bearer, 'content-type': 'image/png', 'idempotency-key': 'p1' });
  await check('POST', photos, photo('photo.png'), { ...bearer, 'content-type': 'image/png' });
  await check('POST', photos, photo('photo.png'), { 'content-type': 'image/png', 'idempotency-key': 'p2' });
  await check('POST', photos, Buffer.from('<svg/>'), { ...bearer, 'content-type': 'image/svg+xml', 'idempotency-key': 'p3' });
  await check('POST', photos, Buffer.alloc(5 * 1024 * 1024 + 1, 0xff), { ...bearer, 'content-type': 'image/jpeg', 'idempotency-key': 'p4' });
  for (let i = 0; i < 5; i++) await check('POST', photos, photo('photo.webp'), { ...bearer, 'content-type': 'image/webp', 'idempotency-key': `r${i}` });
  const id = sent.body.message.photo.id;
  const image = async (path, headers, status) => {
    const r = await fetch(server.origin + path, { headers });
    const { op } = operationFor('GET', path);
    assert.equal(r.status, status);
    assert.ok(op.responses[String(r.status)], `GET ${path} answered ${r.status}, which is not documented`);
    exercised.add(`get ${operationFor('GET', path).template} ${r.status}`);
    if (r.status === 200) assert.equal(r.headers.get('content-type'), 'image/png');
    else {
      const body = await r.json();
      const ref = op.responses[String(r.status)].$ref;
      const validate = ajv.getSchema(`openapi${ref}/content/application~1json/schema`);
      assert.ok(validate(body), ajv.errorsText(validate.errors));
    }
  };
  await image(`${photos}/${id}`, bearer, 200);
  await image(`${photos}/${id}`, {}, 404);
  await image(`/api/v1/agent/photos/${id}`, agent, 200);

  // Events in, reports out.
  const event = { id: 'openapi-0001', type: 'search', visit: 'openapi-visit', at: Date.now(), seq: 0, locale: 'en', query: 'hello', results: 2, search_id: 's1' };
  await check('POST', '/api/v1/events', { events: [event] });
  await check('POST', '/api/v1/events', JSON.stringify({ events: [event] }), { 'content-type': 'text/plain;charset=UTF-8' });
  await check('POST', '/api/v1/events', { events: [{ ...event, id: 'openapi-0002', results: -1 }] });
  await check('POST', '/api/v1/events', { events: Array.from({ length: 201 }, (_, i) => ({ ...event, id: `openapi-1${String(i).padStart(4, '0')}` })) });
  await check('POST', '/api/v1/events', 'x', { 'content-type': 'application/x-www-form-urlencoded' });
  const editorLogin = await check('POST', '/agent/login', { email: 'editor@brightloop.example', password: 'brightloop-editor' });
  const editor = { cookie: editorLogin.headers.get('set-cookie').split(';')[0] };
  for (const path of ['/api/v1/reports', '/api/v1/reports/searches?which=all', '/api/v1/reports/visits?which=all&limit=5']) {
    await check('GET', path, undefined, editor);
    await check('GET', path);
    await check('GET', path, undefined, agent);
    await check('GET', `${path}${path.includes('?') ? '&' : '?'}from=2026-02-30`, undefined, editor);
  }
  const csv = async (headers, status) => {
    const r = await fetch(`${server.origin}/api/v1/reports.csv${status === 400 ? '?to=nope' : ''}`, { headers });
    assert.equal(r.status, status);
    const { op, template } = operationFor('GET', '/api/v1/reports.csv');
    assert.ok(op.responses[String(r.status)]);
    exercised.add(`get ${template} ${r.status}`);
    if (status === 200) assert.match(r.headers.get('content-type'), /text\/csv/);
  };
  await csv(editor, 200);
  await csv(editor, 400);
  await csv({}, 401);
  await csv(agent, 403);
  await image(`/api/v1/agent/photos/${id}`, {}, 401);
  await image('/api/v1/agent/photos/ph_nope', agent, 404);
  // Search learning's suggestions, and each decision on them.
  await postLearningEvents(server.origin, 'openapi');
  const listed = (await check('GET', '/api/v1/suggestions', undefined, editor)).body;
  await check('GET', '/api/v1/suggestions');
  await check('GET', '/api/v1/suggestions', undefined, agent);
  await check('GET', '/api/v1/suggestions?to=nope', undefined, editor);
  const withToken = { ...editor, 'x-csrf-token': listed.csrf };
  const question = listed.suggestions.find((x) => x.kind === 'question');
  const gap = listed.suggestions.find((x) => x.kind === 'gap');
  assert.ok(question && gap, JSON.stringify(listed));
  await check('POST', `/api/v1/suggestions/${question.id}/accept`, {}, editor);
  await check('POST', `/api/v1/suggestions/${question.id}/accept`, { force: 1 }, withToken);
  await check('POST', '/api/v1/suggestions/q-000000000000/accept', {}, withToken);
  await check('POST', `/api/v1/suggestions/${gap.id}/accept`, {}, withToken);
  await check('POST', `/api/v1/suggestions/${question.id}/accept`, { phrasing: 'box never came' }, withToken);
  await check('POST', `/api/v1/suggestions/${question.id}/accept`, {}, withToken);
  await check('POST', `/api/v1/suggestions/${question.id}/revert`, {}, withToken);
  await check('POST', `/api/v1/suggestions/${question.id}/revert`, {}, withToken);
  await check('POST', `/api/v1/suggestions/${gap.id}/dismiss`, {}, withToken);
  await check('POST', `/api/v1/suggestions/${gap.id}/dismiss`, {}, withToken);
  await check('POST', '/agent/logout', {}, editor);
  assert.equal((await fetch(`${server.origin}/api/v1/reports`, { headers: editor })).status, 401, 'the logged-out session is gone');
});

test('every documented operation was exercised', () => {
  const operations = Object.entries(spec.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
  const missing = operations.filter((o) => ![...exercised].some((e) => e.startsWith(o + ' ')));
  assert.deepEqual(missing, []);
  // And the success answer of each.
  const successes = operations.filter((o) => ![...exercised].some((e) => e.startsWith(o + ' 2')));
  assert.deepEqual(successes, []);
});

test('Redocly\'s recommended lint passes with no errors and no warnings', () => {
  // Offline: no telemetry, no update check.
  const r = spawnSync(join(repo, 'node_modules/.bin/redocly'), ['lint', join(repo, 'native_server/openapi.yaml'), '--format=json'],
    { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, timeout: 60000 });
  const report = JSON.parse(r.stdout.toString());
  const problems = report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`);
  assert.deepEqual(problems, []);
  assert.equal(r.status, 0, r.stderr.toString());
});

test('the description and the route table agree: every API route documented with its operationId and security, and nothing more', () => {
  const table = JSON.parse(spawnSync(firstfixBin, ['serve', '--content', join(repo, 'content'), '--data', server.data, '--print-routes', '--demo']).stdout);
  const api = table.filter((r) => r.path.startsWith('/api/') || ['/healthz', '/agent/login', '/agent/logout'].includes(r.path));
  const expectedSecurity = (r) => ({
    open: [],
    customer_key: [{ conversationKey: [] }],
    agent: [r.method === 'POST' ? { staffSession: [], csrfToken: [] } : { staffSession: [] }],
    editor: [r.method === 'POST' ? { staffSession: [], csrfToken: [] } : { staffSession: [] }],
  })[r.access];
  for (const r of api) {
    const op = spec.paths[r.path]?.[r.method.toLowerCase()];
    assert.ok(op, `${r.method} ${r.path} (${r.operation_id}) is not documented`);
    assert.equal(op.operationId, r.operation_id, `${r.method} ${r.path}`);
    assert.deepEqual(op.security, expectedSecurity(r), `${r.method} ${r.path}: security`);
    if (r.rate_limit) assert.ok(op.responses['429'], `${r.method} ${r.path} draws on the '${r.rate_limit}' limit: document its 429`);
    if (r.body === 'json') assert.ok(op.requestBody?.content?.['application/json'] || op.requestBody === undefined, `${r.method} ${r.path}: body`);
  }
  const documented = Object.entries(spec.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
  const routed = new Set(api.map((r) => `${r.method} ${r.path}`));
  assert.deepEqual(documented.filter((d) => !routed.has(d)), [], 'documented operations the server does not route');
  for (const [name, scheme] of Object.entries(spec.components.securitySchemes)) assert.ok(scheme.description, name);
});
