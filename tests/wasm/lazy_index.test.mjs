// The Worker's lazily read index (widget/src/lazy_file.js) with what a
// search reads fetched all at once (worker.js): the posting lists it reads
// whole, each in one request, then the documents it shows. As-you-type
// searches wait on fewer round trips than reading each block in turn, fetch
// no more bytes, and show exactly what an index held whole shows.
//
//   node --no-experimental-fetch --test lazy_index.test.mjs
// with FIRSTFIX_NATIVE (the native firstfix binary) and FIRSTFIX_WASM_DIR
// (build/wasm) in the environment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createLazyFile, fetchWhatSearchReads } from '../../widget/src/lazy_file.js';
import { nextKeystroke } from '../../widget/src/next_keystroke.js';
import { TYPED_QUERIES as QUERIES } from '../bench/typed_queries.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const native = process.env.FIRSTFIX_NATIVE;
const wasmDir = process.env.FIRSTFIX_WASM_DIR;
assert.ok(native && wasmDir, 'set FIRSTFIX_NATIVE and FIRSTFIX_WASM_DIR');

const require = createRequire(import.meta.url);
const createFirstfix = require(join(wasmDir, 'firstfix.js'));
const module_ = await createFirstfix({ wasmBinary: readFileSync(join(wasmDir, 'firstfix.wasm')) });

const request = (q) => JSON.stringify({ q, as_you_type: true, limit: 8, facets: false });

let folder, index;
before(() => {
  folder = mkdtempSync(join(tmpdir(), 'ff-wasm-lazy-'));
  execFileSync('node', [join(here, '../bench/generate_help_center.mjs'), '10000', join(folder, 'content')], { stdio: 'ignore' });
  execFileSync(native, ['build', join(folder, 'content'), '-o', join(folder, 'dist'), '-q']);
  index = readFileSync(join(folder, 'dist', 'index.db'));
});
after(() => rmSync(folder, { recursive: true, force: true }));

let files = 0;
// An engine over the index read lazily from memory, counting each kind of request.
// With `many`, the transport also fetches several ranges in one request, as
// firstfix serves them (`?ranges=`), each answer held back until `gate`
// (a promise, when given) settles, as a slow network would.
function lazyEngine({ many = false, gate = null } = {}) {
  const calls = { sync: 0, async: 0, many: 0 };
  const slice = (from, to) => ({ status: 206, bytes: new Uint8Array(index.subarray(from, to + 1)) });
  const transport = {
    sync: (from, to) => { calls.sync++; return slice(from, to); },
    async: async (from, to) => { calls.async++; return slice(from, to); },
  };
  if (many) transport.many = async (ranges) => { calls.many++; await gate; return ranges.map(([from, to]) => slice(from, to)); };
  const path = `/lazy-${files++}.db`;
  const lazy = createLazyFile(module_.FS, path, 'unused', index.length, { transport });
  return { engine: new module_.Engine(path), lazy, calls };
}

const comparable = (json) => {
  const r = JSON.parse(json);
  assert.ok(!r.error, r.error);
  return { corrected: r.corrected, total: r.total, hits: r.results.map((h) => [h.id, h.title_html, h.snippet_html]) };
};

test('what a search reads is fetched at once: fewer round trips, no more bytes, the same results', async () => {
  const whole = `/whole-${files++}.db`;
  module_.FS.writeFile(whole, index);
  const reference = new module_.Engine(whole);
  const parallel = lazyEngine(), inTurn = lazyEngine();
  let keystrokes = 0, roundTrips = 0, inTurnRoundTrips = 0, heaviest = 0, inTurnHeaviest = 0;
  for (const q of QUERIES) {
    for (let i = 1; i <= q.length; i++) {
      const req = request(q.slice(0, i));
      const syncBefore = parallel.calls.sync;
      const waves = await fetchWhatSearchReads(parallel.engine, parallel.lazy, req);
      const matched = parallel.calls.sync;
      const got = comparable(parallel.engine.search(req));
      parallel.lazy.expect(null);
      assert.equal(parallel.calls.sync, matched, `"${q.slice(0, i)}": the search read a document block it had not fetched`);
      assert.deepEqual(got, comparable(reference.search(req)), `"${q.slice(0, i)}": as the whole index`);
      const inTurnBefore = inTurn.calls.sync;
      assert.deepEqual(comparable(inTurn.engine.search(req)), got);
      const trips = parallel.calls.sync - syncBefore + waves, inTurnTrips = inTurn.calls.sync - inTurnBefore;
      roundTrips += trips;
      inTurnRoundTrips += inTurnTrips;
      heaviest = Math.max(heaviest, trips);
      inTurnHeaviest = Math.max(inTurnHeaviest, inTurnTrips);
      keystrokes++;
    }
  }
  console.log(`# ${keystrokes} keystrokes on ${(index.length / 1024 / 1024).toFixed(1)} MB: ${roundTrips} round trips waited on ` +
    `(at most ${heaviest} for one) against ${inTurnRoundTrips} (at most ${inTurnHeaviest}) reading each block in turn; ` +
    `${(parallel.lazy.bytes / 1024).toFixed(0)} KB against ${(inTurn.lazy.bytes / 1024).toFixed(0)} KB`);
  assert.ok(parallel.calls.async > 0, 'documents were fetched in parallel');
  assert.ok(roundTrips <= 0.8 * inTurnRoundTrips, `${roundTrips} round trips against ${inTurnRoundTrips}`);
  assert.ok(parallel.lazy.bytes <= 1.1 * inTurn.lazy.bytes, `${parallel.lazy.bytes} bytes against ${inTurn.lazy.bytes}`);
});

// Xapian walks every word an as-you-type prefix begins (with each word's
// postings) to pick the most frequent, and reads a long posting list chunk
// by chunk: each leaf named only by the one before. Told what the search
// reads whole (the core's posting reads), the file fetches each such range
// of leaves in one request, with the branch blocks it holds as the map.
test('the posting lists a search reads whole come in a request each once the file is told which', () => {
  const reads = JSON.parse(lazyEngine().engine.postingReads(request('reset pas')));
  assert.deepEqual(reads.prefixes, ['pas']);
  assert.ok(reads.terms.includes('Zreset'), reads.terms.join(' '));
  assert.deepEqual(JSON.parse(lazyEngine().engine.postingReads('{"q": 5}')), { terms: [], prefixes: [] }, 'a bad request: nothing (the search says why)');
  // Typing, each search planned and matched (unshownDocuments: the posting
  // lists, not yet the documents) with the file told and not told.
  const told = lazyEngine(), untold = lazyEngine();
  let toldMatching = 0, untoldMatching = 0, toldBytes = 0, untoldBytes = 0;
  for (const q of QUERIES) {
    for (let i = 1; i <= q.length; i++) {
      const req = request(q.slice(0, i));
      const [t0, tb, u0, ub] = [told.calls.sync, told.lazy.bytes, untold.calls.sync, untold.lazy.bytes];
      told.lazy.expect(JSON.parse(told.engine.postingReads(req)));
      told.engine.unshownDocuments(req);
      told.lazy.expect(null);
      untold.engine.unshownDocuments(req);
      [toldMatching, toldBytes] = [toldMatching + told.calls.sync - t0, toldBytes + told.lazy.bytes - tb];
      [untoldMatching, untoldBytes] = [untoldMatching + untold.calls.sync - u0, untoldBytes + untold.lazy.bytes - ub];
      assert.deepEqual(comparable(told.engine.search(req)), comparable(untold.engine.search(req)), `"${q.slice(0, i)}": the same results`);
    }
  }
  console.log(`# typing, matching: ${toldMatching} requests told what each search reads whole, ${untoldMatching} not; ` +
    `${(toldBytes / 1024).toFixed(0)} KB against ${(untoldBytes / 1024).toFixed(0)} KB`);
  assert.ok(toldMatching <= 0.8 * untoldMatching, `${toldMatching} requests against ${untoldMatching}`);
  assert.ok(toldBytes <= 1.05 * untoldBytes, `${toldBytes} bytes against ${untoldBytes}`);
});

// A large index has its posting lists' branch blocks held once the first
// answer is shown (the Worker's prefetch): each lookup then fetches its
// leaf, and what its reader goes on to, in the first wave.
test('with the posting branches held, typing waits on fewer round trips for about the same bytes', async () => {
  const typing = async (hold) => {
    const { engine, lazy, calls } = lazyEngine();
    engine.search(request('x'));  // the first answer, before the Worker holds anything
    const held = hold ? await lazy.holdBranches() : 0;
    let trips = 0, heaviest = 0;
    const hits = [];
    for (const q of QUERIES) {
      for (let i = 1; i <= q.length; i++) {
        const req = request(q.slice(0, i)), before = calls.sync;
        const waves = await fetchWhatSearchReads(engine, lazy, req);
        hits.push(comparable(engine.search(req)));
        lazy.expect(null);
        trips += waves + calls.sync - before;
        heaviest = Math.max(heaviest, waves + calls.sync - before);
      }
    }
    return { held, trips, heaviest, bytes: lazy.bytes, hits };
  };
  const [held, lazyOnly] = [await typing(true), await typing(false)];
  console.log(`# posting branches held (${held.held} blocks): ${held.trips} round trips (at most ${held.heaviest}), ` +
    `${(held.bytes / 1024).toFixed(0)} KB with them; not held: ${lazyOnly.trips} (at most ${lazyOnly.heaviest}), ${(lazyOnly.bytes / 1024).toFixed(0)} KB`);
  assert.ok(held.held > 1, 'the root and the branches under it');
  assert.deepEqual(held.hits, lazyOnly.hits, 'the same results');
  assert.ok(held.trips <= 0.9 * lazyOnly.trips, `${held.trips} round trips against ${lazyOnly.trips}`);
  assert.ok(held.heaviest < lazyOnly.heaviest, `at most ${held.heaviest} for a keystroke against ${lazyOnly.heaviest}`);
  assert.ok(held.bytes <= 1.05 * lazyOnly.bytes, `${held.bytes} bytes against ${lazyOnly.bytes}`);
  // Not a glass database's version block: nothing held, nothing broken.
  const other = createLazyFile(module_.FS, `/other-${files++}.db`, 'unused', 8192, {
    transport: { sync: () => ({ status: 206, bytes: new Uint8Array(2048) }), async: async () => ({ status: 206, bytes: new Uint8Array(2048) }) } });
  assert.equal(await other.holdBranches(), 0);
});

// While the customer types, the Worker fetches what the keystroke most
// likely next will read (worker.js guessNext, nextKeystroke's guess from
// the words the last answer showed). Typed with a pause after each key, as
// if every guess had time to arrive: fewer keystrokes wait on the network,
// for a few more bytes, and every answer is the same.
test('a guess at the next keystroke fetched while typing leaves fewer keystrokes waiting on the network, for a few more bytes', async () => {
  assert.deepEqual(nextKeystroke({ q: 'reset Pas', as_you_type: true }, { results: [
    { title: 'Reset your password', snippet_html: '<mark>Paste</mark> the code' }, { title: 'Pasta', snippet_html: 'pas' }] }),
  { q: 'reset Past', as_you_type: true }, 'the letter most of the words shown go on with');
  assert.equal(nextKeystroke({ q: 'reset ', as_you_type: false }, { results: [{ title: 'Reset your password' }] }), null, 'no unfinished word');
  assert.equal(nextKeystroke({ q: 'zz', as_you_type: true }, { results: [{ title: 'Reset your password' }] }), null, 'no word shown goes on from it');
  const typing = async (guessing) => {
    const { engine, lazy } = lazyEngine({ many: true });
    let waiting = 0;
    const hits = [];
    for (const q of QUERIES) {
      for (let i = 1; i <= q.length; i++) {
        const req = request(q.slice(0, i));
        if (await fetchWhatSearchReads(engine, lazy, req)) waiting++;
        const json = engine.search(req);
        lazy.expect(null);
        hits.push(comparable(json));
        const next = guessing && nextKeystroke(JSON.parse(req), JSON.parse(json));
        if (next) { await fetchWhatSearchReads(engine, lazy, JSON.stringify(next)); lazy.expect(null); }
      }
    }
    return { waiting, bytes: lazy.bytes, hits };
  };
  const [guessed, plain] = [await typing(true), await typing(false)];
  console.log(`# keystrokes waiting on the network: ${guessed.waiting} with guesses, ${plain.waiting} without; ` +
    `index bytes ${(guessed.bytes / 1024).toFixed(0)} KB against ${(plain.bytes / 1024).toFixed(0)} KB`);
  assert.deepEqual(guessed.hits, plain.hits, 'the same results');
  assert.ok(guessed.waiting <= 0.7 * plain.waiting, `${guessed.waiting} keystrokes waited against ${plain.waiting}`);
  assert.ok(guessed.bytes <= 1.1 * plain.bytes, `${guessed.bytes} bytes against ${plain.bytes}`);
});

// A search begun while a guess's wave is on its way waits for the blocks
// it shares rather than asking again, and the guess, given up, touches
// neither the engine nor the file afterwards.
test('a search begun while a guess is fetching waits for the blocks in flight, not asking twice', async () => {
  const whole = `/whole-${files++}.db`;
  module_.FS.writeFile(whole, index);
  const reference = new module_.Engine(whole);
  const alone = lazyEngine({ many: true });
  await fetchWhatSearchReads(alone.engine, alone.lazy, request('reset pas'));
  let release;
  const { engine, lazy, calls } = lazyEngine({ many: true, gate: new Promise((r) => { release = r; }) });
  let live = true;
  const guessing = fetchWhatSearchReads(engine, lazy, request('reset pas'), () => live);
  live = false;  // the customer typed: the guess is given up, its first wave already asked for
  const searching = fetchWhatSearchReads(engine, lazy, request('reset pas'));
  assert.equal(calls.many, 1, 'the search asked for nothing its guess had asked for');
  release();
  assert.equal(await guessing, 1, 'the guess stopped after the wave it had asked for');
  await searching;
  assert.deepEqual(comparable(engine.search(request('reset pas'))), comparable(reference.search(request('reset pas'))));
  lazy.expect(null);
  assert.equal(lazy.bytes, alone.lazy.bytes, 'no block fetched twice');
  assert.equal(calls.many, alone.calls.many, 'no more requests than the search alone');
});

// A lookup whose first leaf is held (an earlier keystroke read it) reads
// on into leaves that are not: more of a posting list, the rest of the
// words a prefix begins. Those come in the waves before the search, with
// the other lookups' blocks, not one round trip each while it matches.
test('a lookup that finds its leaf held brings what it reads on to in the same wave', async () => {
  const whole = `/whole-${files++}.db`;
  module_.FS.writeFile(whole, index);
  const reference = new module_.Engine(whole);
  for (const [earlier, typed] of [['refund', 'ref'], ['tra', 'track'], ['requires', 'resched']]) {
    const { engine, lazy, calls } = lazyEngine();
    const searched = JSON.stringify({ q: earlier, limit: 8, facets: false });  // a search submitted whole
    await fetchWhatSearchReads(engine, lazy, searched);
    engine.search(searched);
    lazy.expect(null);
    let whileMatching = 0;
    const counted = {
      planReads: (r) => engine.planReads(r),
      touchPlan: (r) => engine.touchPlan(r),
      postingReads: (r) => engine.postingReads(r),
      touchPostings: (r) => engine.touchPostings(r),
      touchDocuments: (r) => engine.touchDocuments(r),
      unshownDocuments: (r) => { const before = calls.sync; const ids = engine.unshownDocuments(r); whileMatching += calls.sync - before; return ids; },
    };
    await fetchWhatSearchReads(counted, lazy, request(typed));
    const before = calls.sync;
    assert.deepEqual(comparable(engine.search(request(typed))), comparable(reference.search(request(typed))), `"${typed}": as the whole index`);
    lazy.expect(null);
    assert.equal(whileMatching + calls.sync - before, 0, `"${typed}" after "${earlier}": blocks read one by one after the waves`);
  }
});

// Planning a search looks up whether each word (and its stem, and two
// words written as one) is indexed, and a word that is not in the spelling
// table, key after key: each lookup a round trip in turn. Those lookups come
// in the waves before planning (the core's plan_reads), and a word to correct
// has the blocks of all its spelling keys fetched in one wave (the file
// holds the spelling table's branch and knows the words from plan_reads).
test('planning reads no block one at a time, and a word to correct has its spelling keys fetched in one wave', async () => {
  // The engine as fetchWhatSearchReads calls it, counting the blocks
  // planning (postingReads) reads one at a time, and with the words to
  // correct kept from the file when `untold`.
  const calling = (engine, calls, { untold = false, keep = 'spelling' } = {}) => {
    const api = { planning: 0 };
    for (const name of ['planReads', 'touchPlan', 'postingReads', 'touchPostings', 'touchDocuments', 'unshownDocuments']) api[name] = (r) => engine[name](r);
    if (untold) api.planReads = (r) => JSON.stringify({ ...JSON.parse(engine.planReads(r)), [keep]: [] });
    api.postingReads = (r) => { const before = calls.sync; const reads = engine.postingReads(r); api.planning += calls.sync - before; return reads; };
    return api;
  };
  const held = async () => {
    const lazyOne = lazyEngine();
    lazyOne.engine.search(request('x'));
    await lazyOne.lazy.holdBranches();
    return lazyOne;
  };
  // The typing; the same typing planned with no waves before it; and with
  // the file not told which terms planning looks up (a frequent short word's
  // first chunk may begin in the leaf before its own: both come in one wave
  // when told).
  const [waved, alone, blind] = [await held(), await held(), await held()];
  const api = calling(waved.engine, waved.calls), blindApi = calling(blind.engine, blind.calls, { untold: true, keep: 'lookups' });
  let unwaved = 0, trips = 0, blindTrips = 0;
  for (const q of QUERIES) {
    for (let i = 1; i <= q.length; i++) {
      const req = request(q.slice(0, i));
      for (const [one, calls] of [[waved, api], [blind, blindApi]]) {
        const before = one.calls.sync, waves = await fetchWhatSearchReads(calls, one.lazy, req);
        one.engine.search(req);
        one.lazy.expect(null);
        if (one === waved) trips += waves + one.calls.sync - before;
        else blindTrips += waves + one.calls.sync - before;
      }
      const before = alone.calls.sync;
      alone.engine.postingReads(req);
      unwaved += alone.calls.sync - before;
      alone.engine.search(req);
    }
  }
  console.log(`# typing: planning read ${api.planning} blocks one at a time after the waves, ${unwaved} without them; ` +
    `${trips} round trips, ${blindTrips} with the file not told the terms planning looks up`);
  assert.equal(api.planning, 0, 'blocks planning read one at a time');
  assert.ok(unwaved > 20, `${unwaved}: planning alone reads blocks one at a time`);
  assert.ok(trips < blindTrips, `${trips} round trips against ${blindTrips} not told the terms looked up`);

  // Misspelt words, each corrected as the whole index corrects it, after
  // the query typed right (its other words' blocks held).
  const whole = `/whole-${files++}.db`;
  module_.FS.writeFile(whole, index);
  const reference = new module_.Engine(whole);
  for (const [typed, misspelt] of [['wifi offline', 'wifi ofline'], ['reset password', 'reset pasword'], ['cancel subscription', 'cancel subscripton']]) {
    const trips = {};
    for (const untold of [false, true]) {
      const { engine, lazy, calls } = await held();
      const first = JSON.stringify({ q: typed, limit: 8, facets: false });
      await fetchWhatSearchReads(engine, lazy, first);
      engine.search(first);
      lazy.expect(null);
      const req = JSON.stringify({ q: misspelt, limit: 8, facets: false }), before = calls.sync;
      const waves = await fetchWhatSearchReads(calling(engine, calls, { untold }), lazy, req);
      const got = comparable(engine.search(req));
      lazy.expect(null);
      assert.deepEqual(got, comparable(reference.search(req)), `"${misspelt}": as the whole index`);
      assert.ok(got.corrected, `"${misspelt}" is corrected`);
      trips[untold ? 'untold' : 'told'] = waves + calls.sync - before;
    }
    console.log(`# "${misspelt}" after "${typed}": ${trips.told} round trips with its spelling keys fetched in one wave, ${trips.untold} without`);
    assert.ok(trips.told < trips.untold, `"${misspelt}": ${trips.told} round trips against ${trips.untold}`);
  }
});

// Each request in flight costs a Chromium Worker more (8 blocks of 2 KB:
// 11.8 ms p50 fetched at once, 2.4 ms in one request; tests/bench/round_trips.mjs):
// a wave's blocks come in one request when the transport can.
test('a transport that fetches several ranges at once is asked once a wave, with the same results and bytes', async () => {
  const [one, apart] = [lazyEngine({ many: true }), lazyEngine()];
  let waves = 0, runs = 0;
  for (const q of QUERIES) {
    for (let i = 1; i <= q.length; i++) {
      const req = request(q.slice(0, i)), before = apart.lazy.parallelRequests;
      waves += await fetchWhatSearchReads(one.engine, one.lazy, req);
      await fetchWhatSearchReads(apart.engine, apart.lazy, req);
      runs += apart.lazy.parallelRequests - before;
      assert.deepEqual(comparable(one.engine.search(req)), comparable(apart.engine.search(req)), q.slice(0, i));
      one.lazy.expect(null);
      apart.lazy.expect(null);
    }
  }
  console.log(`# typing: ${waves} waves in ${one.calls.many + one.calls.async} requests, against ${runs} requests apart`);
  assert.equal(one.calls.many + one.calls.async, waves, 'a request a wave');
  assert.ok(one.calls.many > 0 && runs > 1.5 * waves, `${runs} requests apart for ${waves} waves`);
  assert.equal(one.lazy.bytes, apart.lazy.bytes);
});

test('declined reads leave the engine unharmed, and a search without them fetches what it needs as it goes', () => {
  const { engine, lazy, calls } = lazyEngine();
  const r = comparable(engine.search(request('reset password')));
  assert.ok(r.hits.length > 0 && calls.sync > 0 && calls.async === 0);
  const ids = engine.unshownDocuments(request('thermostat offline'));
  assert.ok(JSON.parse(ids).length > 0);
  lazy.declining = true;
  assert.ok(engine.touchDocuments(ids) > 0, 'reads of blocks not held fail while declining');
  lazy.declining = false;
  assert.deepEqual(comparable(engine.search(request('reset password'))), r);
  assert.ok(comparable(engine.search(request('thermostat offline'))).hits.length > 0);
  assert.equal(engine.unshownDocuments('{"q": 5}'), '[]', 'a bad request asks for nothing (the search says why)');
});
