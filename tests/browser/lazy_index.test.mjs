// A large index is read lazily in the Worker, block by block over HTTP
// Range requests, and answers exactly as the server does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, repo } from '../support/server.mjs';
import { launch, hostPage } from '../support/browser.mjs';

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
  let indexBytes = 0, indexSize = 0, ranged = 0;
  context.on('requestfinished', async (r) => {
    if (!/\/assets\/index\./.test(r.url())) return;
    const res = await r.response();
    if (res.status() === 206) ranged++;
    indexBytes += (await r.sizes()).responseBodySize;
    const total = /\/(\d+)$/.exec(res.headers()['content-range'] || '');
    if (total) indexSize = Number(total[1]);
  });
  const p = await hostPage(context, server.origin, '/host/lazy',
    '<!doctype html><html lang="en"><body><script src="/widget.js" data-preload="open" async></script></body></html>');
  await p.evaluate(() => { window.__s = []; window.firstfix('on', 'search', (e) => window.__s.push(e)); window.firstfix('open'); });
  const queries = ['reset password', 'track order', 'refund status', 'wifi'];
  for (const q of queries) {
    await p.waitForFunction((q) => {
      if (!window.__s.some((s) => s.engine === 'wasm' && s.query === q)) window.firstfix('search', q);
      return window.__s.some((s) => s.engine === 'wasm' && s.query === q);
    }, `${q} `, { polling: 250, timeout: 30000 });
  }
  const searches = await p.evaluate(() => window.__s.filter((s) => s.engine === 'wasm'));
  assert.ok(indexSize > 2 * 1024 * 1024, `index of ${indexSize} bytes is large enough to be lazy`);
  assert.ok(ranged > 0, 'ranged requests were made');
  assert.ok(indexBytes < indexSize / 4, `fetched ${indexBytes} of ${indexSize} bytes`);
  for (const q of queries) {
    const mine = searches.find((s) => s.query === `${q} `);
    const api = await (await fetch(`${server.origin}/api/v1/search?q=${encodeURIComponent(`${q} `)}&limit=8&facets=false`)).json();
    assert.deepEqual(mine.results, api.results.map((r) => r.id), q);
  }
  await context.close();
});
