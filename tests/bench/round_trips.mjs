// What one round trip for index blocks costs from a Chromium Worker (sync
// XHR and fetch()) and from Node, by range size: the lazily read index
// waits on round trips in a row, so their cost, not their size, sets a cold
// keystroke's time. Then a wave of N 2 KB blocks from a Worker: N fetches at
// once, against one request for all N (`?ranges=`, as the Worker asks).
//
//   node tests/bench/round_trips.mjs [CONTENT]   (default: the sample content)
import { startServer, repo } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';
import { join } from 'node:path';

const server = await startServer({ content: process.argv[2] || join(repo, 'content'), startTimeoutMs: 1800000 });
const loader = await (await fetch(`${server.origin}/widget.js`)).text();
const index = server.origin + loader.match(/"index":"([^"]+)"/)[1];
const size = Number((await fetch(index, { method: 'HEAD' })).headers.get('content-length'));
const browser = await launch();
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(server.origin + '/healthz');
  const sizes = [2, 8, 16, 32, 64];
  const N = 40;
  // Runs `src` (an onmessage handler's text) in a Worker of the page, posted `args`; resolves to what it posts back.
  const runInWorker = (src, args) => page.evaluate(([src, args]) => new Promise((resolve) => {
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    w.onmessage = (e) => resolve(e.data);
    w.postMessage(args);
  }), [src, args]);
  // Each read at another offset (wrapping within the index), so none is cached.
  const inWorker = await runInWorker(`onmessage = async (e) => {
      const [url, size, sizes, N] = e.data, out = {};
      let at = 0;
      const range = (kb) => { const from = ((at++) * 65536) % Math.max(1, size - kb * 1024); return 'bytes=' + from + '-' + (from + kb * 1024 - 1); };
      for (const kb of sizes) {
        const sync = [], async_ = [];
        for (let i = 0; i < N; i++) {
          const t = performance.now(), x = new XMLHttpRequest();
          x.open('GET', url, false); x.responseType = 'arraybuffer'; x.setRequestHeader('Range', range(kb)); x.send(null);
          sync.push(performance.now() - t);
        }
        for (let i = 0; i < N; i++) {
          const t = performance.now();
          await (await fetch(url, { headers: { Range: range(kb) } })).arrayBuffer();
          async_.push(performance.now() - t);
        }
        out[kb] = { sync, async_ };
      }
      postMessage(out);
    }`, [index, size, sizes, N]);
  const waves = await runInWorker(`onmessage = async (e) => {
      const [url, size] = e.data, out = {};
      let at = 0;
      const block = () => { const from = ((at++) * 65536) % (size - 4096); return [from, from + 2047]; };
      for (const n of [1, 2, 4, 6, 8, 12]) {
        const apart = [], one = [];
        for (let i = 0; i < 30; i++) {
          let s = performance.now();
          await Promise.all(Array.from({ length: n }, () => { const [a, b] = block(); return fetch(url, { headers: { Range: 'bytes=' + a + '-' + b } }).then((r) => r.arrayBuffer()); }));
          apart.push(performance.now() - s);
          const ranges = Array.from({ length: n }, block).sort((x, y) => x[0] - y[0]).filter((r, j, all) => j === 0 || r[0] > all[j - 1][1]);
          s = performance.now();
          await (await fetch(url + '?ranges=' + ranges.map(([a, b]) => a + '-' + b).join(','))).arrayBuffer();
          one.push(performance.now() - s);
        }
        out[n] = { apart, one };
      }
      postMessage(out);
    }`, [index, size]);
  const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(2); };
  console.log(`index ${(size / 1024 / 1024).toFixed(1)} MB; p50 / p95 ms of ${N} reads each`);
  for (const kb of sizes) {
    const node = [];
    for (let i = 0; i < N; i++) {
      const from = ((1000 + i) * 65536) % Math.max(1, size - kb * 1024), t = performance.now();
      await (await fetch(index, { headers: { Range: `bytes=${from}-${from + kb * 1024 - 1}` } })).arrayBuffer();
      node.push(performance.now() - t);
    }
    const { sync, async_ } = inWorker[kb];
    console.log(`${String(kb).padStart(2)} KB: Worker sync XHR ${pct(sync, 0.5)} / ${pct(sync, 0.95)}, Worker fetch() ${pct(async_, 0.5)} / ${pct(async_, 0.95)}, Node ${pct(node, 0.5)} / ${pct(node, 0.95)}`);
  }
  console.log('a wave of N 2 KB blocks from a Worker, p50 / p90 ms of 30: N fetch() at once, against one request for all (?ranges=)');
  for (const [n, { apart, one }] of Object.entries(waves)) {
    console.log(`${String(n).padStart(2)} blocks: ${pct(apart, 0.5)} / ${pct(apart, 0.9)} apart, ${pct(one, 0.5)} / ${pct(one, 0.9)} in one request`);
  }
} finally {
  await browser.close();
  await server.stop();
}
