// The flow engine in WebAssembly behaves as the native one (see
// core/flow/engine_test.cc, which runs the same fixture natively).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = process.env.FIRSTFIX_WASM_DIR;
const require = createRequire(import.meta.url);
const m = await require(join(wasmDir, 'firstfix-flow.js'))({ wasmBinary: readFileSync(join(wasmDir, 'firstfix-flow.wasm')) });
const flow = readFileSync(join(here, '..', 'fixtures', 'return-item.flow.json'), 'utf8');
const TODAY = '2026-12-03';  // the help center's date, as the server's replies give it

const run = (r) => { const out = JSON.parse(r); assert.equal(out.error, undefined, out.error); return out; };

test('a return runs to its done state in wasm: validation, action requests, branch, failures', () => {
  let r = run(m.flowStart(flow, TODAY, 'null'));
  assert.equal(r.session.step, 'order');
  const bad = run(m.flowSubmit(flow, JSON.stringify(r.session), 'order', JSON.stringify({ order_id: '12', email: 'x' }), TODAY));
  assert.equal(bad.advance.kind, 'invalid');
  assert.deepEqual(bad.advance.errors.map((e) => e.message), [
    'Order number is not in the expected format.', 'Email must be an email address, like name@example.com.']);
  r = run(m.flowSubmit(flow, JSON.stringify(r.session), 'order', JSON.stringify({ order_id: 'BL-12345', email: 'ana@example.com' }), TODAY));
  assert.deepEqual(r.advance, { kind: 'run_action', errors: [], connector: 'demo.find_order', input: { order: 'BL-12345', email: 'ana@example.com' } });
  r = run(m.flowRecordAction(flow, JSON.stringify(r.session), 'not_found', '{}', TODAY));
  assert.deepEqual(r.session.failures, ['order not found']);
  r = run(m.flowSubmit(flow, JSON.stringify(r.session), 'order', JSON.stringify({ order_id: 'BL-12345', email: 'ana@example.com' }), TODAY));
  r = run(m.flowRecordAction(flow, JSON.stringify(r.session), 'found', '{}', TODAY));
  r = run(m.flowSubmit(flow, JSON.stringify(r.session), 'reason', JSON.stringify({ reason: 'wrong size' }), TODAY));
  assert.equal(r.session.step, 'exchange-offer');
  r = run(m.flowSubmit(flow, JSON.stringify(r.session), 'exchange-offer', JSON.stringify({ accept: true }), TODAY));
  assert.equal(r.advance.kind, 'done');
  assert.equal(r.session.done_state, 'resolved');
});

test('bad flows and bad sessions are errors, not crashes', () => {
  assert.match(JSON.parse(m.flowStart('{"id": 1}', TODAY, 'null')).error, /flow:1:/);
  assert.match(JSON.parse(m.flowSubmit(flow, 'not json', 'order', '{}', TODAY)).error, /parse error/);
  assert.match(JSON.parse(m.flowSubmit(flow, '{"flow": "x"}', 'order', '{}', TODAY)).error, /malformed flow session/);
});

test('flowCheckAnswers gives the widget the core\'s own messages, in the flow\'s language', () => {
  const errors = JSON.parse(m.flowCheckAnswers(flow, 'order', JSON.stringify({ order_id: 'BL-1', email: 'ana@', extra: 1 }), TODAY));
  assert.deepEqual(errors, [
    { field: 'extra', message: "unknown field 'extra'" },
    { field: 'order_id', message: 'Order number is not in the expected format.' },
    { field: 'email', message: 'Email must be an email address, like name@example.com.' }]);
  assert.deepEqual(JSON.parse(m.flowCheckAnswers(flow, 'order', JSON.stringify({ order_id: 'BL-12345', email: 'ana@example.com' }), TODAY)), []);
  const es = readFileSync(join(here, '..', '..', 'content', 'flows', 'es', 'seguimiento-de-pedido.json'), 'utf8');
  assert.deepEqual(JSON.parse(m.flowCheckAnswers(es, 'pedido', JSON.stringify({ order_id: 'BL-10425', email: '' }), TODAY)),
    [{ field: 'email', message: 'Correo del pedido: este campo es obligatorio.' }]);
  assert.match(JSON.parse(m.flowCheckAnswers(flow, 'no-such-step', '{}', TODAY))[0].message, /has no step 'no-such-step'/);
});

test("a field's pattern is the browser's RegExp over the whole answer, as std::regex_match is natively", () => {
  const withPattern = (pattern) => JSON.stringify({ id: 'p', title: 'P', locale: 'en', intents: ['p'], start: 'ask', steps: {
    ask: { kind: 'ask', fields: [{ name: 'code', label: 'Code', pattern }], next: 'done' },
    done: { kind: 'done', state: 'resolved', message: 'ok' } } });
  const submit = (pattern, code) => {
    const flowJson = withPattern(pattern);
    const start = run(m.flowStart(flowJson, TODAY, 'null'));
    return run(m.flowSubmit(flowJson, JSON.stringify(start.session), 'ask', JSON.stringify({ code }), TODAY)).advance.kind;
  };
  assert.equal(submit('a|b', 'a'), 'done');
  assert.equal(submit('a|b', 'ab'), 'invalid');   // the whole answer must match, not a part
  assert.equal(submit('[A-Z]{2}-\\d+', 'AB-12'), 'done');
  assert.equal(submit('[A-Z]{2}-\\d+', 'xAB-12'), 'invalid');
  assert.match(JSON.parse(m.flowStart(withPattern('([a-z]'), TODAY, 'null')).error, /pattern does not compile/);
});
