// The same core, two builds: the WebAssembly module must make exactly the
// terms and the ranked results that the native CLI makes.
//
//   node --no-experimental-fetch --test parity.test.mjs
// with FIRSTFIX_NATIVE (the native firstfix binary), FIRSTFIX_WASM_DIR
// (build/wasm) and FIRSTFIX_CONTENT (a content folder) in the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const native = process.env.FIRSTFIX_NATIVE;
const wasmDir = process.env.FIRSTFIX_WASM_DIR;
const content = process.env.FIRSTFIX_CONTENT;
assert.ok(native && wasmDir && content, 'set FIRSTFIX_NATIVE, FIRSTFIX_WASM_DIR and FIRSTFIX_CONTENT');

const require = createRequire(import.meta.url);
const createFirstfix = require(join(wasmDir, 'firstfix.js'));
const module_ = await createFirstfix({ wasmBinary: readFileSync(join(wasmDir, 'firstfix.wasm')) });
assert.ok(module_.addIcuData(readFileSync(join(wasmDir, 'icu-cjk.dat'))), 'CJK dictionary loads');

const unescape = (s) => s.replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
const rows = (file) => readFileSync(join(here, file), 'utf8').split('\n')
  .filter((l, i, all) => l.length > 0 || i < all.length - 1)
  .map((l) => { const tab = l.indexOf('\t'); return [l.slice(0, tab), unescape(l.slice(tab + 1))]; });

test('native and wasm make identical terms on a multilingual fixture', () => {
  const fixture = rows('multilingual.tsv');
  assert.ok(fixture.length >= 15);
  const byLocale = new Map();
  for (const [locale, text] of fixture) {
    if (!byLocale.has(locale)) byLocale.set(locale, []);
    byLocale.get(locale).push(text);
  }
  let compared = 0;
  for (const [locale, lines] of byLocale) {
    const out = execFileSync(native, ['analyze', '--json', '--locale', locale], { input: lines.join('\n') + '\n' })
      .toString().trimEnd().split('\n');
    lines.forEach((line, i) => {
      const wasm = JSON.parse(module_.analyze(locale, line));
      const nat = JSON.parse(out[i]);
      assert.deepEqual(wasm, nat, `locale ${locale}: ${line}`);
      compared += nat.length;
    });
  }
  assert.ok(compared > 150, `compared ${compared} terms`);
  // Every locale the analyzer supports is covered (the wasm build keeps only their stemmers).
  const supported = ['en', 'es', 'de', 'fr', 'it', 'pt', 'nl', 'sv', 'ar', 'he', 'ja', 'zh'];
  assert.deepEqual([...byLocale.keys()].sort(), [...supported].sort());
  // The fixture exercises what it claims to: folding, CJK words, no emoji terms.
  const terms = JSON.parse(module_.analyze('en', 'Ｃafé Straße ＰＡＳＳＷＯＲＤ ﬁle 😀')).map((t) => t[0]);
  assert.deepEqual(terms, ['cafe', 'strasse', 'password', 'file']);
  const ja = JSON.parse(module_.analyze('ja', '東京都に住んでいます')).map((t) => t[0]);
  assert.deepEqual(ja, ['東京', '都', 'に', '住', 'んで', 'い', 'ます']);
});

// The index as the Worker has it: a file in the module's virtual file system.
let opened = 0;
function openIndex(path) {
  const inModule = `/index-${++opened}.db`;
  module_.FS.writeFile(inModule, readFileSync(path));
  return new module_.Engine(inModule);
}

test('native and wasm rank the same articles for every sample query', () => {
  const dist = mkdtempSync(join(tmpdir(), 'firstfix-parity-'));
  try {
    execFileSync(native, ['build', content, '-o', dist, '--quiet']);
    const engine = openIndex(join(dist, 'index.db'));
    const queries = rows('queries.tsv');
    assert.ok(queries.length >= 50);
    let nonEmpty = 0;
    for (const asYouType of [false, true]) {
      for (const [locale, q] of queries) {
        const args = ['search', '--index', dist, '--locale', locale, '--batch', '--limit', '10'];
        if (asYouType) args.push('--prefix');
        const nat = JSON.parse(execFileSync(native, args, { input: `q\t${q}\n` }).toString());
        const wasm = JSON.parse(engine.search(JSON.stringify({ q, locale, limit: 10, as_you_type: asYouType, facets: false })));
        assert.equal(wasm.error, undefined, wasm.error);
        assert.deepEqual(wasm.results.map((r) => r.id), nat.results.map((r) => r.id), `${locale} "${q}" prefix=${asYouType}`);
        wasm.results.forEach((r, i) => assert.ok(Math.abs(r.score - nat.results[i].score) < 1e-9 * Math.max(1, r.score)));
        assert.equal(wasm.corrected, nat.corrected, `correction of "${q}"`);
        if (nat.results.length > 0) nonEmpty++;
      }
    }
    assert.ok(nonEmpty >= 140, `only ${nonEmpty} queries found anything`);
    engine.delete();
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});

test('the wasm engine answers bad requests with an error, not a crash', () => {
  const dist = mkdtempSync(join(tmpdir(), 'firstfix-parity-'));
  try {
    execFileSync(native, ['build', content, '-o', dist, '--quiet']);
    const engine = openIndex(join(dist, 'index.db'));
    assert.match(JSON.parse(engine.search('not json')).error, /malformed request/);
    assert.match(JSON.parse(engine.search('{"q": 5}')).error, /field 'q' must be a string/);
    assert.match(JSON.parse(engine.search('{"q": "x", "locale": "xx"}')).error, /unsupported locale/);
    assert.equal(JSON.parse(engine.search(JSON.stringify({ q: 'AND OR NOT "" ( * ~' }))).error, undefined);
    assert.equal(JSON.parse(engine.search(JSON.stringify({ q: 'x'.repeat(10240) }))).error, undefined);
    engine.delete();
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});
