// Records what the customer does, for the editors' reports (core/metrics):
// searches that settled, clicks with their position, articles read, votes,
// flows and how they ended, offers of a person, chats, and the one-question
// survey. Nothing is recorded before the widget is opened, nor without
// consent (`firstfix('consent', false)` stops it and forgets what was not
// sent). Free text is scrubbed of personal data by the core in the Worker
// before it is queued; an identified customer appears only as a hash.
//
// Events go in batches (every 10 s, or 20 at a time), and with sendBeacon
// when the page is hidden. Each has its own id, and the unsent ones are kept
// in sessionStorage until the server has them, so a flaky network or a
// navigation loses none and the server counts each once.
const QUEUE_KEY = 'firstfix.events';
const VISIT_KEY = 'firstfix.visit';
const VISITOR_KEY = 'firstfix.visitor';
const VISIT_IDLE_MS = 30 * 60 * 1000;
const FLUSH_MS = 10000;
const BATCH = 20;
const MAX_QUEUE = 500;

const randomId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`);
const storage = (kind) => { try { return window[kind]; } catch { return null; } };
const read = (kind, key) => { try { return JSON.parse(storage(kind)?.getItem(key) || 'null'); } catch { return null; } };
const write = (kind, key, value) => { try { storage(kind)?.setItem(key, JSON.stringify(value)); } catch { /* storage off or full */ } };
const remove = (kind, key) => { try { storage(kind)?.removeItem(key); } catch { /* storage off */ } };

async function sha256Hex(text) {
  if (!crypto.subtle) return '';  // not a secure context: no visitor id rather than a clear one
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function createRecorder({ url, state, scrub }) {
  let queue = read('sessionStorage', QUEUE_KEY) || [];
  let timer = null;
  let sending = false;
  let failures = 0;
  let chain = Promise.resolve();  // events keep their order through the async scrub
  const allowed = () => state.consent !== false;

  function visit() {
    const now = Date.now();
    let v = read('sessionStorage', VISIT_KEY);
    if (!v || now - v.last > VISIT_IDLE_MS) v = { id: `v-${randomId()}`, seq: 0, last: now };
    v.last = now;
    v.seq += 1;
    write('sessionStorage', VISIT_KEY, v);
    return v;
  }

  async function visitor() {
    if (state.user && state.user.id != null) return `u-${(await sha256Hex(`firstfix:${state.user.id}`)).slice(0, 32)}`;
    let id = read('localStorage', VISITOR_KEY);
    if (!id) { id = `a-${randomId()}`; write('localStorage', VISITOR_KEY, id); }
    return id;
  }

  function save() { write('sessionStorage', QUEUE_KEY, queue); }

  // type: the event type (core/metrics/event.h); fields: its own fields;
  // text fields (query, text) are scrubbed first.
  function record(type, fields = {}) {
    if (!allowed()) return;
    const v = visit();
    const event = { id: randomId(), type, visit: v.id, at: Date.now(), seq: v.seq, locale: state.locale, ...fields };
    chain = chain.then(async () => {
      const texts = ['query', 'text'].filter((k) => typeof event[k] === 'string' && event[k]);
      if (texts.length) {
        const clean = await scrub(texts.map((k) => event[k].slice(0, 500)));
        // Without the core nothing guarantees the text is clean: it stays on the page.
        texts.forEach((k, i) => { event[k] = clean ? clean[i] : '[withheld]'; });
      }
      const who = await visitor();
      if (who) event.visitor = who;
      if (!allowed()) return;
      queue.push(event);
      if (queue.length > MAX_QUEUE) queue = queue.slice(-MAX_QUEUE);
      save();
      if (queue.length >= BATCH) flush();
      else if (!timer) timer = setTimeout(flush, FLUSH_MS);
    });
    return chain;
  }

  async function flush() {
    clearTimeout(timer);
    timer = null;
    if (sending || !queue.length || !allowed()) return;
    sending = true;
    const batch = queue.slice(0, BATCH * 5);
    try {
      const r = await fetch(url('/api/v1/events'), { method: 'POST', keepalive: true, headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify({ events: batch }) });
      // 2xx: stored (or already stored); 4xx: the server will never take this batch, so it is not retried.
      if (r.ok || (r.status >= 400 && r.status < 500 && r.status !== 429)) {
        const sent = new Set(batch.map((e) => e.id));
        queue = queue.filter((e) => !sent.has(e.id));
        save();
        failures = 0;
      } else {
        failures += 1;
      }
    } catch {
      failures += 1;  // offline or unreachable: kept, tried again later
    } finally {
      sending = false;
    }
    // After a failure: again in 2, 4, 8 ... seconds, at most every 5 minutes.
    if (queue.length && allowed()) timer = setTimeout(flush, failures ? Math.min(5 * 60000, 1000 * 2 ** failures) : 0);
  }

  // The page is going away or out of sight: hand the queue to the browser.
  // The events stay in sessionStorage until a later page learns the server
  // has them (resent, they are counted once).
  function beacon() {
    if (!queue.length || !allowed() || !navigator.sendBeacon) return;
    // Browsers take at most 64 KB of beacons in flight: the first 100 events fit; the rest wait in sessionStorage.
    navigator.sendBeacon(url('/api/v1/events'), new Blob([JSON.stringify({ events: queue.slice(0, 100) })], { type: 'text/plain;charset=UTF-8' }));
  }
  const onHide = () => { if (document.visibilityState === 'hidden') beacon(); };
  document.addEventListener('visibilitychange', onHide);
  window.addEventListener('pagehide', beacon);

  function setConsent(on) {
    if (on) return;
    clearTimeout(timer);
    timer = null;
    queue = [];
    remove('sessionStorage', QUEUE_KEY);
    remove('sessionStorage', VISIT_KEY);
    remove('localStorage', VISITOR_KEY);
  }

  // What an earlier page left unsent goes first.
  if (queue.length && allowed()) timer = setTimeout(flush, 0);

  return { record, flush, setConsent, get pending() { return queue.length; } };
}
