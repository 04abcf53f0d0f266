#!/usr/bin/env node
// Browser benchmark (prints figures, asserts nothing): the widget in Debian's
// Chromium against a real `firstfix serve`, beside Pagefind and MiniSearch
// on the same articles in the same browser run.
//
//   node tests/bench/widget_bench.mjs [--large 10000]
//
// Figures: bytes transferred before any interaction and before the first
// in-page result; open-to-first-result time (warm cache); per-keystroke
// latency p50/p99 (keystroke to results on screen); main-thread long tasks;
// the same at a generated help center of --large articles; and nDCG@10 on
// ../shared/eval/covidfaq for all three engines; with a lazily read index,
// the index bytes fetched and the round trips waited on per keystroke,
// beside the floor of one such round trip from a Worker in this browser.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { startServer, repo } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';
import { startHostServer } from '../support/host_server.mjs';
import { TYPED_QUERIES as QUERIES } from './typed_queries.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const large = args.includes('--large') ? Number(args[args.indexOf('--large') + 1]) : 10000;  // 0: sample only
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const kb = (n) => (n === undefined ? 'n/a' : `${(n / 1024).toFixed(1)} KB`);
const ms = (n) => (n === undefined ? 'n/a' : `${n.toFixed(2)} ms`);

// Host pages live on a customer's site (another origin), as real embeds do.
const site = await startHostServer();
const hostPage = async (context, path, html) => {
  const page = await context.newPage();
  await page.goto(site.page(path, html));
  return page;
};
const page_ = (origin, attrs = '') => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body>
<h1>A host page</h1><script src="${origin}/widget.js" ${attrs} async></script></body></html>`;
const longTaskProbe = () => {
  window.__longTasks = [];
  new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
};

async function widgetFigures(browser, server, label) {
  const out = {};
  const context = await browser.newContext();
  await context.addInitScript(longTaskProbe);
  const bytes = [];
  context.on('requestfinished', async (r) => {
    const u = new URL(r.url());
    if (!u.href.startsWith(server.origin)) return;
    const started = r.timing().startTime;  // epoch ms, as the page's Date.now()
    const s = await r.sizes().catch(() => null);  // a background download may finish after its page closed
    if (s) bytes.push({ path: u.pathname, started, size: s.responseBodySize + s.responseHeadersSize });
  });
  const sum = (before = Infinity) => bytes.filter((b) => b.started < before).reduce((a, b) => a + b.size, 0);
  const breakdown = (before) => {
    const by = new Map();
    for (const b of bytes.filter((x) => x.started < before)) {
      const name = b.path.replace(/^\/assets\//, '').replace(/\.[0-9a-f]{8,}\./, '.').replace(/^\/api\/v1\/search.*/, 'search API');
      by.set(name, (by.get(name) || 0) + b.size);
    }
    return [...by].sort((a, b) => b[1] - a[1]).map(([n, v]) => `${n} ${kb(v)}`).join(', ');
  };
  // Cold: nothing cached.
  const p = await hostPage(context, '/host/cold', page_(server.origin, 'data-preload="open"'));
  await p.locator('firstfix-widget .launcher').waitFor();
  await p.waitForTimeout(1000);
  out.bytesBeforeInteraction = sum();
  // The first in-page result: the first search the Worker finished (shown,
  // or beaten to the screen by the server's answer to a hedged search).
  await p.evaluate(() => {
    window.firstfix('on', 'engineSearch', () => { window.__firstWasmAt ||= Date.now(); });
    window.firstfix('open');
  });
  await p.waitForFunction(() => !!window.firstfix);
  // Search until the in-page engine answers (the server answers until then).
  for (let i = 0; i < 200; i++) {
    await p.evaluate(() => window.firstfix('search', 'refund'));
    if (await p.evaluate(() => !!window.__firstWasmAt)) break;
    await p.waitForTimeout(150);  // a keystroke every 150 ms
  }
  await p.waitForTimeout(1500);  // for the events of requests under way, and anything fetched after
  const firstWasmAt = await p.evaluate(() => window.__firstWasmAt);
  out.bytesBeforeFirstInPageResult = sum(firstWasmAt);
  out.firstInPageBreakdown = breakdown(firstWasmAt);
  out.bytesAfterFirstInPageResult = sum() - out.bytesBeforeFirstInPageResult;
  await p.close();

  // Warm cache: open and search at once; time to the first result on screen.
  const times = [], wasmReady = [];
  for (let run = 0; run < 5; run++) {
    const w = await hostPage(context, `/host/warm${run}`, page_(server.origin, 'data-preload="open"'));
    await w.locator('firstfix-widget .launcher').waitFor();
    const t = await w.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      let first = null;
      window.firstfix('on', 'search', (e) => {
        if (first === null) first = performance.now() - t0;
        if (e.engine === 'wasm') resolve([first, performance.now() - t0]);
        else setTimeout(() => window.firstfix('search', 'refund '), 20);
      });
      window.firstfix('search', 'refund');
    }));
    times.push(t[0]);
    wasmReady.push(t[1]);
    await w.close();
  }
  out.openToFirstResult = pct(times, 0.5);
  out.openToWasmResult = pct(wasmReady, 0.5);

  // Keystrokes with the engine warm.
  const keysFrom = Date.now();
  const k = await hostPage(context, '/host/keys', page_(server.origin));
  await k.evaluate(() => {
    window.__s = []; window.__e = [];
    window.firstfix('on', 'search', (e) => window.__s.push(e));
    window.firstfix('on', 'engineSearch', (e) => window.__e.push(e));
    window.firstfix('open');
  });
  await k.waitForFunction(() => { window.firstfix('search', 'x'); return window.__s.some((s) => s.engine === 'wasm'); }, null, { polling: 200, timeout: 30000 });
  await k.evaluate(() => { window.__s = []; window.__e = []; window.__longTasks = []; });
  const box = k.locator('firstfix-widget').getByRole('searchbox');
  for (const q of QUERIES) {
    await box.fill('');
    await box.pressSequentially(q, { delay: 40 });
    // Let the last keystroke's answer arrive (lazy reads may be slow).
    await k.waitForFunction((q) => window.__s.some((s) => s.query === q), q, { timeout: 60000 }).catch(() => {});
  }
  // Keystroke to results on screen, whichever engine answered (a hedged
  // search may be answered by the server first); the in-page engine's own
  // time and index reads for every search it ran.
  const lat = await k.evaluate(() => window.__s.map((s) => s.latency_ms));
  const slowestOnScreen = await k.evaluate(() => [...window.__s].sort((a, b) => b.latency_ms - a.latency_ms).slice(0, 5)
    .map((s) => `"${s.query}" ${s.latency_ms.toFixed(0)} ms (${s.engine})`).join('; '));
  out.fromServer = await k.evaluate(() => window.__s.filter((s) => s.engine === 'server').length);
  const inEngine = await k.evaluate(() => window.__e.map((s) => s.engine_ms));
  const fetchedPerKey = await k.evaluate(() => window.__e.filter((s) => s.index_bytes_fetched !== undefined).map((s) => s.index_bytes_fetched));
  // With what the Worker fetched outside searches (a large index's posting branches, held in the background).
  const outside = await k.evaluate(() => window.__e.at(-1)?.index_bytes_outside || 0);
  const lazySearches = await k.evaluate(() => window.__e.filter((s) => s.index_requests !== undefined));
  const requestsPerKey = lazySearches.map((s) => s.index_requests);
  out.keystrokes = lat.length;
  out.keystrokeP50 = pct(lat, 0.5);
  out.keystrokeP99 = pct(lat, 0.99);
  out.engineP50 = pct(inEngine, 0.5);
  out.engineP99 = pct(inEngine, 0.99);
  out.longTasks = await k.evaluate(() => window.__longTasks.length);
  await k.waitForTimeout(500);  // for the sizes of the last requests
  // The index's bytes on the wire for that page (opening it, the branches
  // held, every search), as served: compressed where it can be (`?ranges=`).
  out.indexWireBytes = bytes.filter((b) => b.started >= keysFrom && /\.db$/.test(b.path)).reduce((a, b) => a + b.size, 0);
  await context.close();
  console.log(`\n== firstfix widget: ${label}`);
  console.log(`bytes before any interaction      ${kb(out.bytesBeforeInteraction)}`);
  console.log(`bytes before first in-page result ${kb(out.bytesBeforeFirstInPageResult)} (${out.firstInPageBreakdown})`);
  console.log(`  then in the background           ${kb(out.bytesAfterFirstInPageResult)} (within 1.5 s)`);
  console.log(`open to first result (warm cache) ${ms(out.openToFirstResult)} (server answer); in-page engine answering after ${ms(out.openToWasmResult)}`);
  console.log(`keystroke to results on screen    p50 ${ms(out.keystrokeP50)}  p99 ${ms(out.keystrokeP99)}  (${out.keystrokes} keystrokes answered, ${out.fromServer} of them by the server first)`);
  console.log(`  slowest on screen                ${slowestOnScreen}`);
  console.log(`  searching in the Worker          p50 ${ms(out.engineP50)}  p99 ${ms(out.engineP99)}  (${inEngine.length} searches)`);
  console.log(`main-thread long tasks (>50 ms)   ${out.longTasks} while typing`);
  if (fetchedPerKey.length) {
    const total = fetchedPerKey.reduce((a, b) => a + b, 0) + outside;
    out.indexBytesWhileTyping = total;
    console.log(`lazy index reads per keystroke    p50 ${kb(pct(fetchedPerKey, 0.5))}  p99 ${kb(pct(fetchedPerKey, 0.99))}  (${kb(total)} over ${fetchedPerKey.length} keystrokes, ${kb(outside)} of it outside them: branches held)`);
    console.log(`  the index on the wire            ${kb(out.indexWireBytes)} for the page (opening, branches, every search; its blocks compressed)`);
  }
  if (fetchedPerKey.some((b) => b > 0)) {  // an index read lazily while typing: what its reads cost
    console.log(`  round trips waited on            p50 ${pct(requestsPerKey, 0.5)}  p99 ${pct(requestsPerKey, 0.99)}  max ${Math.max(...requestsPerKey)} per keystroke`);
    out.roundTrips = await roundTripFloor(browser, server);
    const slowest = lazySearches.sort((a, b) => b.engine_ms - a.engine_ms).slice(0, 5);
    console.log(`  slowest in the Worker            ${slowest.map((s) => `"${s.query}" ${s.engine_ms.toFixed(0)} ms (${s.index_wait_ms.toFixed(0)} ms of it waiting on ${s.index_requests} round trips, ${s.index_waves} parallel, ${kb(s.index_bytes_fetched)})`).join('; ')}`);
    // The network's floor under the Worker's p99, same run: each search's
    // round trips, each drawn from one wave's times measured above (a wave
    // of several blocks costs about one: round_trips.mjs), no computing at
    // all; the median of 201 draws of the p99 of those sums.
    const draws = Array.from({ length: 201 }, () => pct(lazySearches.map((s) => {
      let t = 0;
      for (let i = 0; i < s.index_requests; i++) t += out.roundTrips.waves[Math.floor(Math.random() * out.roundTrips.waves.length)];
      return t;
    }), 0.99));
    out.networkFloorP99 = pct(draws, 0.5);
    console.log(`  the network's floor for it       p99 ${ms(out.networkFloorP99)} (each search's round trips, drawn from one wave's times, no computing): ` +
      `the Worker's p99 ${(out.engineP99 / out.networkFloorP99).toFixed(2)}x it; ${lazySearches.filter((s) => s.index_requests > 0).length} of ${lazySearches.length} searches waited on the network`);
    const computing = lazySearches.map((s) => s.engine_ms - s.index_wait_ms), waiting = lazySearches.map((s) => s.index_wait_ms);
    console.log(`  the Worker's time, split         computing p50 ${ms(pct(computing, 0.5))} p99 ${ms(pct(computing, 0.99))}; waiting on the network p50 ${ms(pct(waiting, 0.5))} p99 ${ms(pct(waiting, 0.99))}`);
  }
  return out;
}

// The floor of "keystroke to results on screen" in this browser on this
// machine: a page whose input posts each keystroke to a Worker that answers
// at once with 8 canned results, drawn as list items of the same size. No
// search at all: what is left is the browser's own work per key (typing,
// style, layout, paint) and a Worker round trip. With `server`, the Worker
// first reads a 2 KB range of that server's index (another block each key,
// as a keystroke whose blocks are not held does, or the server's answer to
// a hedged search): the floor of a keystroke that needs the network once.
async function floorFigures(browser, server = null) {
  const index = server ? server.origin + (await (await fetch(`${server.origin}/widget.js`)).text()).match(/"index":"([^"]+)"/)[1] : '';
  const context = await browser.newContext();
  const p = await hostPage(context, `/host/floor${server ? '-network' : ''}`, `<!doctype html><html lang="en"><body><input id="q" type="search"><ul id="r"></ul><script>
const worker = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(`let block = 0; const index = ${JSON.stringify(index)};
onmessage = async (e) => {
  if (index) { const at = (block++ % 1000) * 2048; await (await fetch(index, { headers: { Range: 'bytes=' + at + '-' + (at + 2047) } })).arrayBuffer(); }
  postMessage({ q: e.data, results: Array.from({ length: 8 }, (_, i) => ({ title: 'Result ' + i + ' for ' + e.data, snippet: 'A passage of about two hundred characters that mentions ' + e.data + ' among other words, as a snippet does, with some more words after it to fill the line.' })) });
}`)}], { type: 'text/javascript' })));
const list = document.getElementById('r'), lat = window.__lat = [];
let started = 0;
document.getElementById('q').addEventListener('input', (e) => { if (e.target.value) { started = performance.now(); worker.postMessage(e.target.value); } });
worker.onmessage = (e) => {
  list.replaceChildren(...e.data.results.map((r) => { const li = document.createElement('li'); li.innerHTML = '<b>' + r.title + '</b><br><small>' + r.snippet + '</small>'; return li; }));
  lat.push(performance.now() - started);
};
</script></body></html>`);
  for (const q of QUERIES) {
    await p.locator('#q').fill('');
    await p.locator('#q').pressSequentially(q, { delay: 40 });
    await p.waitForTimeout(100);
  }
  const lat = await p.evaluate(() => window.__lat);
  await context.close();
  const what = server ? 'the Worker reads one 2 KB block from the server first' : 'no search (Worker answers at once)';
  console.log(`\n== floor: keystroke to canned results on screen, ${what}: p50 ${ms(pct(lat, 0.5))} p99 ${ms(pct(lat, 0.99))} (${lat.length} keystrokes)`);
  return { p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

// The floor of one lazy read: a 2 KB range of the index, requested from a
// Worker on the host page's origin as the widget's lazy file does (a
// synchronous XHR; and fetch(), for parallel reads), against the same
// server; beside it the same requests from Node (the server and loopback
// alone). A search that needs n blocks it does not hold, one after another,
// waits at least n such round trips.
async function roundTripFloor(browser, server) {
  const loader = await (await fetch(`${server.origin}/widget.js`)).text();
  const index = server.origin + loader.match(/"index":"([^"]+)"/)[1];
  const N = 60;
  const range = (i) => `bytes=${i * 2048}-${i * 2048 + 2047}`;
  const context = await browser.newContext();
  const p = await hostPage(context, '/host/round-trip', '<!doctype html><html lang="en"><body></body></html>');
  const inWorker = await p.evaluate(([index, N]) => new Promise((resolve) => {
    const src = `onmessage = async (e) => {
      const [url, N] = e.data, sync = [], async_ = [];
      const range = (i) => 'bytes=' + i * 2048 + '-' + (i * 2048 + 2047);
      for (let i = 0; i < N; i++) {
        const t = performance.now(), x = new XMLHttpRequest();
        x.open('GET', url, false); x.responseType = 'arraybuffer'; x.setRequestHeader('Range', range(i)); x.send(null);
        sync.push(performance.now() - t);
      }
      for (let i = N; i < 2 * N; i++) {  // as the Worker fetches a wave: ?ranges=, compressed
        const t = performance.now();
        await (await fetch(url + '?ranges=' + i * 2048 + '-' + (i * 2048 + 2047))).arrayBuffer();
        async_.push(performance.now() - t);
      }
      postMessage({ sync, async_ });
    }`;
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    w.onmessage = (e) => resolve(e.data);
    w.postMessage([index, N]);
  }), [index, N]);
  await context.close();
  const node = [];
  for (let i = 2 * N; i < 3 * N; i++) {
    const t = performance.now();
    await (await fetch(index, { headers: { Range: range(i) } })).arrayBuffer();
    node.push(performance.now() - t);
  }
  const r = { sync50: pct(inWorker.sync, 0.5), sync99: pct(inWorker.sync, 0.99), fetch50: pct(inWorker.async_, 0.5), fetch99: pct(inWorker.async_, 0.99),
    node50: pct(node, 0.5), waves: inWorker.async_ };
  console.log(`== floor: one 2 KB index read from a Worker: sync XHR p50 ${ms(r.sync50)} p99 ${ms(r.sync99)}, fetch(?ranges=) p50 ${ms(r.fetch50)} p99 ${ms(r.fetch99)}; ` +
    `the same from Node p50 ${ms(r.node50)} (${N} each)`);
  return r;
}

// The peers run on the same article texts, fetched from our API.
async function articleTexts(server) {
  const manifest = JSON.parse(readFileSync(join(server.dist, 'manifest.json'), 'utf8'));
  return manifest.articles.filter((a) => a.locale === 'en').map((a) => ({
    id: a.id, title: a.title, category: a.category,
    text: readFileSync(join(server.dist, a.html), 'utf8').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '),
    html: readFileSync(join(server.dist, a.html), 'utf8'),
  }));
}

async function miniSearchFigures(browser, server, docs, label) {
  const context = await browser.newContext();
  const p = await hostPage(context, '/host/minisearch', '<!doctype html><body><input id="q"></body>');
  const lib = readFileSync(join(repo, 'node_modules/minisearch/dist/umd/index.js'), 'utf8');
  await p.addScriptTag({ content: lib });
  const serialized = await p.evaluate((docs) => {
    const ms = new MiniSearch({ fields: ['title', 'text'], storeFields: ['title', 'category'], searchOptions: { boost: { title: 2 }, prefix: true, fuzzy: 0.2 } });
    ms.addAll(docs.map(({ id, title, text, category }) => ({ id, title, text, category })));
    window.__ms = ms;
    return JSON.stringify(ms);
  }, docs);
  const lat = await p.evaluate((queries) => {
    const out = [];
    for (const q of queries) for (let i = 1; i <= q.length; i++) {
      const t0 = performance.now();
      const r = window.__ms.search(q.slice(0, i));
      r.slice(0, 8).map((x) => x.title).join();
      out.push(performance.now() - t0);
    }
    return out;
  }, QUERIES);
  await context.close();
  const bytes = gzipSync(lib).length + gzipSync(serialized).length;
  console.log(`\n== MiniSearch ${label}: bytes (library + serialized index, gzip) ${kb(bytes)}; search p50 ${ms(pct(lat, 0.5))} p99 ${ms(pct(lat, 0.99))} (no snippets, main thread)`);
  return { bytes, p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

function writeSite(dir, docs) {
  for (const d of docs) {
    mkdirSync(join(dir, 'articles'), { recursive: true });
    writeFileSync(join(dir, 'articles', `${d.id}.html`),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${d.title}</title></head><body><main data-pagefind-body><h1>${d.title}</h1>${d.html}</main></body></html>`);
  }
}
const dirBytes = (dir) => readdirSync(dir, { recursive: true }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());


// Pagefind's files are static files on the host site itself, as Pagefind is deployed.
async function pagefindFigures(browser, docs, label) {
  const dir = mkdtempSync(join(tmpdir(), 'ff-pagefind-'));
  writeSite(dir, docs);
  execFileSync(join(repo, 'node_modules/.bin/pagefind'), ['--site', dir, '--quiet'], { stdio: 'ignore' });
  site.folder('/pf/', dir);
  const context = await browser.newContext();
  const sizes = new Map(dirBytes(join(dir, 'pagefind')).map((f) => [`/pf/${relative(dir, f)}`, statSync(f).size]));
  const fetched = new Set();
  context.on('requestfinished', (r) => { const u = new URL(r.url()); if (u.pathname.startsWith('/pf/')) fetched.add(u.pathname); });
  const p = await hostPage(context, '/host/pagefind', '<!doctype html><body></body>');
  const lat = await p.evaluate(async (queries) => {
    const pf = await import('/pf/pagefind/pagefind.js');
    await pf.init();
    const out = [];
    for (const q of queries) for (let i = 1; i <= q.length; i++) {
      const t0 = performance.now();
      const r = await pf.search(q.slice(0, i));
      await Promise.all(r.results.slice(0, 8).map((x) => x.data()));
      out.push(performance.now() - t0);
    }
    return out;
  }, QUERIES);
  await context.close();
  // Pagefind's files are already compressed; count them as stored.
  const bytes = [...fetched].reduce((a, f) => a + (sizes.get(f) || 0), 0);
  rmSync(dir, { recursive: true, force: true });
  console.log(`\n== Pagefind ${label}: bytes fetched for all these searches ${kb(bytes)}; search + result data p50 ${ms(pct(lat, 0.5))} p99 ${ms(pct(lat, 0.99))}`);
  return { bytes, p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

// nDCG@10 on covidfaq for the peers, in the same browser (ours: tests/eval/beir_eval.mjs).
async function peerRelevance(browser) {
  const dir = join(repo, '..', 'shared', 'eval', 'covidfaq');
  const jsonl = (f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const corpus = jsonl('corpus.jsonl'), queries = new Map(jsonl('queries.jsonl').map((q) => [q._id, q.text]));
  const qrels = new Map();
  readFileSync(join(dir, 'qrels/test.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).forEach((l) => {
    const [q, d, s] = l.split('\t'); if (Number(s) > 0) { if (!qrels.has(q)) qrels.set(q, new Set()); qrels.get(q).add(d); } });
  const judged = [...qrels.keys()].filter((q) => queries.has(q));
  const ndcg = (ranked) => {
    let total = 0;
    judged.forEach((q, i) => {
      const rel = qrels.get(q); let dcg = 0;
      (ranked[i] || []).slice(0, 10).forEach((d, k) => { if (rel.has(d)) dcg += 1 / Math.log2(k + 2); });
      let ideal = 0; for (let k = 0; k < Math.min(10, rel.size); k++) ideal += 1 / Math.log2(k + 2);
      total += dcg / ideal;
    });
    return total / judged.length;
  };
  const docs = corpus.map((d) => ({ id: d._id, title: d.title, text: d.text, category: '', html: `<p>${d.text.replace(/</g, '&lt;')}</p>` }));
  const qs = judged.map((q) => queries.get(q));
  const context = await browser.newContext();
  const p = await hostPage(context, '/host/rel', '<!doctype html><body></body>');
  await p.addScriptTag({ content: readFileSync(join(repo, 'node_modules/minisearch/dist/umd/index.js'), 'utf8') });
  const msRanked = await p.evaluate(({ docs, qs }) => {
    const ms = new MiniSearch({ fields: ['title', 'text'], searchOptions: { boost: { title: 2 } } });
    ms.addAll(docs);
    return qs.map((q) => ms.search(q).slice(0, 10).map((r) => r.id));
  }, { docs, qs });
  await context.close();
  const pfDir = mkdtempSync(join(tmpdir(), 'ff-pagefind-rel-'));
  writeSite(pfDir, docs);
  execFileSync(join(repo, 'node_modules/.bin/pagefind'), ['--site', pfDir, '--quiet'], { stdio: 'ignore' });
  site.folder('/pf/', pfDir);
  const c2 = await browser.newContext();
  const p2 = await hostPage(c2, '/host/rel2', '<!doctype html><body></body>');
  const pfRanked = await p2.evaluate(async (qs) => {
    const pf = await import('/pf/pagefind/pagefind.js');
    await pf.init();
    const out = [];
    for (const q of qs) {
      const r = await pf.search(q);
      const data = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
      out.push(data.map((d) => d.url.replace(/^.*\/articles\//, '').replace(/\.html$/, '')));
    }
    return out;
  }, qs);
  await c2.close();
  rmSync(pfDir, { recursive: true, force: true });
  const ours = JSON.parse(execFileSync('node', [join(repo, 'tests/eval/beir_eval.mjs'), dir, '--firstfix', join(repo, 'build/native/firstfix'), '--json']).toString());
  console.log(`\n== nDCG@10 on covidfaq (${judged.length} queries): firstfix ${ours.ndcg10.toFixed(3)}, MiniSearch ${ndcg(msRanked).toFixed(3)}, Pagefind ${ndcg(pfRanked).toFixed(3)}`);
}

const browser = await launch();
try {
  const server = await startServer();
  server.dist = join(server.data, 'dist');
  const docs = await articleTexts(server);
  await widgetFigures(browser, server, `sample content (${docs.length} English articles + Spanish)`);
  await floorFigures(browser);
  await pagefindFigures(browser, docs, `sample content (${docs.length} articles)`);
  await miniSearchFigures(browser, server, docs, `sample content (${docs.length} articles)`);
  await peerRelevance(browser);
  await server.stop();

  if (!(large > 0)) process.exit(0);
  const content = mkdtempSync(join(tmpdir(), 'ff-large-'));
  execFileSync('node', [join(repo, 'tests/bench/generate_help_center.mjs'), String(large), content], { stdio: 'ignore' });
  const big = await startServer({ content, startTimeoutMs: 1800000 });
  big.dist = join(big.data, 'dist');
  const bigFigures = await widgetFigures(browser, big, `${large} generated articles`);
  // Keystrokes that need the network (blocks not held, or the server's
  // answer) against the floors of none and of one round trip, same run.
  const noNetwork = await floorFigures(browser), oneRoundTrip = await floorFigures(browser, big);
  console.log(`  keystroke p99 ${ms(bigFigures.keystrokeP99)}: ${(bigFigures.keystrokeP99 / noNetwork.p99).toFixed(2)}x the floor without the network, ` +
    `${(bigFigures.keystrokeP99 / oneRoundTrip.p99).toFixed(2)}x the floor of one round trip`);
  if (large <= 20000) {  // the peers take minutes beyond that
    const bigDocs = await articleTexts(big);
    const pagefind = await pagefindFigures(browser, bigDocs, `${large} articles`);
    console.log(`  firstfix's index on the wire ${kb(bigFigures.indexWireBytes)} for the same typing: ${(bigFigures.indexWireBytes / pagefind.bytes).toFixed(2)}x Pagefind's files`);
    await miniSearchFigures(browser, big, bigDocs, `${large} articles`);
  }
  await big.stop();
  rmSync(content, { recursive: true, force: true });
} finally {
  await browser.close();
  await site.stop();
}
