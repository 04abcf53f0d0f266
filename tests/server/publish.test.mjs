// New content without a restart (`firstfix serve` on SIGHUP, and with
// --watch when the content folder changes): searches running through the
// publish all succeed; the new content is searchable; the loader names the
// new version's files while the old version's stay served (no page mixes
// the two); a flow session started before goes on with the flow version it
// started on; content that does not compile changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, repo, onPostgres, newPostgresDatabase, firstfixBin } from '../support/server.mjs';
import { flowClient } from '../support/flow_client.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Publishing is held to 2 s for the build people run. Under the sanitizers
// (the asan preset) the same code runs 2-3x slower, compiling the content
// included: such runs took a publish to 2.5 and 2.9 s. There the bound is
// what catches a publish that hangs or serializes, not the product's target.
// (The database publish runs natively only: server_api_postgres.)
const publishBoundMs = process.env.FIRSTFIX_SANITIZED ? 6000 : 2000;
let dir, content, server, api;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'firstfix-publish-'));
  content = join(dir, 'content');
  cpSync(join(repo, 'content'), content, { recursive: true });
  server = await startServer({ content, args: ['--watch'] });
  api = flowClient(server);
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const version = async () => (await api.call('GET', '/healthz')).body.content.version;
const loaderConfig = async () => {
  const text = (await api.call('GET', '/widget.js')).text;
  return JSON.parse(/"assets":\{[^}]*\}/.exec(text)[0].replace(/^"assets":/, ''));
};
const hits = async (q) => (await api.call('GET', `/api/v1/search?q=${encodeURIComponent(q)}&locale=en`)).body.results.map((r) => r.id);

// Waits for the live version to move from `from`; returns the new one and how long it took.
async function nextVersion(from, timeoutMs = 10000) {
  const started = Date.now();
  for (;;) {
    const v = await version();
    if (v !== from) return { version: v, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`the content version stayed ${from} for ${timeoutMs} ms; the server said:\n${server.output().slice(-2000)}`);
    await sleep(50);
  }
}

function writeArticle(id, title, body) {
  mkdirSync(join(content, 'articles/en/new'), { recursive: true });
  writeFileSync(join(content, 'articles/en/new', `${id}.md`),
    `---\nid: ${id}\ntitle: ${title}\nlocale: en\ncategory: Account & sign-in\n---\n${body}\n`);
}

test('SIGHUP publishes the content folder again, with every search through it answered', async () => {
  const before = await version();
  const oldAssets = await loaderConfig();
  assert.deepEqual(await hits('zebrafish'), []);

  // Searches as fast as one client sends them, from before the publish until after it.
  let searching = true;
  const statuses = [];
  const load = (async () => {
    while (searching) statuses.push((await api.call('GET', '/api/v1/search?q=password&locale=en')).status);
  })();
  await sleep(200);
  writeArticle('zebrafish-care', 'Caring for the zebrafish sensor', 'Rinse the zebrafish sensor under warm water once a month.');
  server.proc.kill('SIGHUP');
  const published = await nextVersion(before);
  await sleep(300);
  searching = false;
  await load;
  console.log(`publish: SIGHUP to live in ${published.ms} ms; ${statuses.length} searches meanwhile`);
  assert.ok(statuses.length > 20, `searches ran through the publish (${statuses.length})`);
  assert.deepEqual([...new Set(statuses)], [200], 'no search failed');
  assert.ok(published.ms <= publishBoundMs, `live within ${publishBoundMs} ms (${published.ms} ms)`);

  assert.deepEqual(await hits('zebrafish'), ['zebrafish-care']);
  assert.equal((await api.call('GET', '/api/v1/articles/zebrafish-care')).status, 200);
  // The loader names the new index; the old one is still served for pages that loaded it.
  const newAssets = await loaderConfig();
  assert.notEqual(newAssets.index, oldAssets.index);
  assert.equal(newAssets.panel, oldAssets.panel, 'the widget itself did not change');
  assert.equal((await api.call('GET', oldAssets.index)).status, 200);
  assert.equal((await api.call('GET', newAssets.index)).status, 200);
});

test('a flow session goes on with the flow version it started on; new sessions get the new one', async () => {
  const started = await api.start('order-tracking');
  assert.equal(started.step.title, 'Which order?');
  const file = join(content, 'flows/en/order-tracking.json');
  const flow = JSON.parse(readFileSync(file, 'utf8'));
  flow.steps.order.title = 'Which order is it?';
  flow.steps.order.fields[0].label = 'Order reference';
  const v = await version();
  writeFileSync(file, JSON.stringify(flow, null, 2));  // --watch publishes it
  await nextVersion(v);
  const fresh = await api.start('order-tracking');
  assert.equal(fresh.step.title, 'Which order is it?');
  const resumed = await api.get(started);
  assert.equal(resumed.step.title, 'Which order?', 'the session started before shows its own version');
  const done = await api.answer(resumed, { order_id: 'BL-10422', email: 'ana@example.com' });
  assert.ok(done.session.done_state || done.step, 'and it goes on');
  const stored = api.store(`SELECT flow_version FROM flow_sessions WHERE id IN ('${started.session.id}', '${fresh.session.id}')`);
  assert.equal(new Set(stored.map((r) => r.flow_version)).size, 2, 'the two sessions name two flow versions');
});

test('content that does not compile is not published, and says why', async () => {
  const v = await version();
  writeFileSync(join(content, 'articles/en/new/broken.md'), '---\nid: broken\ntitle: Broken\n---\nNo locale.\n');
  server.proc.kill('SIGHUP');
  for (let i = 0; i < 100 && !/content not published/.test(server.output()); i++) await sleep(50);
  assert.match(server.output(), /broken\.md:\d+:\d+: missing required field 'locale'/);
  assert.match(server.output(), /content not published \(SIGHUP\): it does not compile; the version live stays live/);
  assert.equal(await version(), v);
  assert.deepEqual(await hits('zebrafish'), ['zebrafish-care'], 'the live version still serves');
  rmSync(join(content, 'articles/en/new/broken.md'));
});

test('firstfix publish: every server on the database takes the version within 2 s, with every search answered', { skip: onPostgres ? false : 'needs PostgreSQL (server_api_postgres runs it)' }, async () => {
  const database = newPostgresDatabase();
  const servers = await Promise.all([0, 1, 2].map(() => startServer({ database })));
  try {
    const clients = servers.map((s) => flowClient(s));
    const versionOf = async (c) => (await c.call('GET', '/healthz')).body.content.version;
    const before = await versionOf(clients[0]);
    assert.deepEqual(await Promise.all(clients.map(versionOf)), [before, before, before]);

    const edited = join(dir, 'edited');
    cpSync(join(repo, 'content'), edited, { recursive: true });
    mkdirSync(join(edited, 'articles/en/new'), { recursive: true });
    writeFileSync(join(edited, 'articles/en/new/axolotl.md'),
      '---\nid: axolotl-mode\ntitle: Axolotl mode on the thermostat\nlocale: en\ncategory: Account & sign-in\n---\nAxolotl mode keeps the room cool and damp.\n');

    let searching = true;
    const statuses = [];
    const load = Promise.all(clients.map(async (c) => {
      while (searching) statuses.push((await c.call('GET', '/api/v1/search?q=password&locale=en')).status);
    }));
    await sleep(200);
    const started = Date.now();
    const out = execFileSync(firstfixBin, ['publish', '--content', edited, '--database', database]).toString();
    const published = /published content version (\w+)/.exec(out)[1];
    const live = await Promise.all(clients.map(async (c) => {
      for (;;) {
        if (await versionOf(c) === published) return Date.now() - started;
        if (Date.now() - started > 10000) throw new Error(`a server still serves ${await versionOf(c)}, not ${published}`);
        await sleep(20);
      }
    }));
    await sleep(200);
    searching = false;
    await load;
    console.log(`publish to the database: live on 3 servers ${live.join(', ')} ms after \`firstfix publish\` started (compiling included); ${statuses.length} searches meanwhile`);
    assert.ok(Math.max(...live) <= publishBoundMs, `every server within ${publishBoundMs} ms (${live})`);
    assert.deepEqual([...new Set(statuses)], [200], 'no search failed');
    for (const c of clients)
      assert.deepEqual((await c.call('GET', '/api/v1/search?q=axolotl&locale=en')).body.results.map((r) => r.id), ['axolotl-mode']);

    // A server started later, on the repository's content, serves what the others serve.
    const late = await startServer({ database });
    servers.push(late);
    assert.equal(await versionOf(flowClient(late)), published);
    assert.match(late.output(), new RegExp(`published content version ${published} \\(number \\d+ from the database, start\\)`));
  } finally {
    await Promise.all(servers.map((s) => s.stop({ keepData: false })));
  }
});
