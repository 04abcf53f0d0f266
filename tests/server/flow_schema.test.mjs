// The flow files' JSON Schema (docs/flow.schema.json): every sample flow
// validates against it, the mistakes an editor's tooling can catch are
// refused by it, and the server serves it for editors to reference.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv/dist/2020.js';
import { repo, startServer } from '../support/server.mjs';

const schemaText = readFileSync(join(repo, 'docs/flow.schema.json'), 'utf8');
const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(schemaText));
const samples = readdirSync(join(repo, 'content/flows'), { recursive: true }).filter((f) => f.endsWith('.json'));

test('every sample flow validates, and names the schema for editors', () => {
  assert.ok(samples.length >= 12);
  for (const file of samples) {
    const flow = JSON.parse(readFileSync(join(repo, 'content/flows', file), 'utf8'));
    assert.ok(validate(flow), `${file}: ${JSON.stringify(validate.errors)}`);
    assert.equal(flow.$schema, '../../../docs/flow.schema.json', file);
  }
});

test('the schema refuses what an editor gets wrong as they type', () => {
  const base = () => JSON.parse(readFileSync(join(repo, 'content/flows/en/overcharge-refund.json'), 'utf8'));
  const mistakes = [
    (f) => { f.steps.order.kind = 'question'; },                                  // unknown kind
    (f) => { f.steps.order.fields[0].type = 'number'; },                          // a pattern on a number field
    (f) => { delete f.steps.order.max_attempts; },                                // then without max_attempts
    (f) => { f.steps.any.cases[0].when = { field: 'vars.overcharge', gt: 0, lt: 9 }; },  // two tests in one condition
    (f) => { f.steps.any.cases[0].when = { field: 'vars.overcharge', gte: 'last week' }; },  // not a date
    (f) => { f.steps.compute.values.overcharge = { concat: ['a', 'b'] }; },     // not arithmetic
    (f) => { f.steps.refund.input.amount = 12; },                                 // a bare constant: {"const": 12}
    (f) => { f.steps.charge.connector = 'order charge'; },
    (f) => { f.requires = ['logged-in']; },
    (f) => { f.steps.kept.state = 'finished'; },
  ];
  for (const [i, mistake] of mistakes.entries()) {
    const flow = base();
    mistake(flow);
    assert.equal(validate(flow), false, `mistake ${i} passed the schema`);
  }
});

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

test('the server serves the schema at /schemas/flow.json', async () => {
  const r = await fetch(`${server.origin}/schemas/flow.json`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /application\/json/);
  assert.deepEqual(await r.json(), JSON.parse(schemaText));
});
