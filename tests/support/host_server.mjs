// A customer's web site for tests and benchmarks: a real HTTP server on its
// own loopback port (so a page on it embeds the widget from another origin,
// as real sites do), serving pages set by the test and, optionally, a folder
// of static files under a prefix.
//
// Pages served this way cost the browser nothing extra; Playwright's
// route() interception, by contrast, sends every request of the context
// (the widget's too) through the test process, which adds milliseconds to
// each one.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json',
  '.html': 'text/html; charset=utf-8', '.css': 'text/css' };

export async function startHostServer() {
  const pages = new Map();   // path -> {html, headers}
  const folders = new Map(); // prefix -> folder
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://host').pathname;
    const page = pages.get(path);
    if (page) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...page.headers });
      return res.end(page.html);
    }
    for (const [prefix, folder] of folders) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(folder, path.slice(prefix.length)));
      if (!file.startsWith(folder)) break;
      try {
        const body = await readFile(file);
        const ext = file.slice(file.lastIndexOf('.'));
        res.writeHead(200, { 'Content-Type': TYPES[ext] || 'application/octet-stream', 'Cache-Control': 'no-cache' });
        return res.end(body);
      } catch {
        break;
      }
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  server.keepAliveTimeout = 60000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Another port is another origin: the widget's server is cross-origin to these pages.
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    page(path, html, headers = {}) { pages.set(path, { html, headers }); return origin + path; },
    folder(prefix, folder) { folders.set(prefix, normalize(folder)); },
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
