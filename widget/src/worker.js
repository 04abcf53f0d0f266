// The search engine's home: the core compiled to WebAssembly runs here, so
// the host page's main thread never runs Xapian or ICU.
//
// Messages in:  {type: 'init', glue, wasm, index, indexBytes, cjk?}  {type: 'search', id, request}
//               {type: 'prefetch'}   (the page is idle after an answer: fetch the rest of a small index, or a large one's posting branches)
//               {type: 'prepareFlows'}   (a flow has opened: load the flow engine, a module of its own)
//               {type: 'check', id, flow, step, answers}   (a flow step's answers, checked by the core's flow engine)
//               {type: 'escalate', id, event}   (what happened, for the escalation policy: search, articleRead,
//                                                articleVote, failure, text, decline, accept)
//               {type: 'scrub', id, texts}   (free text for the reports: personal data out, by the core)
//               {type: 'suggested', id, page, locale}   (the panel's opening list for a page, by the core)
// Messages out: {type: 'ready', documents, whole}   (whole: the index will be fetched whole after the first answer)  {type: 'result', id, response}
//               {type: 'answer', id, response}   (to check, escalate, scrub and suggested)
//               {type: 'fetching', id}   (search `id` needs index blocks from the network: the page may ask the server too)
//               {type: 'error', message}
//
// The index is read lazily, block by block (lazy_file.js): the first answer
// needs only the blocks it touches (tens of KB, not the whole index), and
// the bytes fetched per query stay small at any size. An index of up to
// WHOLE_INDEX_MAX is then downloaded whole in the background, compressed,
// once the page has shown the first answer and is idle ({type: 'prefetch'}),
// so later searches never wait on the network. A larger index has the
// branch blocks of its posting lists and its spelling table held instead
// (lazy_file.js holdBranches), so each lookup's leaf comes in the first wave,
// and after each answer the blocks of the keystroke most likely next
// (guessNext) are fetched while the customer types.
import { createLazyFile, fetchWhatSearchReads } from './lazy_file.js';
import { nextKeystroke } from './next_keystroke.js';

const WHOLE_INDEX_MAX = 2 * 1024 * 1024;
let engine = null;
let indexUrl = null;
let filling = null;
let conversation = null;  // the escalation policy's state for this page (core/escalation)
let wasmModule = null;
let ready = null;
let lazyStats = null;
// Index bytes fetched opening the index (and warming it), and by searches: the rest were
// fetched outside searches (a large index's posting branches, held).
let bytesOpening = 0, bytesSearching = 0;
let branchesHeld = 0;  // the branch blocks a large index holds (lazy_file.js holdBranches), once held
let searching = null;  // the id of the search running now
let guess = 0;  // the current guess at the next keystroke (each search ends the one before)
let fetchingSaid = false;
let suggestedText = '{}';  // the compiled opening list, from the loader's config
let flowUrls = null;  // {glue, wasm}: the flow engine's module
let flowModule = null;  // a promise of it, once asked for

// Under Trusted Types (a blob bootstrap inherits the host page's CSP) a script URL goes through the policy it made.
const importScript = (url) => importScripts(self.firstfixPolicy ? self.firstfixPolicy.createScriptURL(url) : url);

// The flow engine: a module of its own (core/flow, 90 KB compressed), which
// searching never needs, loaded when a flow opens or its answers are first
// checked.
function flowEngine() {
  if (!flowModule) {
    flowModule = (async () => {
      if (!flowUrls) throw new Error('no flow engine in this widget');
      importScript(flowUrls.glue);  // defines createFirstfixFlow
      return self.createFirstfixFlow({ locateFile: () => flowUrls.wasm });
    })();
    flowModule.catch(() => { flowModule = null; });  // a failed load is tried again at the next check
  }
  return flowModule;
}

async function init({ glue, wasm, index, indexBytes, cjk, escalationFailures, suggested, flowGlue, flowWasm }) {
  suggestedText = JSON.stringify(suggested || {});
  flowUrls = flowGlue && flowWasm ? { glue: flowGlue, wasm: flowWasm } : null;
  importScript(glue);  // defines createFirstfix (Emscripten MODULARIZE)
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
  // A large index is read lazily, and its first searches run code the
  // browser compiles on first use: one search (the core's
  // warm_up_request) before the engine says it is ready, while the server
  // answers, moves that out of the customer's first keystrokes. At 10,000
  // articles, the Worker's slowest search took 90 ms (59 with an earlier
  // warm-up of two fixed queries), against 133-240 ms in five runs without
  // (computing p99 24 ms against 20-54).
  if (!indexUrl) {
    const warm = engine.warmUpRequest();
    if (warm) {
      try {
        await fetchWhatSearchReads(engine, lazyStats, warm);
        engine.search(warm);
      } catch { /* only a warm-up */ } finally { lazyStats.expect(null); }
    }
  }
  bytesOpening = lazyStats.bytes;
  return { documents: engine.documentCount(), whole: indexUrl !== null };
}

// The rest of a small index, whole and compressed, while the customer
// reads; of a larger one, the branch blocks of its posting lists and its
// spelling table. A
// failure only means reads stay as they were.
function fillInBackground() {
  if (filling) return;
  if (!indexUrl) {
    filling = lazyStats.holdBranches().then((n) => { branchesHeld = n; }, () => 0);
    return;
  }
  filling = fetch(indexUrl)
    .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status}`))))
    .then((b) => lazyStats.fill(new Uint8Array(b)))
    .catch(() => false);
}

// While the customer types, a large index's blocks for the keystroke most
// likely next, fetched as its search would fetch them; a search that
// begins meanwhile ends the guess and waits for the blocks already on
// their way rather than asking again. Over the bench's typing at 10,000
// articles, each guess given time to arrive (tests/wasm/lazy_index.test.mjs):
// keystrokes that wait on the network 74 -> 37 of 130, index bytes 1,446 ->
// 1,518 KB.
async function guessNext(request, response) {
  const next = nextKeystroke(request, response);
  if (!next) return;
  const mine = ++guess;
  const goOn = () => mine === guess;
  lazyStats.quiet = true;  // no one waits on these waves
  try {
    await fetchWhatSearchReads(engine, lazyStats, JSON.stringify(next), goOn);
  } catch { /* only a guess */ } finally { if (goOn()) lazyStats.expect(null); }
}

// The core's answers other than searches, by message type; each runs once the engine is ready.
const ANSWERS = {
  escalate({ event: e }) {
    if (e.kind === 'decline') { conversation.decline(); return { offer: false }; }
    if (e.kind === 'accept') { conversation.accept(); return { offer: false }; }
    const decide = {
      search: () => conversation.search(e.query, e.results, e.locale),
      articleRead: () => conversation.articleRead(),
      articleVote: () => conversation.articleVote(e.helpful, e.id),
      failure: () => conversation.failure(e.reason),
      text: () => conversation.text(e.text, e.locale),
    }[e.kind];
    if (!decide) throw new Error(`unknown escalation event '${e.kind}'`);
    return JSON.parse(decide());
  },
  scrub: ({ texts }) => texts.map((t) => wasmModule.scrubPersonalData(t)),
  check: async ({ flow, step, answers, today }) => JSON.parse((await flowEngine()).flowCheckAnswers(flow, step, answers, today)),
  suggested: ({ page, locale }) => JSON.parse(wasmModule.suggestedForPage(suggestedText, page, locale)),
};

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    ready = init(msg);
    try {
      self.postMessage({ type: 'ready', ...(await ready) });
    } catch (e) {
      self.postMessage({ type: 'error', message: String(e && e.message || e) });
    }
  } else if (msg.type === 'prepareFlows') {
    flowEngine().catch(() => {});
  } else if (msg.type === 'prefetch') {
    ready?.then(fillInBackground, () => {});
  } else if (Object.hasOwn(ANSWERS, msg.type)) {
    let response;
    try {
      await ready;
      response = await ANSWERS[msg.type](msg);
    } catch (e) {
      response = { error: String(e && e.message || e) };
    }
    self.postMessage({ type: 'answer', id: msg.id, response });
  } else if (msg.type === 'search') {
    try {
      await ready;
      guess++;
      if (lazyStats) lazyStats.quiet = false;
      const started = performance.now();
      const before = lazyStats ? { bytes: lazyStats.bytes, requests: lazyStats.requests, parallel: lazyStats.parallelRequests, waitMs: lazyStats.waitMs } : null;
      searching = msg.id;
      fetchingSaid = false;
      const request = JSON.stringify(msg.request);
      let json, waves;
      try {
        waves = !lazyStats || lazyStats.whole ? 0 : await fetchWhatSearchReads(engine, lazyStats, request);
        json = engine.search(request);
      } finally { searching = null; lazyStats?.expect(null); }
      const response = JSON.parse(json);
      response.elapsed_ms = performance.now() - started;
      response.index_waves = waves;  // parallel fetches of postings' and documents' blocks before searching
      if (before) {
        response.index_bytes_fetched = lazyStats.bytes - before.bytes;
        bytesSearching += response.index_bytes_fetched;
        response.index_bytes_outside = lazyStats.bytes - bytesOpening - bytesSearching;  // so far
        response.index_branches_held = branchesHeld;
        response.index_wait_ms = lazyStats.waitMs - before.waitMs;  // of elapsed_ms, waiting on the network
        // The round trips the search waited on: each read fetched at once, and each parallel fetch.
        const parallel = lazyStats.parallelRequests - before.parallel;
        response.index_requests = lazyStats.requests - before.requests - parallel + waves;
      }
      self.postMessage({ type: 'result', id: msg.id, response });
      if (!indexUrl && !lazyStats.whole) guessNext(msg.request, response);  // a large index
    } catch (e) {
      self.postMessage({ type: 'result', id: msg.id, response: { error: String(e && e.message || e) } });
    }
  }
};
