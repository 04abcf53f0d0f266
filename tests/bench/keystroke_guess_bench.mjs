// What guessing the next keystroke costs, and what it saves: the Worker's
// lazily read index (widget/src/lazy_file.js) over a generated help center
// of 10,000 articles, widget_bench's queries typed a key at a time, and
// after each answer the blocks of some guesses at the next keystroke
// fetched as their searches would fetch them (worker.js guessNext), each
// guess given time to arrive. Per way of guessing: how many keystrokes
// still waited on the network, the index bytes fetched, the same bytes
// gzipped wave by wave as the server sends them, and the Worker's time
// spent guessing after each keystroke (against widget_bench's 40 ms between
// keys, and any search's p99 target of 20 ms). This is where the Worker's
// p99 target meets the others: a keystroke that waits takes at least a
// round trip (widget_bench prints the network's floor), so a p99 within 20
// ms asks for fewer than 1 keystroke in 100 waiting.
//
//   FIRSTFIX_NATIVE=build/native/firstfix FIRSTFIX_WASM_DIR=build/wasm \
//     node --no-experimental-fetch tests/bench/keystroke_guess_bench.mjs [ARTICLES]
//
// "every likely" is the vocabulary's own odds (what a guesser would need
// the whole term list for; here read from the generated files): each letter
// the last word goes on with, most used first, until 95% of the words that
// begin so are covered, and, after a word the index has, each first letter
// of a next word likewise. "every possible" takes them all, after any
// word; "perfect foresight" fetches the keystroke that does come next.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createLazyFile, fetchWhatSearchReads } from '../../widget/src/lazy_file.js';
import { nextKeystroke } from '../../widget/src/next_keystroke.js';
import { TYPED_QUERIES as QUERIES } from './typed_queries.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const native = process.env.FIRSTFIX_NATIVE, wasmDir = process.env.FIRSTFIX_WASM_DIR && resolve(process.env.FIRSTFIX_WASM_DIR);
if (!native || !wasmDir) throw new Error('set FIRSTFIX_NATIVE and FIRSTFIX_WASM_DIR');
const articles = Number(process.argv[2] || 10000);
const createFirstfix = createRequire(import.meta.url)(join(wasmDir, 'firstfix.js'));
const wasm = await createFirstfix({ wasmBinary: readFileSync(join(wasmDir, 'firstfix.wasm')) });

const KEYSTROKES = QUERIES.flatMap((q) => [...q].map((_, i) => q.slice(0, i + 1)).filter((s) => !s.endsWith(' ')));
const request = (q) => ({ q, as_you_type: true, limit: 8, facets: false });

const folder = mkdtempSync(join(tmpdir(), 'ff-guess-bench-'));
try {
  execFileSync('node', [join(here, 'generate_help_center.mjs'), String(articles), join(folder, 'content')], { stdio: 'ignore' });
  execFileSync(native, ['build', join(folder, 'content'), '-o', join(folder, 'dist'), '-q']);
  const index = readFileSync(join(folder, 'dist', 'index.db'));
  // How many articles use each word.
  const uses = new Map();
  const dir = join(folder, 'content', 'articles');
  for (const f of readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.md'))) {
    for (const w of new Set(readFileSync(join(dir, f), 'utf8').toLowerCase().match(/[\p{L}\p{N}]+/gu))) uses.set(w, (uses.get(w) || 0) + 1);
  }
  // The letters words beginning with `prefix` go on with, most used first, until `share` of those words' uses.
  const nextLetters = (prefix, share) => {
    const by = new Map();
    let total = 0;
    for (const [w, n] of uses) if (w.length > prefix.length && w.startsWith(prefix)) { by.set(w[prefix.length], (by.get(w[prefix.length]) || 0) + n); total += n; }
    const letters = [];
    let covered = 0;
    for (const [letter, n] of [...by].sort((a, b) => b[1] - a[1])) { if (covered >= share * total) break; letters.push(letter); covered += n; }
    return letters;
  };
  // The query's last word gone on with, and a next word begun: `newWord` never, after a word the index has, or after any.
  const every = (share, newWord) => (q) => {
    const last = q.split(' ').pop().toLowerCase();
    const begun = newWord === 'after any' || (newWord === 'after a word' && uses.has(last));
    return [...nextLetters(last, share).map((c) => q + c), ...(begun ? nextLetters('', share).map((c) => `${q} ${c}`) : [])];
  };
  const WAYS = [
    ['none', () => []],
    ["the widget's (a letter the words shown go on with)", (q, response) => [nextKeystroke(request(q), response)?.q].filter(Boolean)],
    ['every likely next letter of the word', every(0.95, 'never')],
    ['every likely next keystroke', every(0.95, 'after a word')],
    ['every possible next keystroke', every(1, 'after any')],
    ['perfect foresight', (q, response, next) => (next ? [next] : [])],
  ];

  console.log(`${articles} articles, index ${(index.length / 1048576).toFixed(1)} MB; ${KEYSTROKES.length} keystrokes over widget_bench's ${QUERIES.length} queries`);
  console.log('| guesses after each answer | guesses | keystrokes that waited | index bytes | on the wire (gzipped waves) | x none | guessing per keystroke p50 / p90 / max |');
  console.log('|---|---|---|---|---|---|---|');
  let noneWire = 0;
  for (const [way, [name, guesses]] of WAYS.entries()) {
    let wire = 0, zipMs = 0;
    const slice = (from, to) => ({ status: 206, bytes: new Uint8Array(index.subarray(from, to + 1)) });
    const transport = {
      sync: slice,
      async: async (from, to) => slice(from, to),
      many: async (ranges) => {
        const answers = ranges.map(([from, to]) => slice(from, to));
        const zipping = performance.now();
        wire += gzipSync(Buffer.concat(answers.map((a) => a.bytes))).length;
        zipMs += performance.now() - zipping;  // the server's work, not the Worker's
        return answers;
      },
    };
    const path = `/guess-${way}.db`;
    const lazy = createLazyFile(wasm.FS, path, 'unused', index.length, { transport });
    const engine = new wasm.Engine(path);
    const warm = engine.warmUpRequest();  // as the Worker opens a large index
    await fetchWhatSearchReads(engine, lazy, warm);
    engine.search(warm);
    lazy.expect(null);
    const bytes0 = lazy.bytes, wire0 = wire;
    let waited = 0, guessed = 0;
    const guessMs = [];
    for (const [i, q] of KEYSTROKES.entries()) {
      const json = JSON.stringify(request(q));
      if (await fetchWhatSearchReads(engine, lazy, json)) waited++;
      const response = JSON.parse(engine.search(json));
      lazy.expect(null);
      if (i === 0) await lazy.holdBranches();  // as the Worker does once the first answer is shown
      const started = performance.now(), zipped = zipMs;
      const next = guesses(q, response, KEYSTROKES[i + 1]?.startsWith(q) ? KEYSTROKES[i + 1] : null);
      for (const guess of next) {
        await fetchWhatSearchReads(engine, lazy, JSON.stringify(request(guess)));
        lazy.expect(null);
      }
      guessed += next.length;
      guessMs.push(performance.now() - started - (zipMs - zipped));
    }
    if (name === 'none') noneWire = wire - wire0;
    guessMs.sort((a, b) => a - b);
    const at = (p) => guessMs[Math.min(guessMs.length - 1, Math.floor(p * guessMs.length))].toFixed(1);
    console.log(`| ${name} | ${guessed} | ${waited} of ${KEYSTROKES.length} | ${((lazy.bytes - bytes0) / 1024).toFixed(0)} KB | ` +
      `${((wire - wire0) / 1024).toFixed(0)} KB | ${((wire - wire0) / noneWire).toFixed(2)}x | ${at(0.5)} / ${at(0.9)} / ${guessMs.at(-1).toFixed(1)} ms |`);
  }
  console.log("(guessing: the Worker's computing, the network instant; widget_bench prints the wire bytes against Pagefind's, and the network's floor)");
} finally {
  rmSync(folder, { recursive: true, force: true });
}
