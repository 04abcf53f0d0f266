// Talks to the search Worker; until it is ready, asks the server, which runs
// the same core natively, so the first query never waits for the wasm.
export class EngineClient {
  constructor(config, url) {
    this.config = config;
    this.url = url;
    this.worker = null;
    this.ready = false;
    this.pending = new Map();
    this.nextId = 1;
  }

  start() {
    if (this.worker) return;
    const a = this.config.assets;
    const workerUrl = this.url(a.worker);
    // A Worker must come from the page's origin; elsewhere a tiny blob
    // bootstraps it (the host's CSP then needs worker-src blob:).
    const sameOrigin = new URL(workerUrl).origin === location.origin;
    this.worker = sameOrigin
      ? new Worker(workerUrl)
      : new Worker(URL.createObjectURL(new Blob([`importScripts(${JSON.stringify(workerUrl)})`], { type: 'text/javascript' })));
    this.worker.onmessage = (e) => {
      const m = e.data;
      if (m.type === 'ready') { this.ready = true; this.onReady?.(); }
      else if (m.type === 'error') { console.error('firstfix: search engine failed to start:', m.message); }
      else if (m.type === 'result') { this.pending.get(m.id)?.(m.response); this.pending.delete(m.id); }
    };
    this.worker.postMessage({ type: 'init', glue: this.url(a.glue), wasm: this.url(a.wasm), index: this.url(a.index), indexBytes: this.config.index_bytes,
      cjk: this.config.cjk && a.cjk ? this.url(a.cjk) : null });
  }

  search(request) {
    if (this.ready) {
      const id = this.nextId++;
      return new Promise((resolve) => {
        this.pending.set(id, resolve);
        this.worker.postMessage({ type: 'search', id, request });
      }).then((r) => ({ ...r, engine: 'wasm' }));
    }
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(request)) if (v !== undefined && v !== '') params.set(k, String(v));
    return fetch(this.url(`/api/v1/search?${params}`)).then((r) => r.json()).then((r) => ({ ...r, engine: 'server' }));
  }
}
