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
//   fetches every noted block at once, in parallel. fetchShownDocuments()
//   (below) reads the documents a search will show each on its own this way,
//   so one call notes a block of every one of them.
//
// Read-ahead, as an operating system's page cache does: when a read that
// fetches at once goes on right after the last range fetched (Xapian scanning
// leaf blocks in order), the next request is twice as long, up to maxAhead
// chunks.
//
// Returns {requests, parallelRequests, bytes, declining, whole, fill(bytes), fetchDeclined(), onFetch}:
// counters of what reads fetched (parallelRequests: those fetchDeclined() made); fill() to hand it the whole file once
// downloaded some other way (a small index is fetched whole in the
// background after the first answer), after which no read goes to the
// network (`whole` says so); onFetch, if set, is called before each request.
// `transport` ({sync(from, to), async(from, to)}, inclusive byte ranges, each
// returning {status, bytes}) replaces HTTP in tests.
export function createLazyFile(FS, path, url, size, { block = 2048, blocksPerRequest = 1, maxAhead = 32, transport = httpTransport(url) } = {}) {
  const chunk = block * blocksPerRequest;
  const chunks = new Map();  // chunk number -> Uint8Array
  const declined = new Set();  // chunk numbers a declining read asked for
  const stats = { requests: 0, parallelRequests: 0, bytes: 0, declining: false };
  const lastChunk = Math.floor((size - 1) / chunk);
  let nextSequential = new Set(), ahead = 1;

  const range = (first, last) => [first * chunk, Math.min(size, (last + 1) * chunk) - 1];
  const keep = (first, last, { status, bytes }) => {
    const [from, to] = range(first, last);
    if (status !== 206 && status !== 200) throw new Error(`index: HTTP ${status} for bytes ${from}-${to}`);
    const offset = status === 200 ? from : 0;  // a server ignoring Range sends everything
    stats.requests++;
    stats.bytes += bytes.length;
    for (let c = first; c <= last; c++) {
      const start = offset + (c - first) * chunk;
      chunks.set(c, bytes.subarray(start, Math.min(start + chunk, bytes.length)));
    }
  };

  // The run of missing chunks from c (to at most `last`), lengthened while
  // reads go on in order; a declining read is not lengthened (it is not a
  // scan: its blocks belong to different documents).
  const runFrom = (c, last) => {
    let run = c;
    while (run + 1 <= last && !chunks.has(run + 1)) run++;
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
      if (chunks.has(c)) continue;
      const run = runFrom(c, last);
      if (stats.declining) {
        for (let d = c; d <= run; d++) declined.add(d);
        throw new FS.ErrnoError(29);  // EIO: Xapian throws, the core's warm() goes on to its next lookup
      }
      stats.onFetch?.();
      keep(c, run, transport.sync(...range(c, run)));
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
  // adjacent chunks, all at once. Resolves to the number of requests made.
  stats.fetchDeclined = async () => {
    const wanted = [...declined].filter((c) => !chunks.has(c)).sort((a, b) => a - b);
    declined.clear();
    const runs = [];
    for (const c of wanted) {
      if (runs.length && runs[runs.length - 1][1] === c - 1) runs[runs.length - 1][1] = c;
      else runs.push([c, c]);
    }
    if (runs.length) stats.onFetch?.();
    const answers = await Promise.all(runs.map(([first, last]) => transport.async(...range(first, last))));
    runs.forEach(([first, last], i) => keep(first, last, answers[i]));
    stats.parallelRequests += runs.length;
    nextSequential = new Set(runs.map(([, last]) => last + 1));
    return runs.length;
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

// Before a search that shows documents the engine does not hold: their
// blocks fetched at once, in parallel, rather than one round trip per block
// as the search would read them (at 10,000 articles the heaviest keystrokes
// were those showing 8 new documents). `engine` is the core's wasm Engine
// over this lazy file (`lazy`): it names the documents (and keeps its match
// for the search that follows) and reads each on its own while the file
// declines what it lacks. Resolves to the number of parallel fetches.
const MAX_DOCUMENT_WAVES = 4;  // a document's blocks: the table's branch, its leaf, a long text's next leaf
export async function fetchShownDocuments(engine, lazy, request) {
  const ids = engine.unshownDocuments(request);
  let waves = 0;
  while (ids !== '[]' && waves < MAX_DOCUMENT_WAVES) {
    lazy.declining = true;
    let failed;
    try { failed = engine.touchDocuments(ids); } finally { lazy.declining = false; }
    if (!failed || !(await lazy.fetchDeclined())) break;
    waves++;
  }
  return waves;
}

// Byte ranges over HTTP: synchronous XHR and fetch().
function httpTransport(url) {
  return {
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
