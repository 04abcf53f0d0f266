// What one round trip for index blocks costs from a Chromium Worker (sync
// XHR and fetch()) and from Node, by range size: the lazily read index
// waits on round trips in a row, so their cost, not their size, sets a cold
// keystroke's time.
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
  // Each read at another offset (wrapping within the index), so none is cached.
  const inWorker = await page.evaluate(([index, size, sizes, N]) => new Promise((resolve) => {
    const src = `onmessage = async (e) => {
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
    }`;
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    w.onmessage = (e) => resolve(e.data);
    w.postMessage([index, size, sizes, N]);
  }), [index, size, sizes, N]);
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
} finally {
  await browser.close();
  await server.stop();
}
