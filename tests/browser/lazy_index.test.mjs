// A large index is read lazily in the Worker, block by block over HTTP
// Range requests, and answers exactly as the server does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, repo } from '../support/server.mjs';
import { launch, hostPage, untilInPage } from '../support/browser.mjs';

let server, browser, content;
before(async () => {
  content = mkdtempSync(join(tmpdir(), 'ff-lazy-'));
  execFileSync('node', [join(repo, 'tests/bench/generate_help_center.mjs'), '1500', content], { stdio: 'ignore' });
  [server, browser] = await Promise.all([startServer({ content }), launch()]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(content, { recursive: true, force: true });
});

test('the Worker reads a large index lazily and ranks like the server', async () => {
  const context = await browser.newContext();
  let indexBytes = 0, indexSize = 0, ranged = 0, compressedWaves = 0;
  context.on('requestfinished', async (r) => {
    if (!/\/assets\/index\./.test(r.url())) return;
    const res = await r.response();
    if (res.status() === 206) ranged++;
    if (/[?&]ranges=/.test(r.url()) && res.headers()['content-encoding'] === 'gzip') compressedWaves++;
    indexBytes += (await r.sizes()).responseBodySize;
    const total = /\/(\d+)$/.exec(res.headers()['content-range'] || '');
    if (total) indexSize = Number(total[1]);
  });
  const p = await hostPage(context, server.origin, '/host/lazy',
    '<!doctype html><html lang="en"><body><script src="/widget.js" data-preload="open" async></script></body></html>');
  await p.evaluate(() => { window.__s = []; window.firstfix('on', 'search', (e) => window.__s.push(e)); window.firstfix('open'); });
  const queries = ['reset password', 'track order', 'refund status', 'wifi'];
  for (const q of queries) await untilInPage(p, `${q} `, { log: '__s' });
  const searches = await p.evaluate(() => window.__s.filter((s) => s.engine === 'wasm'));
  assert.ok(indexSize > 2 * 1024 * 1024, `index of ${indexSize} bytes is large enough to be lazy`);
  assert.ok(ranged > 0, 'ranged requests were made');
  assert.ok(compressedWaves > 0, 'waves of blocks come compressed');
  assert.ok(indexBytes < indexSize / 4, `fetched ${indexBytes} of ${indexSize} bytes`);
  for (const q of queries) {
    const mine = searches.find((s) => s.query === `${q} `);
    const api = await (await fetch(`${server.origin}/api/v1/search?q=${encodeURIComponent(`${q} `)}&limit=8&facets=false`)).json();
    assert.deepEqual(mine.results, api.results.map((r) => r.id), q);
  }
  await context.close();
});

test('a small index answers first from a few blocks, then arrives whole in the background', async () => {
  const small = await startServer();
  try {
    const context = await browser.newContext();
    const index = [];
    let apiSearches = 0;
    context.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/search') apiSearches++; });
    context.on('requestfinished', async (r) => {
      if (!/\/assets\/index\./.test(r.url())) return;
      const res = await r.response();
      const s = await r.sizes().catch(() => null);
      index.push({ ranged: res.status() === 206 || /[?&]ranges=/.test(r.url()), status: res.status(), encoding: res.headers()['content-encoding'] || '', bytes: s ? s.responseBodySize : 0 });
    });
    const p = await hostPage(context, small.origin, '/host/small',
      '<!doctype html><html lang="en"><body><script src="/widget.js" data-preload="open" async></script></body></html>');
    await p.evaluate(() => { window.__s = []; window.firstfix('on', 'search', (e) => window.__s.push(e)); window.firstfix('open'); });
    await untilInPage(p, 'refund', { log: '__s' });
    const size = Number(/"index_bytes":(\d+)/.exec(await (await fetch(`${small.origin}/widget.js`)).text())[1]);
    const rangedBeforeAnswer = index.filter((r) => r.ranged).reduce((a, r) => a + r.bytes, 0);
    assert.ok(rangedBeforeAnswer > 0 && rangedBeforeAnswer < size / 3, `the first answer read ${rangedBeforeAnswer} of ${size} bytes`);
    // Then the whole index, compressed, while the page is idle; after it, searches read nothing more.
    await expectEventually(() => index.some((r) => !r.ranged && r.status === 200 && r.encoding), 'the whole index in the background');
    const searchesBefore = apiSearches;
    await p.evaluate(() => { window.__s = []; window.firstfix('search', 'pasword resett'); });
    await p.waitForFunction(() => window.__s.some((s) => s.engine === 'wasm' && s.query === 'pasword resett'));
    const spelled = await p.evaluate(() => window.__s.find((s) => s.engine === 'wasm' && s.query === 'pasword resett'));
    assert.equal(spelled.corrected, 'password reset');
    assert.equal(spelled.index_bytes_fetched, 0, 'the spelling table came with the whole index');
    assert.equal(apiSearches, searchesBefore, 'a small index is never hedged: the server is not asked');
    await context.close();
  } finally {
    await small.stop();
  }
});

async function expectEventually(check, what, ms = 10000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a search that needs index blocks from the network is hedged: the server is asked too, and the Worker warms its cache', async () => {
  const context = await browser.newContext();
  const apiSearches = [];
  context.on('request', (r) => { const u = new URL(r.url()); if (u.pathname === '/api/v1/search') apiSearches.push(u.searchParams.get('q')); });
  const p = await hostPage(context, server.origin, '/host/hedge',
    '<!doctype html><html lang="en"><body><script src="/widget.js" data-preload="open" async></script></body></html>');
  await p.evaluate(() => {
    window.__s = []; window.__e = [];
    window.firstfix('on', 'search', (e) => window.__s.push(e));
    window.firstfix('on', 'engineSearch', (e) => window.__e.push(e));
    window.firstfix('open');
  });
  // Until the engine is up, every search goes to the server.
  await p.waitForFunction(() => { if (!window.__e.length) window.firstfix('search', 'x'); return window.__e.length > 0; }, null, { polling: 250, timeout: 30000 });
  await p.waitForTimeout(300);
  const before = apiSearches.length;
  await p.evaluate(() => window.firstfix('search', 'schedule installation '));
  await p.waitForFunction(() => window.__e.some((e) => e.query === 'schedule installation '), null, { timeout: 30000 });
  const cold = await p.evaluate(() => window.__e.find((e) => e.query === 'schedule installation '));
  assert.ok(cold.index_bytes_fetched > 0, 'the Worker fetched blocks for a new query');
  // Each round trip the search waited on brought one block or more.
  assert.ok(cold.index_requests >= 1 && cold.index_requests <= Math.ceil(cold.index_bytes_fetched / 2048), JSON.stringify(cold));
  assert.deepEqual(apiSearches.slice(before), ['schedule installation '], 'and the server was asked the same query, once');
  const shown = await p.evaluate(() => window.__s.filter((s) => s.query === 'schedule installation ').pop());
  const api = await (await fetch(`${server.origin}/api/v1/search?q=${encodeURIComponent('schedule installation ')}&as_you_type=false&limit=8&facets=false`)).json();
  assert.deepEqual(shown.results, api.results.map((r) => r.id), `shown from ${shown.engine}: the same answer either way`);
  // The same search again is answered in the page from what it has: nothing fetched, the server not asked.
  await p.evaluate(() => { window.__s = []; window.firstfix('search', 'schedule installation '); });
  await p.waitForFunction(() => window.__s.some((s) => s.query === 'schedule installation '));
  const warm = await p.evaluate(() => window.__s.find((s) => s.query === 'schedule installation '));
  assert.equal(warm.engine, 'wasm');
  assert.equal(warm.index_bytes_fetched, 0);
  assert.equal(apiSearches.length, before + 1);
  await context.close();
});

// Once the first answer is on screen and the page is idle, the Worker holds
// the branch blocks of a large index's posting lists and spelling table
// (lazy_file.js holdBranches): later lookups fetch their leaves in the first wave.
test('a large index has its posting branches held in the background after the first answer', async () => {
  const context = await browser.newContext();
  const p = await hostPage(context, server.origin, '/host/lazy-branches',
    '<!doctype html><html lang="en"><body><script src="/widget.js" data-preload="open" async></script></body></html>');
  await p.evaluate(() => {
    window.__e = [];
    window.firstfix('on', 'engineSearch', (e) => window.__e.push(e));
    window.firstfix('open');
  });
  await p.waitForFunction(() => { window.firstfix('search', 'refund'); return window.__e.length > 0; }, null, { polling: 250, timeout: 30000 });
  await p.waitForTimeout(2500);  // idle: the Worker is told to prefetch
  const searched = await p.evaluate(() => window.__e.length);
  await p.evaluate(() => window.firstfix('search', 'thermostat'));
  await p.waitForFunction((n) => window.__e.length > n, searched, { timeout: 30000 });
  // Each search says what the Worker has fetched outside searches so far.
  // (Some of them the engine's warm-up and the first search have read already.)
  const { index_bytes_outside: outside, index_branches_held: held } = await p.evaluate(() => window.__e.at(-1));
  assert.ok(held >= 2, `${held} branch blocks held (the root and the branches under it)`);
  assert.ok(outside <= 256 * 1024, `${outside} bytes: the branches only`);
  await context.close();
});
