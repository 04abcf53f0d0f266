// The widget's instant checks (the core in WebAssembly, in the Worker) and
// the server's (the same core, natively) agree: for every kind of field,
// relative date bounds, rules across fields and fields known from `from`,
// the same answers get the same messages, or none. The server decides; the
// widget only saves a round trip, so a disagreement would either block a
// valid answer in the page or let through one the server then refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo, startServer } from '../support/server.mjs';
import { flowClient } from '../support/flow_client.mjs';

const wasmDir = process.env.FIRSTFIX_WASM_DIR || join(repo, 'build/wasm');
// The flow engine's own module, as the widget's Worker loads it.
const wasm = await createRequire(import.meta.url)(join(wasmDir, 'firstfix-flow.js'))({ wasmBinary: readFileSync(join(wasmDir, 'firstfix-flow.wasm')) });

const flow = {
  id: 'every-field', title: 'Every field', locale: 'en', start: 'form',
  steps: {
    form: {
      kind: 'ask',
      fields: [
        { name: 'order', label: 'Order', pattern: '^BL-[0-9]{5}$' },
        { name: 'email', label: 'Email', type: 'email' },
        { name: 'phone', label: 'Phone', type: 'phone', required: false },
        { name: 'nick', label: 'Nickname', required: false, min_length: 2, max_length: 5 },
        { name: 'qty', label: 'Quantity', type: 'number', min: 1, max: 10 },
        { name: 'rooms', label: 'Rooms', type: 'integer', min: 0 },
        { name: 'bought', label: 'Bought', type: 'date', min: 'today-90d', max: 'today' },
        { name: 'reason', label: 'Reason', type: 'choice', choices: ['faulty', 'other'] },
        { name: 'extras', label: 'Extras', type: 'multi-choice', choices: ['a', 'b', 'c'], max_length: 2, required: false },
      ],
      rules: [{ at_least: 1, of: ['phone', 'nick'] }],
      next: 'done',
    },
    done: { kind: 'done', state: 'resolved', message: 'Done.' },
  },
};

let server, api, content;
before(async () => {
  content = mkdtempSync(join(tmpdir(), 'ff-parity-'));
  cpSync(join(repo, 'content'), content, { recursive: true });
  writeFileSync(join(content, 'flows/en/every-field.json'), JSON.stringify(flow, null, 2));
  server = await startServer({ content });
  api = flowClient(server);
});
after(async () => { await server?.stop(); rmSync(content, { recursive: true, force: true }); });

const daysAgo = (today, n) => { const d = new Date(`${today}T12:00:00Z`); d.setUTCDate(d.getUTCDate() - n); return d.toISOString().slice(0, 10); };
const sorted = (errors) => errors.map((e) => `${e.field}: ${e.message}`).sort();

test('every answer gets the same verdict in the page and on the server', async () => {
  const first = await api.start('every-field');
  const today = first.session.today;
  const definition = JSON.stringify((await api.call('GET', '/api/v1/flows/every-field')).body.definition);
  const valid = { order: 'BL-12345', email: 'ana@example.com', phone: '+34 600 123 456', qty: 2, rooms: 3, bought: daysAgo(today, 10), reason: 'faulty' };
  const cases = [
    {},
    valid,
    { ...valid, order: 'BL-1234' }, { ...valid, order: 'bl-12345' }, { ...valid, order: ' BL-12345 ' },
    { ...valid, email: 'ana@' }, { ...valid, email: 'ana@example' }, { ...valid, email: 42 },
    { ...valid, phone: 'call me' }, { ...valid, phone: '' },
    { ...valid, phone: undefined, nick: undefined }, { ...valid, phone: undefined, nick: 'x' }, { ...valid, phone: undefined, nick: 'Anita' },
    { ...valid, nick: 'toolong' },
    { ...valid, qty: 0 }, { ...valid, qty: 10.5 }, { ...valid, qty: '3' }, { ...valid, qty: '3x' }, { ...valid, qty: '0x10' }, { ...valid, qty: 'Infinity' },
    { ...valid, rooms: 3.5 }, { ...valid, rooms: '12' }, { ...valid, rooms: -1 }, { ...valid, rooms: '1e3' },
    { ...valid, bought: daysAgo(today, 90) }, { ...valid, bought: daysAgo(today, 91) }, { ...valid, bought: today },
    { ...valid, bought: daysAgo(today, -1) }, { ...valid, bought: '2026-02-30' }, { ...valid, bought: 'yesterday' },
    { ...valid, reason: 'FAULTY' }, { ...valid, reason: ['faulty'] },
    { ...valid, extras: ['a', 'b'] }, { ...valid, extras: ['a', 'b', 'c'] }, { ...valid, extras: ['z'] }, { ...valid, extras: 'a' },
    { ...valid, unknown: 1 },
  ].map((c) => JSON.parse(JSON.stringify(c)));  // drop undefined
  let agreed = 0;
  for (const answers of cases) {
    const page = JSON.parse(wasm.flowCheckAnswers(definition, 'form', JSON.stringify(answers), today));
    assert.ok(Array.isArray(page), JSON.stringify(page));
    const session = await api.start('every-field');
    const r = await api.call('POST', `/api/v1/sessions/${session.session.id}/answers`, { step: 'form', answers });
    const serverErrors = r.status === 422 ? r.body.errors : [];
    assert.ok(r.status === 200 || r.status === 422, r.text);
    assert.deepEqual(sorted(page), sorted(serverErrors), `answers ${JSON.stringify(answers)}`);
    agreed += 1;
  }
  assert.equal(agreed, cases.length);
  // The table is not all refusals: valid answers pass on both sides.
  assert.deepEqual(JSON.parse(wasm.flowCheckAnswers(definition, 'form', JSON.stringify(valid), today)), []);
});

test('a field the session knows already (from) is checked only when given, on both sides', async () => {
  // In the page there is no session: a field that may be known is checked only when it is sent.
  const known = { id: 'k', title: 'K', locale: 'en', start: 'a', steps: {
    a: { kind: 'ask', fields: [{ name: 'email', type: 'email', from: 'identity.email' }, { name: 'note', required: false }], next: 'd' },
    d: { kind: 'done', state: 'resolved', message: 'ok' } } };
  const json = JSON.stringify(known);
  assert.deepEqual(JSON.parse(wasm.flowCheckAnswers(json, 'a', JSON.stringify({ note: 'hi' }), '2026-12-03')), []);
  assert.deepEqual(sorted(JSON.parse(wasm.flowCheckAnswers(json, 'a', JSON.stringify({ email: 'x' }), '2026-12-03'))),
    ['email: email must be an email address, like name@example.com.']);
});
