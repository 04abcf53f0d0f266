// Events in and reports out, over real HTTP on loopback: batches stored
// once per event id, malformed and oversize batches refused with a reason,
// personal data scrubbed on arrival; reports only for editors; the page's
// API, its CSV export and `firstfix report` give the same figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, repo, firstfixBin } from '../support/server.mjs';
import { flowClient } from '../support/flow_client.mjs';

let server, api, editor;
before(async () => {
  server = await startServer({ demoEvents: true });
  api = flowClient(server);
  const login = await api.call('POST', '/agent/login', { email: 'editor@brightloop.example', password: 'brightloop-editor' });
  assert.equal(login.status, 200, login.text);
  assert.equal(login.body.agent.role, 'editor');
  editor = { cookie: login.headers.get('set-cookie').split(';')[0] };
});
after(async () => { await server?.stop(); });

const today = new Date().toISOString().slice(0, 10);
const at = Date.now() - 60000;
const event = (i, extra) => ({ id: `test-event-${i}`, visit: 'test-visit-0001', at: at + i * 1000, seq: i, locale: 'en', visitor: 'test-visitor-1', ...extra });
const post = (body, type = 'text/plain;charset=UTF-8') =>
  api.call('POST', '/api/v1/events', typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': type });

test('a batch is stored once per event id, from any origin, as sendBeacon sends it', async () => {
  const batch = { events: [
    event(0, { type: 'search', query: 'refund to ana.lopez@example.com card 4111 1111 1111 1111', results: 0, search_id: 's1' }),
    event(1, { type: 'search', query: 'reset password', results: 4, search_id: 's2' }),
    event(2, { type: 'result_click', search_id: 's2', position: 1, target: 'reset-password', kind: 'article' }),
    event(3, { type: 'article_view', target: 'reset-password' }),
    event(4, { type: 'vote', target: 'reset-password', helpful: true, text: 'call me on +44 20 7946 0958' }),
  ] };
  const r = await post(batch);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { accepted: 5, duplicates: 0 });
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  const again = await post(batch, 'application/json');
  assert.deepEqual(again.body, { accepted: 0, duplicates: 5 }, 'a retried batch is counted once');

  // What an editor sees: the visit, its searches scrubbed of personal data.
  const searches = await api.call('GET', `/api/v1/reports/searches?from=${today}&to=${today}&which=all`, undefined, editor);
  assert.equal(searches.status, 200, searches.text);
  const mine = searches.body.searches.filter((s) => s.visit === 'test-visit-0001');
  assert.deepEqual(mine.map((s) => s.query).sort(), ['refund to [email] card [card]', 'reset password']);
  const visits = await api.call('GET', `/api/v1/reports/visits?from=${today}&to=${today}&which=resolved&limit=1000`, undefined, editor);
  const visit = visits.body.visits.find((v) => v.visit === 'test-visit-0001');
  assert.ok(visit, 'the helpful vote resolved the visit');
  assert.equal(visit.events.find((e) => e.type === 'vote').text, 'call me on [phone]');
});

test('malformed, oversize and mistyped batches are refused with a reason, and nothing of them is stored', async () => {
  for (const [body, status, reason] of [
    ['{"events": [', 400, /not valid JSON/],
    [{ events: [] }, 400, /the batch is empty/],
    [{ events: [event(10, { type: 'search', query: 'x', results: 1, search_id: 's' })], extra: 1 }, 400, /must be \{"events"/],
    [{ events: [event(11, { type: 'search', query: 'fine', results: 1, search_id: 's3' }), event(12, { type: 'result_click', search_id: 's3', position: 0, target: 'a', kind: 'article' })] }, 400, /^events\[1\]\.position: must be 1 to 1000/],
    [{ events: [event(13, { type: 'teleport' })] }, 400, /^events\[0\]\.type: unknown event type 'teleport'/],
    [{ events: [event(14, { type: 'vote', target: 'a', helpful: 'yes' })] }, 400, /helpful: must be true or false/],
    [{ events: [{ ...event(15, { type: 'article_view', target: 'a' }), email: 'a@b.co' }] }, 400, /email: not a field of a article_view event/],
    [{ events: Array.from({ length: 201 }, (_, i) => event(100 + i, { type: 'article_view', target: 'a' })) }, 413, /at most 200 events/],
    [{ events: [event(16, { type: 'vote', target: 'a', helpful: true, text: 'x'.repeat(300 * 1024) })] }, 413, /larger than 256 KB/],
  ]) {
    const r = await post(body);
    assert.equal(r.status, status, `${r.text.slice(0, 200)}`);
    assert.match(r.body.error, reason);
  }
  assert.equal((await post({ events: [event(17, { type: 'article_view', target: 'a' })] }, 'application/x-www-form-urlencoded')).status, 415);
  assert.equal((await api.call('GET', '/api/v1/events')).status, 405);
  // The good first event of the refused batch was not stored either.
  const searches = await api.call('GET', `/api/v1/reports/searches?from=${today}&to=${today}&which=all&limit=1000`, undefined, editor);
  assert.ok(!searches.body.searches.some((s) => s.query === 'fine'), 'all or nothing');
});

test('reports are for editors only', async () => {
  assert.equal((await api.call('GET', '/api/v1/reports')).status, 401);
  const agent = await api.call('POST', '/agent/login', { email: 'agent@brightloop.example', password: 'brightloop-agent' });
  const r = await api.call('GET', '/api/v1/reports', undefined, { cookie: agent.headers.get('set-cookie').split(';')[0] });
  assert.equal(r.status, 403);
  assert.match(r.body.error, /for editors/);
  // And editors cannot work the agents' queue.
  assert.equal((await api.call('GET', '/api/v1/agent/queue', undefined, editor)).status, 403);
  for (const [q, reason] of [['from=2026-02-30', /'from'.*not a day of the calendar/], ['from=2026-11-30&to=2026-11-01', /'from' is after 'to'/],
    ['locale=xx', /no content in 'xx'/], ['category=Nope', /no category 'Nope'/], ['colour=red', /'colour' is unknown/]]) {
    const bad = await api.call('GET', `/api/v1/reports?${q}`, undefined, editor);
    assert.equal(bad.status, 400, q);
    assert.match(bad.body.error, reason);
  }
});

test('the demo month is there, filters change the figures, and the API, the CSV and the CLI agree', async () => {
  const range = `from=${new Date(Date.now() - 29 * 86400000).toISOString().slice(0, 10)}&to=${today}`;
  const all = (await api.call('GET', `/api/v1/reports?${range}`, undefined, editor)).body;
  assert.ok(all.visits > 3000, `a month of demo visits (${all.visits})`);
  assert.ok(all.daily.length >= 28);
  assert.ok(all.content_gaps.some((g) => /gift card/.test(g.example)), 'the demo gaps show');
  const es = (await api.call('GET', `/api/v1/reports?${range}&locale=es`, undefined, editor)).body;
  assert.ok(es.visits > 0 && es.visits < all.visits);
  const orders = (await api.call('GET', `/api/v1/reports?${range}&category=${encodeURIComponent('Orders & delivery')}`, undefined, editor)).body;
  assert.ok(orders.visits > 0 && orders.visits < all.visits);
  assert.equal(all.daily.reduce((n, d) => n + d.visits, 0), all.visits, 'the daily series adds up to the total');

  const csv = await api.call('GET', `/api/v1/reports.csv?${range}`, undefined, editor);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /attachment; filename="firstfix-report-/);
  const rows = Object.fromEntries(csv.text.split('\n').filter((l) => l.startsWith('summary,')).map((l) => l.split(',').slice(1)));
  for (const k of ['visits', 'searches', 'resolution_rate', 'deflection_rate', 'search_success_rate', 'escalation_rate'])
    assert.ok(Math.abs(Number(rows[k]) - all[k]) < 1e-5, `${k}: CSV ${rows[k]} vs API ${all[k]}`);

  const [from, to] = [range.slice(5, 15), today];
  const where = ['--data', server.data, ...(server.database ? ['--database', server.database] : [])];
  const cli = JSON.parse(execFileSync(firstfixBin, ['report', ...where, '--from', from, '--to', to, '--json']).toString());
  assert.deepEqual(cli, all, 'firstfix report --json prints what the page shows');
  const text = execFileSync(firstfixBin, ['report', ...where, '--from', from, '--to', to]).toString();
  assert.match(text, new RegExp(`visits\\s+${all.visits}\\b`));
  assert.match(text, /resolution rate\s+\d+\.\d%/);
  let failed;
  try { execFileSync(firstfixBin, ['report', ...where, '--from', 'yesterday'], { stdio: 'pipe' }); } catch (e) { failed = e; }
  assert.equal(failed?.status, 2);
  assert.match(failed.stderr.toString(), /--from: 'yesterday' is not a day like 2026-11-25/);
});

test('a flow session id sent in an event is stored as the session\'s public link, which the flow API gives', async () => {
  const started = await api.call('POST', '/api/v1/flows/password-reset/sessions', {});
  assert.equal(started.status, 201, started.text);
  const { id, link } = started.body.session;
  assert.match(link, /^fl_[0-9a-f]{24}$/);
  assert.ok(!link.includes(id.slice(3, 12)), 'the link shows nothing of the id');
  const visit = 'test-visit-link-0001';
  const ev = (i, extra) => ({ id: `link-event-${i}`, visit, at: Date.now() - 1000 + i, seq: i, locale: 'en', ...extra });
  const r = await post({ events: [ev(0, { type: 'flow_start', target: 'password-reset', session: id }),
    ev(1, { type: 'flow_done', target: 'password-reset', session: link, outcome: 'resolved' })] });
  assert.equal(r.status, 200, r.text);
  const visits = await api.call('GET', `/api/v1/reports/visits?from=${today}&to=${today}&which=all&limit=1000`, undefined, editor);
  const mine = visits.body.visits.find((v) => v.visit === visit);
  assert.deepEqual(mine.events.map((e) => e.session), [link, link], 'the old widget\'s id and the new widget\'s link are one flow');
  assert.ok(!JSON.stringify(visits.body).includes(id), 'the id is in no drill-down');
  assert.equal(mine.resolved, true, 'its start and its done state are linked');
});

test('the reports say who started each flow: customers the host site signed, customers the page only named, anonymous ones', async () => {
  const figures = async () => (await api.call('GET', `/api/v1/reports?from=${today}&to=${today}`, undefined, editor)).body.flows
    .find((f) => f.flow === 'plan-change')?.customers ?? { verified: 0, claimed: 0 };
  const before = await figures();
  const ev = (visit, i, extra) => ({ id: `who-event-${visit}-${i}`, visit: `test-visit-who-${visit}`, at: Date.now() - 1000 + i, seq: i, locale: 'en', ...extra });
  const r = await post({ events: [
    ev('a', 0, { type: 'flow_start', target: 'plan-change', session: 'fl_aaaaaaaaaaaaaaaaaaaaaaa1', outcome: 'verified' }),
    ev('b', 0, { type: 'flow_start', target: 'plan-change', session: 'fl_aaaaaaaaaaaaaaaaaaaaaaa2', outcome: 'claimed' }),
    ev('c', 0, { type: 'flow_start', target: 'plan-change', session: 'fl_aaaaaaaaaaaaaaaaaaaaaaa3', outcome: 'anonymous' }),
    ev('d', 0, { type: 'flow_start', target: 'plan-change', session: 'fl_aaaaaaaaaaaaaaaaaaaaaaa4' })] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(await figures(), { verified: before.verified + 1, claimed: before.claimed + 1 });
  const bad = await post({ events: [ev('e', 0, { type: 'flow_start', target: 'plan-change', session: 'fl_x', outcome: 'admin' })] });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /outcome: must be one of verified, claimed, anonymous/);
  const csv = await api.call('GET', `/api/v1/reports.csv?from=${today}&to=${today}`, undefined, editor);
  assert.match(csv.text, /flow,title,starts,completed,completion_rate,done_states,verified_customers,claimed_customers/);
});

test('a visit takes at most 1,000 events: the rest are answered as over the cap, and other visits are served', async () => {
  const visit = 'test-visit-cap-0001';
  const ev = (i) => ({ id: `cap-event-${String(i).padStart(5, '0')}`, visit, at: Date.now() - 100000 + i, seq: i, locale: 'en', type: 'article_view', target: 'reset-password' });
  let accepted = 0;
  for (let b = 0; b < 5; ++b) {
    const r = await post({ events: Array.from({ length: 200 }, (_, i) => ev(b * 200 + i)) });
    assert.equal(r.status, 200, r.text);
    accepted += r.body.accepted;
  }
  assert.equal(accepted, 1000);
  const over = await post({ events: Array.from({ length: 20 }, (_, i) => ev(1000 + i)) });
  assert.deepEqual(over.body, { accepted: 0, duplicates: 0, over_visit_cap: 20 });
  const again = await post({ events: [ev(3)] });
  assert.deepEqual(again.body, { accepted: 0, duplicates: 1 }, 'a resend of a stored event is still a duplicate');
  const other = await post({ events: [{ ...ev(0), id: 'cap-other-0001', visit: 'test-visit-cap-0002' }] });
  assert.deepEqual(other.body, { accepted: 1, duplicates: 0 });
});
