// A read-only file in Emscripten's virtual file system whose bytes come from
// HTTP Range requests as they are read, the database's own 2 KB blocks
// (more at a time when read in order), and are kept. Xapian reads one block per lookup, so a
// query touches kilobytes of a large index instead of downloading it whole.
//
// Two ways to read a block that is not held:
// - fetched at once, with a synchronous request (allowed in Workers; Xapian's
//   reads are synchronous), one round trip per block;
// - declined (while `declining` is set): the read fails with EIO, which
//   Xapian reports as an error, and the block is noted; fetchDeclined() then
//   fetches every noted block at once, in parallel. fetchWhatSearchReads()
//   (below) looks up each posting list a search reads and each document it
//   shows on its own this way, so one call notes a block of every one.
//
// Reads that go on: a block's reader often goes on to the blocks after it in
// a chain, each known only once the one before has arrived. The database's
// branch blocks (kept like any other) name every child with its first key
// (glass B-trees: cut to the shortest key that separates it from the child
// before), so a read that fetches a leaf fetches with it, in the same
// request, the leaves after it that its reader will read too:
// - a tag that fills the leaf and goes on, or the rest of a document the
//   search shows (its text, when long);
// - more of the posting list the leaf is in the middle of;
// - the rest of a key range the search said it reads whole (expect()): a
//   term's posting list, or every word an as-you-type prefix begins, with
//   their postings (Xapian walks them all to pick the most frequent).
// Otherwise, as an operating system's page cache does: when a read that
// fetches at once goes on right after the last range fetched (Xapian scanning
// leaf blocks in order), the next request is twice as long, up to maxAhead
// chunks. And the branch blocks of the posting lists' table can be held
// before any search needs them (holdBranches()), so a lookup's first
// wave fetches its leaf rather than the branch that names it; with the
// spelling table's, a word to correct (expect()'s `spelling`) has the leaves
// of all its spelling keys fetched with the first of them.
//
// Returns {requests, parallelRequests, bytes, waitMs, declining, quiet, whole, fill(bytes), fetchDeclined(), holdBranches(), expect(reads), onFetch}:
// counters of what reads fetched (parallelRequests: those fetchDeclined() made); fill() to hand it the whole file once
// downloaded some other way (a small index is fetched whole in the
// background after the first answer), after which no read goes to the
// network (`whole` says so); expect({terms, prefixes, lookups, spelling, documents})
// before a search (the core's plan_reads or posting_reads, and the
// documents it shows) and
// expect(null) after it; onFetch, if set, is called before each request.
// `transport` ({sync(from, to), async(from, to)}, inclusive byte ranges, each
// returning {status, bytes}; optionally many([[from, to], ...]) returning
// one such answer for each) replaces HTTP in tests.
export function createLazyFile(FS, path, url, size, { block = 2048, blocksPerRequest = 1, maxAhead = 32, transport = httpTransport(url) } = {}) {
  const chunk = block * blocksPerRequest;
  const chunks = new Map();  // chunk number -> Uint8Array
  const inFlight = new Map();  // chunk number -> a promise of its arrival, while a wave fetches it
  const declined = new Set();  // chunk numbers a declining read asked for
  // waitMs: time spent waiting on the transport, but for waves begun while `quiet` is set (a guess's, which no one waits for)
  const stats = { requests: 0, parallelRequests: 0, bytes: 0, waitMs: 0, declining: false, quiet: false };
  const lastChunk = Math.floor((size - 1) / chunk);
  let nextSequential = new Set(), ahead = 1;

  const range = (first, last) => [first * chunk, Math.min(size, (last + 1) * chunk) - 1];
  const tree = chunk === block ? branchIndex() : null;
  const keep = (first, last, { status, bytes }) => {
    const [from, to] = range(first, last);
    if (status !== 206 && status !== 200) throw new Error(`index: HTTP ${status} for bytes ${from}-${to}`);
    const offset = status === 200 ? from : 0;  // a server ignoring Range sends everything
    stats.requests++;
    stats.bytes += bytes.length;
    for (let c = first; c <= last; c++) {
      const start = offset + (c - first) * chunk;
      const data = bytes.subarray(start, Math.min(start + chunk, bytes.length));
      chunks.set(c, data);
      tree?.note(c, data);
    }
  };

  // The last block of the run after c that c's reader goes on to read
  // (c itself when none). Blocks held already inside the run are fetched
  // again rather than split it into two round trips.
  const goesOn = (c) => {
    let run = Math.min(tree ? tree.goesOn(c) : c, lastChunk);
    while (run > c && chunks.has(run)) run--;
    return run;
  };

  // The run of missing chunks from c (to at most `last`), lengthened by what
  // the branch blocks say its reader goes on to read, else while reads go on
  // in order; a declining read is not lengthened that way (it is not a scan:
  // its blocks belong to different lookups).
  const runFrom = (c, last) => {
    let run = c;
    while (run + 1 <= last && !chunks.has(run + 1)) run++;
    const along = goesOn(c);
    if (along > c) { ahead = 1; return Math.max(run, along); }
    if (stats.declining) return run;
    ahead = nextSequential.has(c) ? Math.min(ahead * 2, maxAhead) : 1;
    while (run - c + 1 < ahead && run < lastChunk && !chunks.has(run + 1)) run++;
    return run;
  };

  const read = (buffer, offset, length, position) => {
    if (position >= size) return 0;
    const end = Math.min(size, position + length);
    const first = Math.floor(position / chunk), last = Math.floor((end - 1) / chunk);
    // One request for each run of missing chunks.
    for (let c = first; c <= last; c++) {
      if (chunks.has(c)) {
        // A lookup that finds its leaf held: the leaves its reader goes on
        // to (the rest of a posting list, of a range of terms) come in the
        // same wave as the other lookups' blocks, not one by one later.
        if (stats.declining && tree && chunks.get(c)[4] === 0) {  // a leaf
          for (let at = c, hops = 0; hops < 8; hops++) {  // on through held leaves to the first missing ones
            const run = Math.min(tree.goesOn(at), lastChunk);
            for (let d = at + 1; d <= run; d++) if (!chunks.has(d)) declined.add(d);
            if (run === at || !chunks.has(run)) break;
            at = run;
          }
        }
        continue;
      }
      const run = runFrom(c, last);
      if (stats.declining) {
        for (let d = c; d <= run; d++) declined.add(d);
        for (const blocks of spellingBlocks) if (blocks.has(c)) for (const d of blocks) if (!chunks.has(d)) declined.add(d);
        throw new FS.ErrnoError(29);  // EIO: Xapian throws, the core's warm() goes on to its next lookup
      }
      stats.onFetch?.();
      const asked = performance.now();
      const answer = transport.sync(...range(c, run));
      stats.waitMs += performance.now() - asked;
      keep(c, run, answer);
      nextSequential = new Set([run + 1]);
      c = run;
    }
    let written = 0;
    for (let pos = position; pos < end;) {
      const c = Math.floor(pos / chunk), within = pos - c * chunk;
      const data = chunks.get(c);
      const n = Math.min(data.length - within, end - pos);
      buffer.set(data.subarray(within, within + n), offset + written);
      written += n;
      pos += n;
    }
    return written;
  };

  // Fetches every chunk declining reads asked for, one request per run of
  // adjacent chunks, all at once; a chunk another wave is fetching already
  // (a guess at the next keystroke, worker.js) is waited for, not asked
  // again. Resolves to the number of requests made, or 1 when it only
  // waited: 0 means nothing was missing.
  stats.fetchDeclined = async () => {
    const quiet = stats.quiet;
    const missing = [...declined].filter((c) => !chunks.has(c));
    declined.clear();
    const arriving = [...new Set(missing.filter((c) => inFlight.has(c)).map((c) => inFlight.get(c)))];
    const wanted = missing.filter((c) => !inFlight.has(c)).sort((a, b) => a - b);
    const runs = [];
    for (const c of wanted) {
      if (runs.length && runs[runs.length - 1][1] === c - 1) runs[runs.length - 1][1] = c;
      else runs.push([c, c]);
    }
    if (runs.length || arriving.length) stats.onFetch?.();
    const asked = performance.now();
    // In one request when the transport can (each request in flight costs
    // a Worker more: 8 blocks took 11.8 ms p50 fetched at once, 2.4 in one),
    // even a single run: firstfix compresses those answers, not a Range's.
    const fetched = (runs.length && transport.many
      ? transport.many(runs.map(([first, last]) => range(first, last)))
      : Promise.all(runs.map(([first, last]) => transport.async(...range(first, last)))))
      .then((answers) => { runs.forEach(([first, last], i) => keep(first, last, answers[i])); })
      .finally(() => { for (const c of wanted) inFlight.delete(c); });
    for (const c of wanted) inFlight.set(c, fetched);
    try {
      await Promise.all([fetched, ...arriving]);
    } finally { if (!quiet) stats.waitMs += performance.now() - asked; }
    stats.parallelRequests += runs.length;
    if (runs.length) nextSequential = new Set(runs.map(([, last]) => last + 1));
    return runs.length || (arriving.length ? 1 : 0);
  };

  // Fetches the given blocks (those not held), as fetchDeclined does.
  const prefetch = (blocks) => {
    for (const c of blocks) if (c >= 0 && c <= lastChunk) declined.add(c);
    return stats.fetchDeclined();
  };

  // Holds the branch blocks of the table of posting lists (the table every
  // search looks up first), a level at a time from its root: a lookup then
  // fetches its leaf, and the leaves its reader goes on to, in the first
  // wave, instead of the branch first. At 10,000 articles: 33 blocks, about
  // the ones the bench's typing reads anyway. And the spelling table's (one
  // block there): a word to correct then has the leaves of all its spelling
  // keys fetched in one wave (spellingBlocks). Resolves to the blocks held.
  stats.holdBranches = async () => {
    if (!tree) return 0;
    await prefetch([0]);
    const roots = tableRoots(chunks.get(0));
    if (!roots) return 0;
    let level = [], held = 0;
    const wanted = [roots[POSTINGS], roots[SPELLING]].filter((t) => t.level >= 1);
    spellingRoot = roots[SPELLING].level >= 1 ? roots[SPELLING].block : null;
    for (let depth = Math.max(0, ...wanted.map((t) => t.level)); depth >= 1; depth--) {
      level.push(...wanted.filter((t) => t.level === depth).map((t) => t.block));
      await prefetch(level);
      held += level.length;
      level = depth > 1 ? level.flatMap((c) => (branchItems(chunks.get(c) ?? new Uint8Array(0)) ?? []).map((kid) => kid.block)) : [];
    }
    return held;
  };

  // The leaf that holds `key` in the table whose root is `root`, going down
  // through the branch blocks held; a branch not held when the way stops
  // there; null when the blocks held are not branches after all.
  const blockFor = (root, key) => {
    for (let c = root, depth = 0; depth < 16; depth++) {
      const b = chunks.get(c);
      if (!b) return c;
      if (b[4] === 0) return c;
      const kids = branchItems(b);
      if (!kids?.length) return null;
      let j = 0;  // the last child whose first key is at most `key`
      for (let lo = 1, hi = kids.length - 1; lo <= hi;) {
        const mid = (lo + hi) >> 1;
        if (kids[mid].key <= key) { j = mid; lo = mid + 1; } else hi = mid - 1;
      }
      c = kids[j].block;
    }
    return null;
  };

  // For each word the search may correct (expect()'s `spelling`), the
  // blocks its spelling keys are in: Xapian reads them one at a time, each
  // a round trip, once it finds the word is not indexed. The first of them
  // read while declining brings all of that word's.
  let spellingRoot = null, spellingBlocks = [];  // [Set of blocks] for each word
  const expectSpelling = (words) => {
    spellingBlocks = spellingRoot === null ? [] : words.map((w) => new Set(spellingKeys(binary(utf8.encode(w))).map((k) => blockFor(spellingRoot, k)).filter((c) => c !== null)));
  };

  stats.expect = (reads) => {
    tree?.expect(reads);
    expectSpelling(reads?.spelling ?? []);
  };

  stats.fill = (whole) => {
    if (whole.length !== size) return false;
    for (let c = 0; c <= lastChunk; c++) if (!chunks.has(c)) chunks.set(c, whole.subarray(c * chunk, Math.min(size, (c + 1) * chunk)));
    stats.whole = true;
    return true;
  };

  const slash = path.lastIndexOf('/');
  const node = FS.createFile(path.slice(0, slash) || '/', path.slice(slash + 1), {}, true, false);
  Object.defineProperty(node, 'usedBytes', { get: () => size });
  node.stream_ops = { ...node.stream_ops, read: (stream, buffer, offset, length, position) => read(buffer, offset, length, position) };
  return stats;
}

// Each table's root block and level ([{block, level}], the posting lists'
// first), from the database's version block (glass_version.cc: 16 bytes of
// magic and format version, a 16-byte UUID, the revision, then each table's
// root info: root block, level << 2 | flags, entry count, block size >> 11,
// compress_min, a free-list string (its length, then its bytes); all
// pack_uint, 7 bits a byte, low first), or null when the block does not read
// as one. An empty table (its root "fake": flag 1) has level -1.
const POSTINGS = 0, SPELLING = 4, TABLES = 6;  // glass_defs.h: postlist, docdata, termlist, position, spelling, synonym
function tableRoots(version) {
  if (!version || version.length < 40 || String.fromCharCode(...version.subarray(2, 14)) !== 'Xapian Glass') return null;
  let at = 32;
  const uint = () => {
    let value = 0;
    for (let shift = 0; at < version.length && shift < 35; shift += 7) {
      const b = version[at++];
      value += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return value;
    }
    throw new Error('version block: a number runs off its end');
  };
  try {
    uint();  // the revision
    const roots = [];
    for (let t = 0; t < TABLES; t++) {
      const block = uint(), flags = uint();
      uint(); uint(); uint();  // entries, block size, compress_min
      const freeList = uint();  // its length (not `at += uint()`: that adds to `at` as it was before the read)
      at += freeList;
      const level = flags & 1 ? -1 : flags >> 2;
      if (level > 16 || at > version.length) return null;
      roots.push({ block, level });
    }
    return roots;
  } catch {
    return null;
  }
}

// The keys of Xapian's spelling table a correction of `word` (a binary
// string of its UTF-8 bytes, at least 2) reads first (glass_spelling.cc,
// open_termlist): its first two bytes ("H"), its last two ("T"), its first
// and last for words of up to 4 ("B"), each three in a row ("M"), and
// transposed forms of 2 and 3-byte words.
function spellingKeys(word) {
  const n = word.length, keys = [`H${word.slice(0, 2)}`, `T${word.slice(n - 2)}`];
  if (n <= 4) keys.push(`B${word[0]}${word[n - 1]}`);
  for (let i = 0; i + 3 <= n; i++) keys.push(`M${word.slice(i, i + 3)}`);
  if (n === 3) keys.push(`M${word[1]}${word[0]}${word[2]}`, `M${word[0]}${word[2]}${word[1]}`);
  if (n === 2) keys.push(`H${word[1]}${word[0]}`, `T${word[1]}${word[0]}`);
  return keys;
}

// Keys are kept as binary strings (a character per byte), which compare as
// the bytes.
const binary = (bytes) => String.fromCharCode.apply(null, bytes);
const utf8 = new TextEncoder();

// A branch block's items, [{block, key, component}], or null when the
// block is not a branch (a leaf, or 254: the free list). glass_table.h: a
// block's level is byte 4 and its directory ends at bytes 9-10; from byte
// 11, two-byte offsets of its items; a branch item is the child's block
// number (4 bytes), the key's length (1 byte), the key, and the component of
// its tag that the child begins with (2 bytes); all big-endian.
function branchItems(b) {
  const level = b[4];
  if (b.length < 11 || level < 1 || level > 16) return null;
  const dirEnd = (b[9] << 8) | b[10];
  if (dirEnd > b.length) return null;
  const kids = [];
  for (let d = 11; d + 1 < dirEnd; d += 2) {
    const p = (b[d] << 8) | b[d + 1];
    if (p + 5 > b.length || p + 7 + b[p + 4] > b.length) return null;  // not a branch block after all
    const keyEnd = p + 5 + b[p + 4];
    kids.push({ block: ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0,
      key: binary(b.subarray(p + 5, keyEnd)), component: (b[keyEnd] << 8) | b[keyEnd + 1] });
  }
  return kids;
}

// What the branch blocks held say of the leaves after a block.
function branchIndex() {
  const parentOf = new Map();  // block -> {kids: [{block, key, component}], at}
  let expected = [];  // [[lo, hi)] key ranges the running search reads whole
  let documents = new Set();  // the keys of the documents it shows
  let lookups = new Set();  // the keys of the terms it looks up (a term's first chunk)
  // A document's key in the table of their data: its number, big-endian in
  // two bytes below 0x8000, else in 3-5 with the length in the first byte's
  // top bits (pack_uint_preserving_sort, Xapian's common/pack.h).
  const documentKey = (id) => {
    if (id < 0x8000) return String.fromCharCode(id >> 8, id & 0xff);
    const length = Math.floor((37 - Math.clz32(id)) / 7);
    const bytes = [];
    for (let i = length - 1, v = id; i >= 0; i--, v = Math.floor(v / 256)) bytes[i] = v & 0xff;
    bytes[0] |= (0xff << (10 - length)) & 0xff;
    return String.fromCharCode(...bytes);
  };
  // The term whose posting list a key is in the middle of (a posting list's
  // first chunk is keyed by the term, the later ones by the term, a zero
  // byte and their first document's number), or null. A term begins with a
  // letter or a digit; other tables' keys mostly begin with a document number.
  const postingTerm = (key) => {
    const end = key.indexOf('\0');
    return end > 0 && key.charCodeAt(0) >= 0x30 && end + 1 < key.length && key.charCodeAt(end + 1) !== 0xff ? key.slice(0, end) : null;
  };
  return {
    note(c, b) {
      const kids = c === 0 ? null : branchItems(b);  // block 0: the version
      kids?.forEach((kid, at) => parentOf.set(kid.block, { kids, at, branch: c }));
    },
    expect(reads) {
      const key = (t) => binary(utf8.encode(t));
      documents = new Set((reads?.documents || []).map(documentKey));
      lookups = new Set((reads?.lookups || []).map(key));
      expected = reads ? [...reads.terms.map((t) => [key(t), `${key(t)}\0\xff`]), ...reads.prefixes.map((p) => [key(p), `${key(p)}\xff`])] : [];
    },
    goesOn(c) {
      const parent = parentOf.get(c);
      if (!parent) return c;
      let { kids, at, branch } = parent;
      const first = kids[at].key, next = kids[at + 1]?.key;
      const term = postingTerm(first);
      const ranges = expected.filter(([lo, hi]) => first < hi && (next === undefined || next >= lo));
      // A leaf the reader goes on to: the rest of a tag that fills the leaf
      // before, of a document the search shows or of a term's first chunk it
      // looks up (a tag that begins in the leaf before), more of the posting list, or
      // part of a range (its keys, from its own to the next leaf's, meet
      // the range; past a branch's last child, its own key lies in it).
      const goes = (kids, j) => {
        const kid = kids[j], after = kids[j + 1]?.key;
        return (kid.component > 1 && (kid.key === kids[j - 1].key || documents.has(kid.key) || lookups.has(kid.key)))
          || (term !== null && postingTerm(kid.key) === term)
          || ranges.some(([lo, hi]) => kid.key < hi && (after === undefined ? kid.key >= lo : after > lo));
      };
      let run = c;
      for (;;) {
        let j = at + 1;
        // A compacted table's leaves are in order, with the branch itself
        // after its first child.
        for (; j < kids.length && goes(kids, j); j++) {
          if (kids[j].block === run + 1) run++;
          else if (kids[j].block === run + 2 && run + 1 === branch) run += 2;
          else break;
        }
        if (j < kids.length || !ranges.length) return run;
        // A range that goes on past this branch's last child goes on in the
        // next branch: held, on through its children; else, as a compacted
        // table writes a branch right after its first child, both come too.
        const after = parentOf.get(run + 1);
        if (!after || after.at !== 0) return run + 2;
        if (!ranges.some(([, hi]) => after.kids[0].key < hi)) return run;
        ({ kids, at, branch } = after);
        run++;
      }
    },
  };
}

// Before a search: the blocks it will read, fetched at once, in parallel,
// rather than one round trip per block as the search would read them. First
// what planning it looks up (whether each word is indexed, a word to
// correct in the spelling table) with what it most likely reads; then
// the posting lists it reads whole (the core's posting_reads, also handed to
// the file: each list's leaves come in one request), then the documents it
// shows that the engine does not hold (at 10,000 articles the heaviest
// keystrokes were those showing 8 new documents). `engine` is the core's
// wasm Engine over this lazy file (`lazy`): it plans the search and then
// matches it (keeping both for the search that follows), and looks up each
// term or document on its own while the file declines what it lacks. Leave
// the expectation until the search is done, then lazy.expect(null).
// Resolves to the number of parallel fetches. `goOn`, checked before each
// step, stops it early: a guess at the next keystroke's reads is given up
// once a search begins (whose reads then wait for its blocks in flight).
const MAX_WAVES = 4;  // a correction's: the word's leaf, its spelling keys', its candidates' frequencies', the correction's leaf
export async function fetchWhatSearchReads(engine, lazy, request, goOn = () => true) {
  // Planning looks up whether words are indexed, and a word that is not in
  // the spelling table, one round trip each in turn: those lookups first,
  // with what the search most likely reads.
  lazy.expect(JSON.parse(engine.planReads(request)));
  let waves = await fetchInWaves(lazy, () => engine.touchPlan(request), goOn);
  if (!goOn()) return waves;
  const reads = engine.postingReads(request), expected = JSON.parse(reads);
  lazy.expect(expected);
  waves += await fetchInWaves(lazy, () => engine.touchPostings(reads), goOn);
  if (!goOn()) return waves;
  const ids = engine.unshownDocuments(request);
  lazy.expect({ ...expected, documents: JSON.parse(ids) });
  return waves + (ids === '[]' ? 0 : await fetchInWaves(lazy, () => engine.touchDocuments(ids), goOn));
}

// Runs `touch` (lookups that return how many failed) while the file
// declines what it lacks, fetches that, and again, until none fails, or
// until goOn() says to stop (a guess overtaken by a search: neither the
// engine nor the file is touched again).
async function fetchInWaves(lazy, touch, goOn = () => true) {
  let waves = 0;
  while (waves < MAX_WAVES && goOn()) {
    lazy.declining = true;
    let failed;
    try { failed = touch(); } finally { lazy.declining = false; }
    // What failed, and the leaves held blocks' readers go on to.
    if (!(await lazy.fetchDeclined())) break;
    waves++;
    if (!failed) break;
  }
  return waves;
}

// Byte ranges over HTTP: synchronous XHR and fetch(); several at once as
// firstfix serves them (`?ranges=FIRST-LAST,...`: their bytes one after
// another, static_assets.cc), checked by their length.
function httpTransport(url) {
  return {
    async many(ranges) {
      const r = await fetch(`${url}${url.includes('?') ? '&' : '?'}ranges=${ranges.map(([from, to]) => `${from}-${to}`).join(',')}`);
      const bytes = new Uint8Array(await r.arrayBuffer());
      const lengths = ranges.map(([from, to]) => to - from + 1);
      if (r.status !== 200 || bytes.length !== lengths.reduce((a, b) => a + b, 0)) {
        throw new Error(`index: HTTP ${r.status}, ${bytes.length} bytes for ${ranges.length} ranges`);
      }
      let at = 0;
      return lengths.map((n) => ({ status: 206, bytes: bytes.subarray(at, (at += n)) }));
    },
    sync(from, to) {
      const xhr = new XMLHttpRequest();
      xhr.open('GET', url, false);
      xhr.responseType = 'arraybuffer';
      xhr.setRequestHeader('Range', `bytes=${from}-${to}`);
      xhr.send(null);
      return { status: xhr.status, bytes: new Uint8Array(xhr.response) };
    },
    async async(from, to) {
      const r = await fetch(url, { headers: { Range: `bytes=${from}-${to}` } });
      return { status: r.status, bytes: new Uint8Array(await r.arrayBuffer()) };
    },
  };
}
