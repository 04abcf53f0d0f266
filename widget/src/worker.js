// The search engine's home: the core compiled to WebAssembly runs here, so
// the host page's main thread never runs Xapian or ICU.
//
// Messages in:  {type: 'init', glue, wasm, index, indexBytes, cjk?}  {type: 'search', id, request}
//               {type: 'prefetch'}   (the page is idle after an answer: fetch the rest of a small index)
//               {type: 'check', id, flow, step, answers}   (a flow step's answers, checked by the core)
//               {type: 'escalate', id, event}   (what happened, for the escalation policy: search, articleRead,
//                                                articleVote, failure, text, decline, accept)
//               {type: 'scrub', id, texts}   (free text for the reports: personal data out, by the core)
// Messages out: {type: 'ready', documents, whole}   (whole: the index will be fetched whole after the first answer)  {type: 'result', id, response}  {type: 'checked' | 'escalated' | 'scrubbed', id, response}
//               {type: 'fetching', id}   (search `id` needs index blocks from the network: the page may ask the server too)
//               {type: 'error', message}
//
// The index is read lazily, block by block (lazy_file.js): the first answer
// needs only the blocks it touches (tens of KB, not the whole index), and
// the bytes fetched per query stay small at any size. An index of up to
// WHOLE_INDEX_MAX is then downloaded whole in the background, compressed,
// once the page has shown the first answer and is idle ({type: 'prefetch'}),
// so later searches never wait on the network.
import { createLazyFile } from './lazy_file.js';

const WHOLE_INDEX_MAX = 2 * 1024 * 1024;
let engine = null;
let indexUrl = null;
let filling = null;
let conversation = null;  // the escalation policy's state for this page (core/escalation)
let wasmModule = null;
let ready = null;
let lazyStats = null;
let searching = null;  // the id of the search running now
let fetchingSaid = false;

async function init({ glue, wasm, index, indexBytes, cjk, escalationFailures }) {
  // Under Trusted Types (a blob bootstrap inherits the host page's CSP) the URL goes through the policy it made.
  const policy = self.firstfixPolicy;
  importScripts(policy ? policy.createScriptURL(glue) : glue);  // defines createFirstfix (Emscripten MODULARIZE)
  const [module, cjkBytes] = await Promise.all([
    self.createFirstfix({ locateFile: () => wasm }),
    cjk ? fetch(cjk).then((r) => r.arrayBuffer()) : null,
  ]);
  wasmModule = module;
  conversation = new module.Escalation(escalationFailures || 2);
  if (cjkBytes) module.addIcuData(new Uint8Array(cjkBytes));
  lazyStats = createLazyFile(module.FS, '/lazy-index.db', index, indexBytes);
  lazyStats.onFetch = () => {
    if (searching !== null && !fetchingSaid) { fetchingSaid = true; self.postMessage({ type: 'fetching', id: searching }); }
  };
  engine = new module.Engine('/lazy-index.db');
  indexUrl = indexBytes <= WHOLE_INDEX_MAX ? index : null;
  return { documents: engine.documentCount(), whole: indexUrl !== null };
}

// The rest of a small index, whole and compressed, while the customer
// reads. A failure only means reads stay lazy.
function fillInBackground() {
  if (filling || !indexUrl) return;
  filling = fetch(indexUrl)
    .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status}`))))
    .then((b) => lazyStats.fill(new Uint8Array(b)))
    .catch(() => false);
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    ready = init(msg);
    try {
      self.postMessage({ type: 'ready', ...(await ready) });
    } catch (e) {
      self.postMessage({ type: 'error', message: String(e && e.message || e) });
    }
  } else if (msg.type === 'prefetch') {
    ready?.then(fillInBackground, () => {});
  } else if (msg.type === 'escalate') {
    let response;
    try {
      await ready;
      const e = msg.event;
      if (e.kind === 'search') response = conversation.search(e.query, e.results, e.locale);
      else if (e.kind === 'articleRead') response = conversation.articleRead();
      else if (e.kind === 'articleVote') response = conversation.articleVote(e.helpful, e.id);
      else if (e.kind === 'failure') response = conversation.failure(e.reason);
      else if (e.kind === 'text') response = conversation.text(e.text, e.locale);
      else if (e.kind === 'decline') { conversation.decline(); response = '{"offer":false}'; }
      else if (e.kind === 'accept') { conversation.accept(); response = '{"offer":false}'; }
      response = JSON.parse(response);
    } catch (err) {
      response = { error: String(err && err.message || err) };
    }
    self.postMessage({ type: 'escalated', id: msg.id, response });
  } else if (msg.type === 'scrub') {
    let response;
    try {
      await ready;
      response = msg.texts.map((t) => wasmModule.scrubPersonalData(t));
    } catch (e) {
      response = { error: String(e && e.message || e) };
    }
    self.postMessage({ type: 'scrubbed', id: msg.id, response });
  } else if (msg.type === 'check') {
    let response;
    try {
      await ready;
      response = JSON.parse(wasmModule.flowCheckAnswers(msg.flow, msg.step, msg.answers, msg.today));
    } catch (e) {
      response = { error: String(e && e.message || e) };
    }
    self.postMessage({ type: 'checked', id: msg.id, response });
  } else if (msg.type === 'search') {
    try {
      await ready;
      const started = performance.now();
      const before = lazyStats ? lazyStats.bytes : 0;
      searching = msg.id;
      fetchingSaid = false;
      let json;
      try { json = engine.search(JSON.stringify(msg.request)); } finally { searching = null; }
      const response = JSON.parse(json);
      response.elapsed_ms = performance.now() - started;
      if (lazyStats) response.index_bytes_fetched = lazyStats.bytes - before;
      self.postMessage({ type: 'result', id: msg.id, response });
    } catch (e) {
      self.postMessage({ type: 'result', id: msg.id, response: { error: String(e && e.message || e) } });
    }
  }
};
