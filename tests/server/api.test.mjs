// The HTTP API over real loopback HTTP: answers, errors, caching, shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, repo, firstfixBin } from '../support/server.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const get = (path, init) => fetch(server.origin + path, init);

test('healthz reports the content served', async () => {
  const r = await get('/healthz');
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.equal(body.status, 'ok');
  assert.equal(body.articles, 60);
});

test('search answers with the same ranking as the CLI', async () => {
  const r = await get('/api/v1/search?q=pasword%20resett&limit=5');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /application\/json/);
  const body = await r.json();
  assert.equal(body.corrected, 'password reset');
  // The flow that resets it first (one of its intents has the query's form), then the article.
  assert.deepEqual(body.results.slice(0, 2).map((x) => x.id), ['password-reset', 'reset-password']);
  assert.match(body.results[0].title_html, /<mark>password<\/mark>/i);
  const dist = mkdtempSync(join(tmpdir(), 'ff-api-'));
  execFileSync(firstfixBin, ['build', `${repo}/content`, '-o', dist, '--quiet']);
  const cli = JSON.parse(execFileSync(firstfixBin,
    ['search', '--index', dist, '--limit', '5', '--json', 'pasword resett']).toString());
  rmSync(dist, { recursive: true, force: true });
  assert.deepEqual(body.results.map((x) => x.id), cli.results.map((x) => x.id));
  const es = await (await get('/api/v1/search?q=contrase%C3%B1a&locale=es')).json();
  assert.equal(es.results[0].id, 'restablecer-contrasena');
});

test('answers are gzipped for clients that take it, and the same either way', async () => {
  const path = '/api/v1/search?q=refund&limit=8';
  const zipped = await get(path, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(zipped.headers.get('content-encoding'), 'gzip');
  assert.match(zipped.headers.get('vary'), /Accept-Encoding/);
  const plain = await get(path, { headers: { 'accept-encoding': 'identity' } });
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.deepEqual(await zipped.json(), await plain.json());
  const small = await get('/healthz', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(small.headers.get('content-encoding'), null, 'a small answer is not worth compressing');
  const page = await get('/', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(page.headers.get('content-encoding'), 'gzip');
});

test('malformed requests get a 4xx with a JSON reason', async () => {
  const cases = [
    ['/api/v1/search?q=x&bogus=1', 400, /unknown parameter 'bogus'/],
    ['/api/v1/search?limit=abc', 400, /'limit' must be a non-negative integer/],
    ['/api/v1/search?limit=500', 400, /'limit' must be an integer from 0 to 100/],
    ['/api/v1/search?locale=xx&q=a', 400, /unsupported locale 'xx'/],
    ['/api/v1/search?as_you_type=maybe', 400, /must be true or false/],
    ['/api/v1/search?q=%ZZ', 400, /malformed/],
    ['/api/v1/articles/nope', 404, /no article with id 'nope'/],
    ['/api/v1/suggested?page=x&q=1', 400, /unknown parameter 'q' \(expected page, locale\)/],
    [`/api/v1/suggested?page=${'a'.repeat(5000)}`, 400, /'page' is longer than 4096 bytes/],
    ['/api/v1/nothing', 404, /no such endpoint/],
  ];
  for (const [path, status, reason] of cases) {
    const r = await get(path);
    assert.equal(r.status, status, path);
    assert.match((await r.json()).error, reason, path);
  }
  const post = await get('/api/v1/search', { method: 'POST', body: '{}' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  assert.match((await post.json()).error, /POST is not supported on \/api\/v1\/search/);
  const put = await get('/api/v1/search', { method: 'PUT', body: '{}' });
  assert.equal(put.status, 405);
  assert.match((await put.json()).error, /only GET, HEAD and POST/);
});

test("the opening list: a page's own articles and flows first, then the most helpful; any page, any locale", async () => {
  const ask = async (page, locale) => {
    const r = await get(`/api/v1/suggested?page=${encodeURIComponent(page)}&locale=${locale}`);
    assert.equal(r.status, 200, page);
    return r.json();
  };
  const orders = await ask('https://shop.example/orders/BL-1?tab=2#x', 'en');
  assert.equal(orders.locale, 'en');
  assert.equal(orders.items.length, 6);
  assert.ok(orders.items.some((i) => i.id === 'order-tracking' && i.kind === 'flow' && i.reason === 'page' && i.url === '/flows/order-tracking'));
  const spanish = await ask('https://shop.example/es/orders', 'es');
  assert.deepEqual(spanish.items.filter((i) => i.reason === 'page').map((i) => i.id), ['seguimiento-de-pedido', 'seguir-pedido']);
  // Nothing names the page, the locale has no content, the page is no URL at all: still a list, never an error.
  for (const [page, locale] of [['https://shop.example/', 'en'], ['https://shop.example/', 'ja'], ['\u00ff\u0000 not a url', '']]) {
    const list = await ask(page, locale);
    assert.ok(list.items.length > 0 && list.items.every((i) => i.reason === 'static'), JSON.stringify(list));
  }
});

test('hostile queries are answered, never a crash', async () => {
  for (const q of ['', 'AND OR NOT "" ( * ~', 'x'.repeat(10240), '\u00ff\u00fe', '"unbalanced', '-']) {
    const r = await get(`/api/v1/search?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, q.slice(0, 20));
  }
  // A raw request with a header far over the limit is refused, not fatal.
  const reply = await new Promise((resolve) => {
    const u = new URL(server.origin);
    const s = net.connect(Number(u.port), u.hostname, () => s.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100000)}\r\n\r\n`));
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('close', () => resolve(data));
    s.on('error', () => resolve(data));
  });
  assert.match(reply, /^HTTP\/1.1 4\d\d/);
  assert.equal((await get('/healthz')).status, 200);
});

test('widget files: hashed and immutable, loader short-cached, wasm MIME, gzip', async () => {
  const loader = await get('/widget.js', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(loader.status, 200);
  assert.match(loader.headers.get('cache-control'), /max-age=300/);
  const text = await loader.text();
  const wasmUrl = /"wasm":"([^"]+)"/.exec(text)[1];
  assert.match(wasmUrl, /^\/assets\/firstfix\.[0-9a-f]{12}\.wasm$/);
  const wasm = await get(wasmUrl, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.match(wasm.headers.get('cache-control'), /immutable/);
  assert.equal(wasm.headers.get('content-encoding'), 'gzip');
  const wasmBr = await get(wasmUrl, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(wasmBr.headers.get('content-encoding'), 'br');
  assert.deepEqual(new Uint8Array(await wasmBr.arrayBuffer()), new Uint8Array(await (await get(wasmUrl, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer()));
  const refused = await get(wasmUrl, { headers: { 'accept-encoding': 'br;q=0, gzip' } });
  assert.equal(refused.headers.get('content-encoding'), 'gzip');
  for (const [path, type] of [['/firstfix.mjs', /javascript/], ['/firstfix.d.ts', /text\/plain/]]) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type'), type);
  }
  assert.match(await (await get('/firstfix.mjs')).text(), /loadFirstfix/);
  const indexUrl = /"index":"([^"]+)"/.exec(text)[1];
  const whole = new Uint8Array(await (await get(indexUrl)).arrayBuffer());
  const part = await get(indexUrl, { headers: { range: 'bytes=2048-4095' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 2048-4095/${whole.length}`);
  assert.deepEqual(new Uint8Array(await part.arrayBuffer()), whole.slice(2048, 4096));
  const tail = await get(indexUrl, { headers: { range: 'bytes=-10' } });
  assert.deepEqual(new Uint8Array(await tail.arrayBuffer()), whole.slice(-10));
  const bad = await get(indexUrl, { headers: { range: `bytes=${whole.length + 5}-` } });
  assert.equal(bad.status, 416);
  // Several ranges in one request (the Worker's waves): their bytes one after another.
  const many = await get(`${indexUrl}?ranges=0-15,2048-4095,${whole.length - 4}-${whole.length - 1}`);
  assert.equal(many.status, 200);
  assert.equal(many.headers.get('access-control-allow-origin'), '*');
  const joined = new Uint8Array(await many.arrayBuffer());
  assert.deepEqual(joined, new Uint8Array([...whole.slice(0, 16), ...whole.slice(2048, 4096), ...whole.slice(-4)]));
  // Compressed when the client accepts it (a Range answer never is): the
  // same bytes, fewer of them on the wire; as they are without gzip.
  assert.equal(many.headers.get('content-encoding'), 'gzip');
  assert.ok(Number(many.headers.get('content-length')) < joined.length, many.headers.get('content-length'));
  assert.equal(part.headers.get('content-encoding'), null);
  const plain = await get(`${indexUrl}?ranges=0-15,2048-4095,${whole.length - 4}-${whole.length - 1}`, { headers: { 'accept-encoding': 'identity' } });
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.deepEqual(new Uint8Array(await plain.arrayBuffer()), joined);
  // Past 256 KB a request is not worth a stranger's asking: served as it is.
  assert.ok(whole.length > 256 * 1024, `the sample index has ${whole.length} bytes`);
  const big = await get(`${indexUrl}?ranges=0-${whole.length - 1}`);
  assert.equal(big.headers.get('content-encoding'), null);
  assert.deepEqual(new Uint8Array(await big.arrayBuffer()), whole);
  for (const [ranges, status, why] of [['5-3', 400, /FIRST-LAST/], ['0-9,5-20', 400, /ascending/], ['2048-4095,0-15', 400, /ascending/],
    [`0-${whole.length}`, 416, /past the end/], ['a-b', 400, /byte offsets/], ['', 400, /byte offsets/],
    [Array.from({ length: 65 }, (_, i) => `${i * 4}-${i * 4 + 1}`).join(','), 400, /at most 64/]]) {
    const r = await get(`${indexUrl}?ranges=${ranges}`);
    assert.equal(r.status, status, ranges.slice(0, 40));
    assert.match((await r.json()).error, why, ranges.slice(0, 40));
  }
  assert.equal((await get(`${indexUrl}?ranges=0-1&ranges=2-3`)).status, 400, 'given twice');
  // The index is served from disk: without compression the whole file streams, and HEAD tells its size.
  const identity = await get(indexUrl, { headers: { 'accept-encoding': 'identity' } });
  assert.equal(identity.headers.get('content-encoding'), null);
  assert.deepEqual(new Uint8Array(await identity.arrayBuffer()), whole);
  const head = await get(indexUrl, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
  assert.equal(Number(head.headers.get('content-length')), whole.length);
  const health = await (await get('/healthz')).json();
  assert.equal(health.status, 'ok');
  const etag = wasm.headers.get('etag');
  const again = await get(wasmUrl, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
});

test('the demo site: home, article and search pages embed the widget with one tag', async () => {
  for (const path of ['/', '/?locale=es', '/articles/reset-password', '/search?q=refund']) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    const html = await r.text();
    assert.equal(html.match(/<script\b/g).length, 1, path);
    assert.match(html, /<script src="\/widget.js" async><\/script>/);
    assert.match(r.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
  }
  assert.equal((await get('/articles/nope')).status, 404);
});

test('SIGTERM stops the server cleanly, finishing a request in flight', async () => {
  const other = await startServer();
  const inFlight = fetch(`${other.origin}/api/v1/search?q=refund`);
  await new Promise((r) => setTimeout(r, 5));
  const exited = new Promise((r) => other.proc.once('exit', (code, signal) => r({ code, signal })));
  other.proc.kill('SIGTERM');
  const response = await inFlight.then((r) => r.status).catch(() => 'refused');
  assert.ok(response === 200 || response === 'refused', `in-flight request: ${response}`);
  assert.deepEqual(await exited, { code: 0, signal: null });
  assert.match(other.output(), /firstfix: stopped/);
  await other.stop();
});
