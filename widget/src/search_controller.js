// Search as you type: each keystroke asks the engine (the Worker, or the
// server until it is ready) and the newest answer wins; an empty box shows
// the opening list. A search counts (for the escalation policy, the trail
// and the reports) once the customer pauses, or clicks a result: every
// keystroke is not a new attempt.
import { el } from './dom.js';

const SETTLE_MS = 1200;

// `view`: {input, status, corrected, extra, results (results_view.js)}.
// `onFirstInPageAnswer()`: the Worker answered for the first time.
export function createSearchController({ engine, view, strings, locale, contactEmail, emit, escalate, trail, record, onFirstInPageAnswer }) {
  const { input, status, corrected, extra, results } = view;
  let latest = 0;          // the newest keystroke's number: older answers are dropped
  let lastQuery = '';
  let lastTotal = 0;
  let lastShown = [];
  let firstInPage = true;
  let settleTimer = null;
  let settled = { q: '', id: '' };

  // The same text again would still replace the live region's text (and may be announced again).
  const setStatus = (text) => { if (status.textContent !== text) status.textContent = text; };

  // Before anything is typed, never a blank body: the page's own articles
  // and flows, then the help center's most helpful (core/content/suggested.h
  // decides which, in the Worker or, until it is ready, on the server).
  async function showOpening() {
    const id = ++latest;
    results.clear();
    corrected.hidden = true;
    status.textContent = '';
    const opening = await engine.suggested(location.href, locale());
    if (id !== latest) return;  // typed meanwhile
    extra.replaceChildren();
    if (opening.error || !opening.items) return;
    results.showOpening(extra, opening);
    emit('suggestions', { items: opening.items.map((i) => ({ id: i.id, kind: i.kind, reason: i.reason })), source: opening.source });
  }

  async function run(q) {
    lastQuery = q;
    if (!q.trim()) return showOpening();
    const id = ++latest;
    const started = performance.now();
    const response = await engine.search({ q, locale: locale(), as_you_type: !/\s$/.test(q), limit: 8, facets: false });
    if (id !== latest || response.superseded) return;  // a newer keystroke won
    const t = strings();
    if (extra.firstChild) extra.replaceChildren();
    if (response.error) { setStatus(t.error); results.clear(); return; }
    corrected.hidden = !response.corrected;
    if (response.corrected && corrected.textContent !== `${t.didYouMean} ${response.corrected}`) {
      corrected.replaceChildren(`${t.didYouMean} `, el('strong', { text: response.corrected }));
    }
    results.show(response.results);
    lastTotal = response.total;
    lastShown = response.results.map((r) => r.id);
    setStatus(response.results.length ? t.results(response.total) : t.noResults(q));
    if (!response.results.length) {
      extra.append(el('div', { class: 'empty' }, el('p', { text: t.contactLead }),
        el('a', { class: 'primary', href: `mailto:${contactEmail}`, text: t.contact })));
    }
    if (response.engine === 'wasm' && firstInPage) { firstInPage = false; onFirstInPageAnswer(); }
    emit('search', { query: q, results: response.results.map((r) => r.id), corrected: response.corrected,
      engine: response.engine, latency_ms: performance.now() - started, engine_ms: response.elapsed_ms,
      index_bytes_fetched: response.index_bytes_fetched });
  }

  // Counts the search in the box now, once; returns its id ('' for none).
  function settleNow() {
    clearTimeout(settleTimer);
    const q = input.value.trim();
    if (q && q !== settled.q) {
      escalate({ kind: 'search', query: q, results: lastTotal, locale: locale() });
      trail.remember({ type: 'search', query: q, shown: lastShown.slice(0, 8), clicked: '' });
      const id = `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      record('search', { query: q, results: lastTotal, search_id: id });
      settled = { q, id };
    } else if (!q) {
      settled = { q: '', id: '' };
    }
    return settled.id;
  }

  function typed() {
    run(input.value);
    clearTimeout(settleTimer);
    settleTimer = setTimeout(settleNow, SETTLE_MS);
  }
  input.addEventListener('input', typed);

  return {
    run,
    // firstfix('search', text): as if typed.
    search(q) { input.value = q; typed(); },
    settleNow,
    get lastQuery() { return lastQuery; },
  };
}
