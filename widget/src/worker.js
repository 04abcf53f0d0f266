// The search engine's home: the core compiled to WebAssembly runs here, so
// the host page's main thread never runs Xapian or ICU.
//
// Messages in:  {type: 'init', glue, wasm, index, cjk?}  {type: 'search', id, request}
// Messages out: {type: 'ready', documents}  {type: 'result', id, response}  {type: 'error', message}
let engine = null;
let ready = null;

async function init({ glue, wasm, index, cjk }) {
  importScripts(glue);  // defines createFirstfix (Emscripten MODULARIZE)
  const [module, indexBytes, cjkBytes] = await Promise.all([
    self.createFirstfix({ locateFile: () => wasm }),
    fetch(index).then((r) => { if (!r.ok) throw new Error(`index: HTTP ${r.status}`); return r.arrayBuffer(); }),
    cjk ? fetch(cjk).then((r) => r.arrayBuffer()) : null,
  ]);
  if (cjkBytes) module.addIcuData(new Uint8Array(cjkBytes));
  engine = new module.Engine(new Uint8Array(indexBytes));
  return engine.documentCount();
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    ready = init(msg);
    try {
      self.postMessage({ type: 'ready', documents: await ready });
    } catch (e) {
      self.postMessage({ type: 'error', message: String(e && e.message || e) });
    }
  } else if (msg.type === 'search') {
    try {
      await ready;
      const started = performance.now();
      const response = JSON.parse(engine.search(JSON.stringify(msg.request)));
      response.elapsed_ms = performance.now() - started;
      self.postMessage({ type: 'result', id: msg.id, response });
    } catch (e) {
      self.postMessage({ type: 'result', id: msg.id, response: { error: String(e && e.message || e) } });
    }
  }
};
