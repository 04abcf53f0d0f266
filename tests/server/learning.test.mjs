// Search learning end to end: visits through the real server's events API,
// `firstfix suggest` listing what they suggest, accepting one into the
// content folder (a one-line diff that a rebuilt index ranks first for that
// phrasing), reverting it byte for byte, dismissing a gap, and the refusals.
// Runs on SQLite and, in the PostgreSQL suite, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, firstfixBin, databaseFor, repo } from '../support/server.mjs';

let work, content, data;
const missingPackage = () => join(content, 'articles/en/orders/missing-package.md');
let original;

function suggest(...args) {
  const db = databaseFor(data);
  const r = spawnSync(firstfixBin, ['suggest', '--data', data, '--content', content, ...(db ? ['--database', db] : []), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'firstfix-learning-'));
  content = join(work, 'content');
  data = join(work, 'data');
  mkdirSync(data);
  cpSync(join(repo, 'content'), content, { recursive: true });
  original = readFileSync(missingPackage(), 'utf8');
  const server = await startServer({ content, data, demo: false });
  try {
    const events = [];
    let n = 0;
    const at = Date.now() - 3600000;
    const visit = (visitor, query, read, results = 5) => {
      const id = `learning-visit-${n++}`;
      events.push({ id: `${id}-s`, visit: id, visitor, at: at + n * 1000, seq: 0, locale: 'en', type: 'search', query, results, search_id: 's1' });
      if (read) events.push({ id: `${id}-r`, visit: id, visitor, at: at + n * 1000 + 1, seq: 1, locale: 'en', type: 'article_view', target: read });
    };
    for (let v = 0; v < 6; v++) visit(`box-${v}`, 'my box never showed up', 'missing-package');
    visit('box-0', 'my box never showed up', 'missing-package');  // the same visitor again: still 6 people
    for (let v = 0; v < 4; v++) visit(`few-${v}`, 'my crate never showed up', 'missing-package');  // 4 people: under k
    for (let v = 0; v < 5; v++) visit(`gift-${v}`, 'gift card balance', null, 0);
    for (let v = 0; v < 7; v++) visit(`mail-${v}`, `reset password for person${v}@example.com`, 'reset-password');
    const r = await fetch(`${server.origin}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ events }) });
    assert.equal(r.status, 200, await r.text());
  } finally {
    await server.stop();
  }
});
after(() => rmSync(work, { recursive: true, force: true }));

test('suggestions: a phrasing enough people resolved on an article becomes a question for it, with its rank today and with it; a gap; nothing personal', () => {
  const r = suggest('--json');
  assert.equal(r.status, 0, r.stderr);
  const list = r.json();
  const text = JSON.stringify(list);
  assert.ok(!/example\.com|person\d|\[email\]/.test(text), 'no address, and no phrasing that held one');
  assert.ok(!text.includes('crate'), 'four people are under k');
  const questions = list.suggestions.filter((s) => s.kind === 'question');
  assert.equal(questions.length, 1, JSON.stringify(questions.map((q) => [q.phrasing, q.target.ref, q.rank])));
  const [q] = questions;
  assert.equal(q.phrasing, 'my box never showed up');
  assert.deepEqual([q.target.ref, q.target.file, q.target.title], ['article:missing-package', 'articles/en/orders/missing-package.md', "My package says delivered but it isn't here"]);
  assert.deepEqual([q.evidence.visitors, q.evidence.searches, q.evidence.resolutions], [6, 7, 7]);
  assert.ok(q.evidence.confidence > 0.35 && q.evidence.confidence < 1);
  assert.notEqual(q.rank.today, 1);
  assert.equal(q.rank.after, 1);
  assert.ok(Array.isArray(q.harms));
  const gaps = list.suggestions.filter((s) => s.kind === 'gap');
  assert.deepEqual(gaps.map((g) => [g.phrasing, g.evidence.visitors]), [['gift card balance', 5]]);
  // The same list for people, with the ids.
  const human = suggest();
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`${q.id}  add the question "my box never showed up" to article`));
  assert.match(human.stdout, /write something for "gift card balance": 5 visitors/);
  assert.equal(suggest('--min-visitors', '7', '--json').json().suggestions.length, 0, 'k = 7: nothing');
});

test('accepting one adds one line to the article; a rebuilt index ranks it first; reverting restores the file byte for byte', () => {
  const list = suggest('--json').json();
  const q = list.suggestions.find((s) => s.kind === 'question');
  const gap = list.suggestions.find((s) => s.kind === 'gap');

  const applied = suggest('--apply', q.id, '--editor', 'editor@example.com', '--json');
  assert.equal(applied.status, 0, applied.stderr);
  assert.equal(applied.json().decisions[0].added, 'my box never showed up');
  const edited = readFileSync(missingPackage(), 'utf8');
  assert.equal(edited, original.replace('  - my order never came\n', '  - my order never came\n  - my box never showed up\n'), 'one line, after the last question');
  const dist = join(work, 'dist');
  const built = spawnSync(firstfixBin, ['build', content, '-o', dist, '--quiet'], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  const found = spawnSync(firstfixBin, ['search', '--index', dist, '--json', 'my box never showed up'], { encoding: 'utf8' });
  assert.equal(JSON.parse(found.stdout).results[0].id, 'missing-package');

  // Decided: no longer listed, counted; a second accept is refused with the reason.
  const after = suggest('--json').json();
  assert.ok(!after.suggestions.some((s) => s.id === q.id));
  assert.equal(after.decided, 1);
  const again = suggest('--apply', q.id);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /was accepted already/);

  const reverted = suggest('--revert', q.id);
  assert.equal(reverted.status, 0, reverted.stderr);
  assert.equal(readFileSync(missingPackage(), 'utf8'), original, 'byte for byte');
  assert.ok(suggest('--json').json().suggestions.some((s) => s.id === q.id), 'reverted: suggested again');
  assert.match(suggest('--revert', q.id).stderr, /is not an accepted change/);

  // A gap is written by an editor, not applied; dismissed, it is gone.
  const gapApplied = suggest('--apply', gap.id);
  assert.equal(gapApplied.status, 1);
  assert.match(gapApplied.stderr, /is a gap: write an article or flow for it/);
  assert.equal(suggest('--dismiss', gap.id).status, 0);
  assert.ok(!suggest('--json').json().suggestions.some((s) => s.id === gap.id));

  // The editor's wording instead of the customers'; refusals name what is wrong.
  const worded = suggest('--apply', q.id, '--phrasing', 'box did not arrive');
  assert.equal(worded.status, 0, worded.stderr);
  assert.ok(readFileSync(missingPackage(), 'utf8').includes('  - box did not arrive\n'));
  assert.equal(suggest('--revert', q.id).status, 0);
  assert.equal(readFileSync(missingPackage(), 'utf8'), original);
  assert.match(suggest('--apply', 'q-000000000000').stderr, /no suggestion q-000000000000/);
  assert.equal(suggest('--apply', q.id, gap.id, '--phrasing', 'x').status, 2);
  const marked = suggest('--apply', q.id, '--phrasing', 'write to [email]');
  assert.equal(marked.status, 1);
  assert.match(marked.stderr, /scrubber's mark/);
  assert.equal(readFileSync(missingPackage(), 'utf8'), original, 'nothing written by a refusal');
});
