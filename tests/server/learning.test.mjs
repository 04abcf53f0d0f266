// Search learning end to end: visits through the real server's events API,
// `firstfix suggest` listing what they suggest, accepting one into the
// content folder (a one-line diff that a rebuilt index ranks first for that
// phrasing), reverting it byte for byte, dismissing a gap, and the refusals.
// Runs on SQLite and, in the PostgreSQL suite, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, firstfixBin, databaseFor, repo } from '../support/server.mjs';
import { postLearningEvents } from '../support/learning_visits.mjs';

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
    await postLearningEvents(server.origin);
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
  assert.deepEqual(gaps[0].forms, [gaps[0].normalized], 'one form: nothing else worded the same need');
  // "box" where the article says "package": both wordings resolved there, and the article never uses "box".
  const synonyms = list.suggestions.filter((s) => s.kind === 'synonym');
  assert.deepEqual(synonyms.map((x) => [x.phrasing, x.words, x.file, x.target.ref, x.evidence.visitors]),
    [['box, package', ['box', 'package'], 'synonyms/en.txt', 'article:missing-package', 6]]);
  assert.equal(synonyms[0].rank.phrasing, 'my box never showed up');
  assert.notEqual(synonyms[0].rank.today, 1);
  assert.equal(synonyms[0].rank.after, 1);
  assert.deepEqual(list.suggestions.map((x) => x.kind), ['question', 'synonym', 'gap']);
  // The same list for people, with the ids.
  const human = suggest();
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`${q.id}  add the question "my box never showed up" to article`));
  assert.match(human.stdout, /write something for "gift card balance": 5 visitors/);
  assert.match(human.stdout, /add the synonyms "box, package" to synonyms\/en.txt \(customers say "box" where the content says "package"\)/);
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

test('a synonym accepted is one line at the end of synonyms/en.txt; the rebuilt index ranks the article first for the customers\' wording; the question is then unnecessary; revert restores the file', () => {
  const file = join(content, 'synonyms/en.txt');
  const before = readFileSync(file, 'utf8');
  const syn = suggest('--json').json().suggestions.find((s) => s.kind === 'synonym');
  const applied = suggest('--apply', syn.id);
  assert.equal(applied.status, 0, applied.stderr);
  assert.equal(readFileSync(file, 'utf8'), `${before}box, package\n`);
  const dist = join(work, 'dist-synonym');
  assert.equal(spawnSync(firstfixBin, ['build', content, '-o', dist, '--quiet']).status, 0);
  const found = spawnSync(firstfixBin, ['search', '--index', dist, '--json', 'my box never showed up'], { encoding: 'utf8' });
  assert.equal(JSON.parse(found.stdout).results[0].id, 'missing-package');
  const after = suggest('--json').json();
  assert.ok(!after.suggestions.some((s) => s.kind === 'question' && s.phrasing === 'my box never showed up'), 'first with the synonym: no question to add');
  // The editor's own pair, and what is refused.
  assert.equal(suggest('--revert', syn.id).status, 0);
  assert.equal(readFileSync(file, 'utf8'), before, 'byte for byte');
  assert.match(suggest('--apply', syn.id, '--phrasing', 'box').stderr, /two different words, separated by a comma/);
  assert.match(suggest('--apply', syn.id, '--phrasing', 'box, [email]').stderr, /scrubber's mark/);
  assert.equal(readFileSync(file, 'utf8'), before, 'nothing written by a refusal');
  const own = suggest('--apply', syn.id, '--phrasing', 'Boxes, package');
  assert.equal(own.status, 0, own.stderr);
  assert.equal(readFileSync(file, 'utf8'), `${before}boxes, package\n`, 'folded as the index matches it');
  assert.equal(suggest('--revert', syn.id).status, 0);
  assert.equal(readFileSync(file, 'utf8'), before);
  // A group an editor wrote by hand, in any case and order, with both words: not suggested again; a
  // group with one of them is another matter.
  const synonymsListed = () => suggest('--json').json().suggestions.filter((s) => s.kind === 'synonym').map((s) => s.phrasing);
  try {
    writeFileSync(file, `${before}Carton, BOX\n`);
    assert.deepEqual(synonymsListed(), ['box, package']);
    writeFileSync(file, `${before}Package, parcel, Box\n`);
    assert.deepEqual(synonymsListed(), []);
  } finally {
    writeFileSync(file, before);
  }
});

test('auto-accept is off unless a threshold is given; with one, only questions at least that confident are accepted, audited as such', () => {
  const before = readFileSync(missingPackage(), 'utf8');
  const q = suggest('--json').json().suggestions.find((s) => s.kind === 'question');
  assert.ok(q.evidence.confidence < 0.99);
  const high = suggest('--auto-accept', '0.99', '--json');
  assert.equal(high.status, 0, high.stderr);
  assert.deepEqual(high.json().decisions, []);
  assert.equal(readFileSync(missingPackage(), 'utf8'), before, 'nothing under the threshold is applied');
  const low = suggest('--auto-accept', String(Math.floor(q.evidence.confidence * 100) / 100));
  assert.equal(low.status, 0, low.stderr);
  assert.match(low.stdout, new RegExp(`accepted ${q.id}: articles/en/orders/missing-package.md gained "my box never showed up"\n1 accepted at confidence >= `));
  assert.ok(readFileSync(missingPackage(), 'utf8').includes('  - my box never showed up\n'));
  const audited = suggest('--json').json().accepted.find((a) => a.id === q.id);
  assert.match(audited.editor, /^auto-accept:0\.\d\d$/);
  assert.equal(suggest('--auto-accept', '0.5', '--apply', q.id).status, 2, 'it decides alone');
  assert.equal(suggest('--auto-accept', '0').status, 2, 'a threshold of 0 would accept everything: refused');
  assert.equal(suggest('--revert', q.id).status, 0);
  assert.equal(readFileSync(missingPackage(), 'utf8'), before);
});

test('the Suggestions API: editors only, changes with the CSRF token; an accept edits the file and customers get it (at once with SQLite, at the next publish with PostgreSQL)', async () => {
  // A content folder and data of its own: the tests above decided on these suggestions already.
  const own = mkdtempSync(join(tmpdir(), 'firstfix-learning-api-'));
  const content = join(own, 'content'), data = join(own, 'data');
  mkdirSync(data);
  cpSync(join(repo, 'content'), content, { recursive: true });
  const missingPackage = () => join(content, 'articles/en/orders/missing-package.md');
  const db = databaseFor(data);
  const server = await startServer({ content, data });
  try {
    await postLearningEvents(server.origin, 'api');
    const call = async (method, path, { who, csrf, body } = {}) => {
      const r = await fetch(`${server.origin}${path}`, {
        method,
        headers: { ...(who ? { cookie: who } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: r.status, body: await r.json() };
    };
    const login = async (email, password) => {
      const r = await fetch(`${server.origin}/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      assert.equal(r.status, 200);
      return r.headers.get('set-cookie').split(';')[0];
    };
    const editor = await login('editor@brightloop.example', 'brightloop-editor');
    const agent = await login('agent@brightloop.example', 'brightloop-agent');
    assert.equal((await call('GET', '/api/v1/suggestions')).status, 401);
    assert.equal((await call('GET', '/api/v1/suggestions', { who: agent })).status, 403);

    const list = await call('GET', '/api/v1/suggestions', { who: editor });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.equal(list.body.publishes, db ? 'at the next firstfix publish' : 'now');
    assert.ok(list.body.csrf.length >= 16);
    const text = JSON.stringify(list.body.suggestions);
    assert.ok(!/example\.com|person\d|\[email\]/.test(text), 'nothing personal');
    const q = list.body.suggestions.find((s) => s.kind === 'question');
    const gap = list.body.suggestions.find((s) => s.kind === 'gap');
    assert.equal(q.phrasing, 'my box never showed up');
    assert.equal(q.rank.after, 1);
    const firstFor = async (query) => (await (await fetch(`${server.origin}/api/v1/search?q=${encodeURIComponent(query)}&limit=3`)).json()).results[0]?.id;
    assert.notEqual(await firstFor(q.phrasing), 'missing-package', 'not first today');

    // A change without the token is refused and changes nothing.
    const forged = await call('POST', `/api/v1/suggestions/${q.id}/accept`, { who: editor, body: {} });
    assert.equal(forged.status, 403);
    assert.equal(readFileSync(missingPackage(), 'utf8'), original);
    assert.equal((await call('POST', `/api/v1/suggestions/${q.id}/accept`, { who: editor, csrf: list.body.csrf, body: { force: 'yes' } })).status, 400);
    assert.equal((await call('POST', '/api/v1/suggestions/q-000000000000/accept', { who: editor, csrf: list.body.csrf, body: {} })).status, 404);
    assert.equal((await call('POST', '/api/v1/suggestions/%FF%FE/revert', { who: editor, csrf: list.body.csrf, body: {} })).status, 400);
    assert.equal((await call('POST', '/api/v1/suggestions/..%2F..%2Fetc/revert', { who: editor, csrf: list.body.csrf, body: {} })).status, 404);
    assert.equal((await call('POST', '/api/v1/suggestions/q-000000000000%00/revert', { who: editor, csrf: list.body.csrf, body: {} })).status, 404);
    for (const bad of ['q-00000000000g', 'Q-000000000000', 'x'.repeat(300)]) {
      const r = await call('POST', `/api/v1/suggestions/${bad}/revert`, { who: editor, csrf: list.body.csrf, body: {} });
      assert.equal(r.status, 404, `${bad}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, /ids are q-, s- or g- and 12 hex digits/);
    }
    assert.equal((await call('POST', `/api/v1/suggestions/${gap.id}/accept`, { who: editor, csrf: list.body.csrf, body: {} })).status, 422);

    if (!db) {
      // A file the server cannot write: the editor hears which, and nothing is decided.
      const blocker = `${missingPackage()}.firstfix-tmp`;
      mkdirSync(blocker);
      writeFileSync(join(blocker, 'keep'), '');  // a folder with a file in it: not removed as a failed write's leftovers
      const blocked = await call('POST', `/api/v1/suggestions/${q.id}/accept`, { who: editor, csrf: list.body.csrf, body: {} });
      rmSync(blocker, { recursive: true });
      assert.equal(blocked.status, 503, JSON.stringify(blocked.body));
      assert.match(blocked.body.error, /^the content folder: .*missing-package\.md\.firstfix-tmp: /);
      assert.equal(readFileSync(missingPackage(), 'utf8'), original);
    }
    const accepted = await call('POST', `/api/v1/suggestions/${q.id}/accept`, { who: editor, csrf: list.body.csrf, body: {} });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(accepted.body.published, db ? 'at the next firstfix publish' : 'now');
    const withIt = original.replace('  - my order never came\n', '  - my order never came\n  - my box never showed up\n');
    assert.equal(accepted.body.after, withIt, 'the change, as it will be written');
    // With PostgreSQL the decision waits in the database; the publish writes it into the folder it publishes.
    const publish = () => {
      const published = spawnSync(firstfixBin, ['publish', '--content', content, '--database', db], { encoding: 'utf8' });
      assert.equal(published.status, 0, published.stderr);
      return published.stdout;
    };
    if (db) {
      assert.equal(readFileSync(missingPackage(), 'utf8'), original, 'not written before the publish');
      assert.match(publish(), new RegExp(`articles/en/orders/missing-package.md gained "my box never showed up" \\(suggestion ${q.id}\\)`));
      assert.doesNotMatch(publish(), /gained/, 'applied once');
    }
    assert.equal(readFileSync(missingPackage(), 'utf8'), withIt);
    // The server takes the new version (its own publish, or the database's) and ranks the article first for that phrasing.
    const deadline = Date.now() + 20000;
    while (await firstFor(q.phrasing) !== 'missing-package') {
      assert.ok(Date.now() < deadline, 'the accepted question never reached the live index');
      await new Promise((r) => setTimeout(r, 200));
    }
    const after = await call('GET', '/api/v1/suggestions', { who: editor });
    assert.ok(!after.body.suggestions.some((s) => s.id === q.id));
    assert.deepEqual(after.body.accepted.map((a) => [a.id, a.added, a.file, a.editor]),
      [[q.id, 'my box never showed up', 'articles/en/orders/missing-package.md', 'editor@brightloop.example']]);
    assert.equal((await call('POST', `/api/v1/suggestions/${q.id}/accept`, { who: editor, csrf: list.body.csrf, body: {} })).status, 409);

    const reverted = await call('POST', `/api/v1/suggestions/${q.id}/revert`, { who: editor, csrf: list.body.csrf, body: {} });
    assert.equal(reverted.status, 200, JSON.stringify(reverted.body));
    if (db) {
      assert.equal(readFileSync(missingPackage(), 'utf8'), withIt, 'taken out at the next publish');
      assert.match(publish(), new RegExp(`articles/en/orders/missing-package.md lost "my box never showed up" \\(suggestion ${q.id}\\)`));
    }
    assert.equal(readFileSync(missingPackage(), 'utf8'), original, 'byte for byte');
    assert.equal((await call('POST', `/api/v1/suggestions/${q.id}/revert`, { who: editor, csrf: list.body.csrf, body: {} })).status, 409);

    assert.equal((await call('POST', `/api/v1/suggestions/${gap.id}/dismiss`, { who: editor, csrf: list.body.csrf, body: {} })).status, 200);
    const last = await call('GET', '/api/v1/suggestions', { who: editor });
    assert.ok(!last.body.suggestions.some((s) => s.id === gap.id), 'dismissed: gone');
    assert.ok(last.body.suggestions.some((s) => s.id === q.id), 'reverted: suggested again');
  } finally {
    await server.stop();
    rmSync(own, { recursive: true, force: true });
  }
});
