// A read-only file in Emscripten's virtual file system whose bytes come from
// HTTP Range requests as they are read, the database's own 2 KB blocks
// (more at a time when read in order), and are kept. Xapian reads one block per lookup, so a
// query touches kilobytes of a large index instead of downloading it whole.
// Synchronous XHR: allowed in Workers, and Xapian's reads are synchronous.
//
// Read-ahead, as an operating system's page cache does: when a read goes on
// right after the last range fetched (Xapian scanning leaf blocks in order),
// the next request is twice as long, up to maxAhead chunks.
//
// Returns {requests, bytes, fill(bytes), onFetch}: counters of what reads
// fetched; fill() to hand it the whole file once downloaded some other way
// (a small index is fetched whole in the background after the first answer),
// after which no read goes to the network; onFetch, if set, is called before
// each request.
export function createLazyFile(FS, path, url, size, { block = 2048, blocksPerRequest = 1, maxAhead = 32 } = {}) {
  const chunk = block * blocksPerRequest;
  const chunks = new Map();  // chunk number -> Uint8Array
  const stats = { requests: 0, bytes: 0 };
  const lastChunk = Math.floor((size - 1) / chunk);
  let nextSequential = -1, ahead = 1;

  const fetchChunks = (first, last) => {
    stats.onFetch?.();
    const from = first * chunk;
    const to = Math.min(size, (last + 1) * chunk) - 1;
    const xhr = new XMLHttpRequest();
    xhr.open('GET', url, false);
    xhr.responseType = 'arraybuffer';
    xhr.setRequestHeader('Range', `bytes=${from}-${to}`);
    xhr.send(null);
    if (xhr.status !== 206 && xhr.status !== 200) throw new Error(`index: HTTP ${xhr.status} for bytes ${from}-${to}`);
    const data = new Uint8Array(xhr.response);
    const offset = xhr.status === 200 ? from : 0;  // a server ignoring Range sends everything
    stats.requests++;
    stats.bytes += data.length;
    for (let c = first; c <= last; c++) {
      const start = offset + (c - first) * chunk;
      chunks.set(c, data.subarray(start, Math.min(start + chunk, data.length)));
    }
  };

  const read = (buffer, offset, length, position) => {
    if (position >= size) return 0;
    const end = Math.min(size, position + length);
    const first = Math.floor(position / chunk), last = Math.floor((end - 1) / chunk);
    // One request for each run of missing chunks.
    for (let c = first; c <= last; c++) {
      if (chunks.has(c)) continue;
      let run = c;
      while (run + 1 <= last && !chunks.has(run + 1)) run++;
      ahead = c === nextSequential ? Math.min(ahead * 2, maxAhead) : 1;
      while (run - c + 1 < ahead && run < lastChunk && !chunks.has(run + 1)) run++;
      fetchChunks(c, run);
      nextSequential = run + 1;
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

  stats.fill = (whole) => {
    if (whole.length !== size) return false;
    for (let c = 0; c <= lastChunk; c++) if (!chunks.has(c)) chunks.set(c, whole.subarray(c * chunk, Math.min(size, (c + 1) * chunk)));
    return true;
  };

  const slash = path.lastIndexOf('/');
  const node = FS.createFile(path.slice(0, slash) || '/', path.slice(slash + 1), {}, true, false);
  Object.defineProperty(node, 'usedBytes', { get: () => size });
  node.stream_ops = { ...node.stream_ops, read: (stream, buffer, offset, length, position) => read(buffer, offset, length, position) };
  return stats;
}
