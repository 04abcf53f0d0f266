// Talks to the search Worker; until it is ready, asks the server, which runs
// the same core natively, so the first query never waits for the wasm.
//
// Hedged searches: the Worker answers in a few milliseconds from index
// blocks it has, but a search that needs blocks it lacks (a large, lazily
// read index) waits on one network round trip per block. When the Worker
// says it has started fetching ({type: 'fetching'}), the server is asked too,
// one round trip for the whole answer, and the first answer is shown (both
// run the same core on the same index). The Worker finishes anyway, so its
// cache is warm for the next keystroke; the server sees only the searches
// the page could not answer from what it has. A small index, which arrives
// whole soon after the first answer, is not hedged.

import { scriptUrl } from './trusted_types.js';

export class EngineClient {
  constructor(config, url) {
    this.config = config;
    this.url = url;
    this.worker = null;
    this.ready = false;
    this.pending = new Map();
    this.nextId = 1;
    this.inFlight = null;  // the search running in the Worker: {id, request, settle, hedge}
    this.queued = null;    // the newest search waiting for it
    this.fetching = false; // the running search waits on index blocks from the network
  }

  // Starts the Worker once a server answer in flight has arrived, or after
  // `ms` if none is.
  startAfterFirstAnswer(ms) {
    if (this.worker || this.startTimer) return;
    const go = () => { clearTimeout(this.startTimer); this.start(); };
    this.startTimer = setTimeout(() => (this.serverInFlight ? this.serverInFlight.then(go) : go()), ms);
    this.afterServerAnswer = go;
  }

  start() {
    if (this.worker) return;
    const a = this.config.assets;
    const workerUrl = this.url(a.worker);
    // A Worker must come from the page's origin; elsewhere a tiny blob
    // bootstraps it (the host's CSP then needs worker-src blob:).
    const sameOrigin = new URL(workerUrl).origin === location.origin;
    // (Under Trusted Types the bootstrap names its script URL through the same policy the page allowed.)
    const bootstrap = `let p = null; try { p = self.trustedTypes && self.trustedTypes.createPolicy('firstfix', { createScriptURL: (u) => u }); } catch (e) {}
self.firstfixPolicy = p; importScripts(p ? p.createScriptURL(${JSON.stringify(workerUrl)}) : ${JSON.stringify(workerUrl)});`;
    try {
      this.worker = sameOrigin
        ? new Worker(scriptUrl(workerUrl))
        : new Worker(scriptUrl(URL.createObjectURL(new Blob([bootstrap], { type: 'text/javascript' }))));
    } catch (e) {
      // The page refuses the Worker (its CSP): the server answers every search.
      console.warn('firstfix: no in-page search engine on this page; searching on the server', e);
      return;
    }
    this.worker.onmessage = (e) => {
      const m = e.data;
      if (m.type === 'ready') { this.ready = true; this.hedging = !m.whole; this.onReady?.(); }
      else if (m.type === 'error') { console.error('firstfix: search engine failed to start:', m.message); }
      else if (m.type === 'fetching') {
        if (!this.hedging || this.inFlight?.id !== m.id) return;
        this.fetching = true;
        this.inFlight.hedge();
        this.queued?.hedge();
      }
      else if (m.type === 'result' || m.type === 'answer') { this.pending.get(m.id)?.(m.response); this.pending.delete(m.id); }
    };
    const queued = this.beforeStart || [];
    this.beforeStart = null;
    this.worker.postMessage({ type: 'init', glue: this.url(a.glue), wasm: this.url(a.wasm), index: this.url(a.index), indexBytes: this.config.index_bytes,
      flowGlue: a.flow_glue ? this.url(a.flow_glue) : null, flowWasm: a.flow_wasm ? this.url(a.flow_wasm) : null,
      cjk: this.config.cjk && a.cjk ? this.url(a.cjk) : null, escalationFailures: this.config.site.escalation_failures,
      suggested: this.config.suggested });
    queued.forEach((post) => post());
  }

  // At most one search runs in the Worker; of those typed meanwhile only the
  // newest waits, the others are answered {superseded: true}. A slow query
  // (a cold lazy index) then never leaves a queue of stale keystrokes.
  search(request) {
    if (!this.ready) {
      const answer = this.askServer(request);
      this.serverInFlight = answer;
      // After the answer has been drawn (the caller's then runs first), start the engine.
      answer.then(() => setTimeout(() => this.afterServerAnswer?.(), 0));
      return answer;
    }
    return new Promise((resolve) => {
      let settled = false, hedged = false;
      const search = {
        request,
        settle: (response) => { if (!settled) { settled = true; resolve(response); } },
        hedge: () => {
          if (hedged || settled) return;
          hedged = true;
          this.askServer(request).then((r) => { if (!r.error) search.settle(r); });
        },
      };
      if (this.inFlight) {
        this.queued?.settle({ superseded: true });
        this.queued = search;
        if (this.fetching) search.hedge();
      } else {
        this.send(search);
      }
    });
  }

  askServer(request) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(request)) if (v !== undefined && v !== '') params.set(k, String(v));
    return fetch(this.url(`/api/v1/search?${params}`)).then((r) => r.json())
      .then((r) => ({ ...r, engine: 'server' }), (e) => ({ error: String(e && e.message || e), engine: 'server' }));
  }

  // One question to the core in the Worker; resolves to its answer. Asked
  // before the Worker exists, it waits for it, in order.
  ask(message) {
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      const post = () => this.worker.postMessage({ ...message, id });
      if (this.worker) post();
      else (this.beforeStart ||= []).push(post);
    });
  }

  // A flow has opened: the Worker loads the flow engine (a module of its
  // own, not needed for searching) while the customer reads the first step.
  prepareFlows() {
    if (this.ready) this.worker.postMessage({ type: 'prepareFlows' });
  }

  // Checks a flow step's answers with the core's rules in the Worker:
  // [{field, message}], or null while the engine is not ready (the server
  // checks anyway).
  // `today` is the help center's date, from the server's reply.
  checkAnswers(flowJson, step, answers, today) {
    if (!this.ready) return Promise.resolve(null);
    return this.ask({ type: 'check', flow: flowJson, step, answers: JSON.stringify(answers), today: today || '' })
      .then((r) => (Array.isArray(r) ? r : null));
  }

  // Tells the escalation policy (in the Worker) what happened; resolves to
  // its decision {offer, trigger, why, failures}.
  escalate(event) { return this.ask({ type: 'escalate', event }); }

  // Personal data out of free text, by the core in the Worker: resolves to
  // the scrubbed texts, or null when the engine cannot run (then the text
  // is not sent at all).
  scrub(texts) { return this.ask({ type: 'scrub', texts }).then((r) => (Array.isArray(r) ? r : null)); }

  // The panel's opening list for the page ({locale, source, items}), by the
  // core: in the Worker from the loader's config, or, until it is ready, on
  // the server from the same list.
  suggested(page, locale) {
    if (this.ready) return this.ask({ type: 'suggested', page, locale });
    const params = new URLSearchParams({ page, locale });
    return fetch(this.url(`/api/v1/suggested?${params}`)).then((r) => r.json())
      .catch((e) => ({ error: String(e && e.message || e) }));
  }

  send(search) {
    const id = this.nextId++;
    this.inFlight = { ...search, id };
    this.fetching = false;
    this.pending.set(id, (response) => {
      this.inFlight = null;
      this.fetching = false;
      this.onWorkerSearch?.({ query: search.request.q, engine_ms: response.elapsed_ms, index_bytes_fetched: response.index_bytes_fetched,
        index_requests: response.index_requests, index_waves: response.index_waves, index_wait_ms: response.index_wait_ms,
        index_bytes_outside: response.index_bytes_outside, index_branches_held: response.index_branches_held });
      search.settle({ ...response, engine: 'wasm' });
      if (!this.prefetched) {
        // The first in-page answer is on its way to the screen: when the page
        // is idle, the Worker fetches the rest of a small index.
        this.prefetched = true;
        const idle = self.requestIdleCallback || ((cb) => setTimeout(cb, 200));
        idle(() => this.worker.postMessage({ type: 'prefetch' }), { timeout: 2000 });
      }
      if (this.queued) {
        const next = this.queued;
        this.queued = null;
        this.send(next);
      }
    });
    this.worker.postMessage({ type: 'search', id, request: search.request });
  }
}
