// The help panel: search as you type, articles inside the panel, votes,
// page suggestions and an always-visible way to a person. Loaded on idle or
// first open; all search logic lives in the core (Worker or server).
import { EngineClient } from './engine_client.js';
import { CHAT_KEY, FLOW_KEY } from './session_keys.js';
import { PANEL_CSS } from './panel.css.js';
import { createRecorder } from './recorder.js';
import { surveyBox } from './survey.js';
import { strings } from './strings.js';
import { setHtml } from './trusted_types.js';
import { wireLinks } from './links.js';

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== false && v != null) node.setAttribute(k, v === true ? '' : v);
  }
  children.flat().forEach((c) => c != null && node.append(c));
  return node;
};

// The customer as the host site described it (firstfix('identify', ...)):
// a signed token alone, or id, email and name with the id's user_hash; the
// server verifies the signature and marks the rest as claimed.
function customerOf(user) {
  if (!user) return null;
  if (user.token) return { token: String(user.token) };
  const c = { id: String(user.id ?? ''), email: String(user.email ?? ''), name: String(user.name ?? '') };
  if (user.user_hash) c.user_hash = String(user.user_hash);
  return c;
}

export function mount({ root, host, launcher, config, url, state, emit: emitPublic }) {
  const engine = new EngineClient(config, url);
  // Every search the in-page engine finishes, shown or not (a hedged search
  // may have been answered by the server first): for diagnostics.
  engine.onWorkerSearch = (detail) => emitPublic('engineSearch', detail);
  // What the customer does, for the editors' reports: recorded from the same
  // events the page can listen to (firstfix('on', ...)), scrubbed in the Worker.
  const recorder = createRecorder({ url, state, scrub: (texts) => engine.scrub(texts) });
  const flowFailures = new Map();  // session -> failures seen, to tell a failed step from a good one
  const emit = (event, detail) => {
    emitPublic(event, detail);
    const r = recorder.record;
    switch (event) {
      case 'articleView': return r('article_view', { target: detail.id });
      case 'vote': return r('vote', { target: detail.id, helpful: detail.helpful, ...(detail.comment ? { text: detail.comment } : {}) });
      case 'flowStart': return r('flow_start', { target: detail.flow, session: detail.session, outcome: detail.identity });
      case 'flowStep': {
        const before = flowFailures.get(detail.session) ?? detail.failures;
        flowFailures.set(detail.session, detail.failures);
        if (detail.kind === 'done') return undefined;
        return r('flow_step', { target: detail.flow, session: detail.session, step: detail.step,
          outcome: detail.invalid ? 'invalid' : detail.failures > before ? 'failed' : 'ok' });
      }
      case 'flowDone': return r('flow_done', { target: detail.flow, session: detail.session, outcome: detail.state });
      case 'flowNotSolved': return r('flow_done', { target: detail.flow, session: detail.session, outcome: 'not_solved' });
      case 'escalationOffer': return r('escalation_offered', { outcome: detail.trigger });
      case 'escalationDeclined': return r('escalation_declined', { outcome: detail.trigger });
      case 'chatStart': return r('chat_started', { session: detail.conversation, outcome: detail.state === 'ticket' ? 'ticket' : 'queued' });
      case 'chatClosed': return r('chat_closed', { session: detail.conversation, outcome: '' });
      case 'survey': return r('survey', { about: detail.about, session: detail.session, score: detail.score });
      default: return undefined;
    }
  };
  const survey = ({ about, session }) => surveyBox({ el, strings: () => t, onAnswer: (score) => emit('survey', { about, session, score }) });
  let t = strings(state.locale);
  let latest = 0;
  let lastQuery = '';
  let lastTotal = 0;
  let lastShown = [];
  let viewsPrefetched = false;

  const adoptStyles = (css) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  };
  adoptStyles(PANEL_CSS);
  const title = el('h2', { id: 'ff-title' });
  const closeButton = el('button', { class: 'icon', type: 'button', onclick: () => close() },
    el('span', { 'aria-hidden': 'true', text: '✕' }));
  const input = el('input', { type: 'search', role: 'searchbox', 'aria-controls': 'ff-results', autocomplete: 'off', spellcheck: 'false' });
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const corrected = el('p', { class: 'corrected', hidden: true });
  const results = el('ul', { class: 'results', id: 'ff-results' });
  const extra = el('div');
  const searchView = el('div', {}, corrected, status, results, extra);
  const articleView = el('div', { class: 'article', hidden: true });
  // The way to a person: always in the footer; offered up front when the
  // escalation policy (core/escalation, in the Worker) says so.
  const offerBox = el('div', { class: 'offer', role: 'region', 'aria-labelledby': 'ff-offer-text', hidden: true });
  let offerShown = false;
  function consider(decision) {
    if (!decision || !decision.offer || offerShown) return;
    offerShown = true;
    const text = { failures: t.offerFailures, request: t.offerRequest, frustration: t.offerFrustration }[decision.trigger] || t.offerFailures;
    const accept = el('button', { type: 'button', class: 'primary', text: t.talkToPerson, onclick: () => {
      emit('escalationAccepted', { trigger: decision.trigger, failures: decision.failures });
      startChat(decision.trigger);
    } });
    const decline = el('button', { type: 'button', class: 'link', text: t.keepLooking, onclick: () => {
      engine.escalate({ kind: 'decline' });
      offerBox.hidden = true;
      offerShown = false;
      emit('escalationDeclined', { trigger: decision.trigger, failures: decision.failures });
      input.closest('.search').hidden ? body.querySelector('h1')?.focus() : input.focus();
    } });
    offerBox.replaceChildren(el('p', { id: 'ff-offer-text', text }), el('div', { class: 'buttons' }, accept, decline));
    offerBox.hidden = false;
    emit('escalationOffer', { trigger: decision.trigger, failures: decision.failures, reasons: decision.reasons });
  }
  const escalate = (event) => engine.escalate(event).then((d) => { if (d && !d.error) lastDecision = d; consider(d); });
  // Failures the server counted in a flow session, reported once each.
  const flowFailuresSeen = new Map();

  // The flow and chat views are modules of their own, loaded on first use
  // (or when the page is idle after the first in-page answer): most visits
  // only search, and the first answer should not wait for them.
  const flowSlot = el('div', { hidden: true });
  const chatSlot = el('div', { hidden: true });
  let flowView = null, chatView = null, flowLoading = null, chatLoading = null;
  const loadFlowView = () => (flowLoading ||= import('./flow_view.js').then(({ createFlowView, FLOW_CSS }) => {
    adoptStyles(FLOW_CSS);
    flowView = createFlowView(flowOptions);
    flowSlot.replaceWith(flowView.element);
    return flowView;
  }).catch((e) => { flowLoading = null; throw e; }));
  const loadChatView = () => (chatLoading ||= import('./chat_view.js').then(({ createChatView, CHAT_CSS }) => {
    adoptStyles(CHAT_CSS);
    chatView = createChatView({ el, url, emit, survey, photos: config.photos, strings: () => t, locale: () => state.locale, onExit: () => showSearch(), storageKey: CHAT_KEY });
    chatSlot.replaceWith(chatView.element);
    return chatView;
  }).catch((e) => { chatLoading = null; throw e; }));
  const flowOptions = {
    el, url, engine, emit, survey, storageKey: FLOW_KEY, photos: config.photos,
    // Flows get only what the host site signed: a claim proves nothing to them.
    identity: () => { const c = customerOf(state.user); return c && (c.token || c.user_hash) ? c : null; },
    identityClaimed: () => Boolean(state.user),
    onReply: (reply) => {
      if (!trail.some((e) => e.type === 'flow' && e.session === reply.session.id)) remember({ type: 'flow', session: reply.session.id });
      const seen = flowFailuresSeen.get(reply.session.id) ?? 0;
      reply.session.failure_reasons.slice(seen).forEach((reason) => escalate({ kind: 'failure', reason: `${reply.session.flow}: ${reason}` }));
      flowFailuresSeen.set(reply.session.id, reply.session.failure_reasons.length);
    },
    onNotSolved: (reply) => escalate({ kind: 'failure', reason: `${reply.session.flow}: the customer said the result did not solve the problem` }),
    strings: () => t,
    locale: () => state.locale,
    onExit: () => showSearch(),
    // From a done screen that did not resolve it: straight to a person, with the flow in the trail.
    onContact: (reply) => el('button', { type: 'button', class: 'primary', text: t.talkToPerson,
      onclick: () => startChat(reply?.session.done_state === 'escalate' || reply?.session.failures ? 'failures' : 'contact') }),
  };
  const body = el('div', { class: 'body' }, searchView, articleView, flowSlot, chatSlot);
  // What the customer tried, in order, for the person who takes over: no one retells their story.
  const trail = [];
  const remember = (entry) => { trail.push(entry); if (trail.length > 200) trail.shift(); };
  let lastDecision = null;
  function show(view) {
    input.closest('.search').hidden = view !== 'search';
    searchView.hidden = view !== 'search';
    articleView.hidden = view !== 'article';
    if (flowView) flowView.element.hidden = view !== 'flow';
    if (view !== 'chat') chatView?.hide();
  }
  async function startChat(trigger) {
    offerBox.hidden = true;
    engine.escalate({ kind: 'accept' });
    recorder.record('escalation_accepted', { outcome: trigger });
    const chat = await loadChatView();
    show('chat');
    return chat.start({
      locale: state.locale, page: location.href, trigger,
      customer: customerOf(state.user),
      failures: lastDecision?.reasons || [], trail,
    });
  }
  const storedChat = () => { try { return JSON.parse(sessionStorage.getItem(CHAT_KEY) || 'null'); } catch { return null; } };
  const contactLead = el('span');
  const contactLink = el('a', { href: `mailto:${config.site.contact_email}` });
  const personButton = el('button', { type: 'button', class: 'primary person', onclick: () => startChat(lastDecision?.offer ? lastDecision.trigger : 'contact') });
  const panel = el('div', { class: `panel ${state.position}`, role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'ff-title', hidden: true },
    el('header', {}, title, closeButton),
    el('div', { class: 'search' }, input),
    offerBox,
    body,
    el('div', { class: 'contact' }, contactLead, el('div', { class: 'buttons' }, personButton, contactLink)));
  root.append(panel);

  function applyLocale() {
    t = strings(state.locale);
    panel.setAttribute('lang', state.locale);
    panel.setAttribute('dir', (config.rtl || []).includes(state.locale) ? 'rtl' : 'ltr');  // the core's locale table
    title.textContent = state.greeting || t.title;
    closeButton.setAttribute('aria-label', t.close);
    input.setAttribute('aria-label', t.search);
    input.setAttribute('placeholder', t.search);
    contactLead.textContent = t.contactLead;
    contactLink.textContent = t.contact;
    personButton.textContent = t.talkToPerson;
  }
  applyLocale();

  const focusables = () => [...panel.querySelectorAll('a[href],button:not([disabled]),input:not([disabled]),select,textarea,[tabindex="0"]')]
    .filter((n) => !n.closest('[hidden]'));

  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.preventDefault(); close(); return; }
    if (e.key === 'Tab') {  // focus trap
      const f = focusables();
      if (!f.length) return;
      const active = root.activeElement;
      if (e.shiftKey && active === f[0]) { e.preventDefault(); f[f.length - 1].focus(); }
      else if (!e.shiftKey && active === f[f.length - 1]) { e.preventDefault(); f[0].focus(); }
    }
    if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && articleView.hidden && !flowView?.active) {
      const links = [...searchView.querySelectorAll('.results a')];  // results, or the opening list
      if (!links.length) return;
      const i = links.indexOf(root.activeElement);
      if (e.key === 'ArrowDown' && (root.activeElement === input || i >= 0)) { e.preventDefault(); links[Math.min(i + 1, links.length - 1)].focus(); }
      if (e.key === 'ArrowUp' && i >= 0) { e.preventDefault(); (i === 0 ? input : links[i - 1]).focus(); }
    }
  });

  function resultItem(hit, position, fromSearch = true) {
    const a = el('a', { href: url(hit.url), 'data-id': hit.id, 'data-kind': hit.kind, class: hit.kind === 'flow' ? 'task' : false });
    const titleSpan = el('span', { class: 'r-title' });
    if (hit.title_html) setHtml(titleSpan, hit.title_html); else titleSpan.textContent = hit.title;  // escaped by the core
    const snippet = el('span', { class: 'r-snippet' });
    if (hit.snippet_html) setHtml(snippet, hit.snippet_html);  // escaped by the core
    a.append(titleSpan, el('span', { class: 'r-meta', text: hit.kind === 'flow' ? `▶ ${t.doItNow}` : hit.category }), snippet);
    a.addEventListener('click', (e) => {
      if (hit.kind !== 'article' && hit.kind !== 'flow') return;
      e.preventDefault();
      emit('resultClick', { id: hit.id, kind: hit.kind, position, query: lastQuery });
      if (fromSearch) {
        const sid = settleNow();
        if (sid) recorder.record('result_click', { search_id: sid, position: position + 1, target: hit.id, kind: hit.kind });
      }
      const search = [...trail].reverse().find((e) => e.type === 'search');
      if (search && !search.clicked) search.clicked = hit.id;
      if (hit.kind === 'flow') startFlow(hit.id);
      else openArticle(hit.id);
    });
    return el('li', {}, a);
  }

  // Before anything is typed, never a blank body: the page's own articles
  // and flows, then the help center's most helpful (core/content/suggested.h
  // decides which, in the Worker or, until it is ready, on the server).
  async function showSuggestions() {
    const id = ++latest;
    results.replaceChildren();
    corrected.hidden = true;
    status.textContent = '';
    const list = await engine.suggested(location.href, state.locale);
    if (id !== latest) return;  // typed meanwhile
    extra.replaceChildren();
    if (list.error || !list.items) return;
    const section = (heading, items, cls) => items.length && extra.append(el('h3', { text: heading }),
      el('ul', { class: `results ${cls}` }, items.map((hit, i) => resultItem(hit, i, false))));
    section(t.suggested, list.items.filter((i) => i.reason === 'page'), 'for-page');
    section(t.popular, list.items.filter((i) => i.reason !== 'page'), 'popular');
    emit('suggestions', { items: list.items.map((i) => ({ id: i.id, kind: i.kind, reason: i.reason })), source: list.source });
  }

  // Results change little from one keystroke to the next: only the items
  // that differ are replaced, so the browser lays out and paints just those
  // (on a slow machine a full re-render costs more than the search itself).
  function showResults(hits) {
    const items = results.children;
    hits.forEach((hit, i) => {
      const key = [hit.kind, hit.id, hit.category, hit.title_html, hit.snippet_html].join('\u0000');
      const old = items[i];
      if (old && old.ffKey === key) return;
      const item = resultItem(hit, i);
      item.ffKey = key;
      if (old) old.replaceWith(item); else results.append(item);
    });
    while (items.length > hits.length) items[items.length - 1].remove();
  }
  // The same text again would still replace the live region's text (and may be announced again).
  const setStatus = (text) => { if (status.textContent !== text) status.textContent = text; };

  async function runSearch(q) {
    lastQuery = q;
    if (!q.trim()) return showSuggestions();
    const id = ++latest;
    const started = performance.now();
    const response = await engine.search({ q, locale: state.locale, as_you_type: !/\s$/.test(q), limit: 8, facets: false });
    if (id !== latest || response.superseded) return;  // a newer keystroke won
    if (extra.firstChild) extra.replaceChildren();
    if (response.error) { setStatus(t.error); results.replaceChildren(); return; }
    corrected.hidden = !response.corrected;
    if (response.corrected && corrected.textContent !== `${t.didYouMean} ${response.corrected}`) {
      corrected.replaceChildren(`${t.didYouMean} `, el('strong', { text: response.corrected }));
    }
    showResults(response.results);
    lastTotal = response.total;
    lastShown = response.results.map((r) => r.id);
    setStatus(response.results.length ? t.results(response.total) : t.noResults(q));
    if (!response.results.length) {
      extra.append(el('div', { class: 'empty' }, el('p', { text: t.contactLead }),
        el('a', { class: 'primary', href: `mailto:${config.site.contact_email}`, text: t.contact })));
    }
    if (response.engine === 'wasm' && !viewsPrefetched) {
      viewsPrefetched = true;
      (self.requestIdleCallback || ((cb) => setTimeout(cb, 500)))(() => { loadFlowView(); loadChatView(); }, { timeout: 5000 });
    }
    emit('search', { query: q, results: response.results.map((r) => r.id), corrected: response.corrected,
      engine: response.engine, latency_ms: performance.now() - started, engine_ms: response.elapsed_ms,
      index_bytes_fetched: response.index_bytes_fetched });
  }

  // A search counts (for the escalation policy and the reports) once the
  // customer pauses, or clicks a result: every keystroke is not a new attempt.
  let settle = null;
  let settled = { q: '', total: 0, id: '' };
  function settleNow() {
    clearTimeout(settle);
    const q = input.value.trim();
    if (q && q !== settled.q) {
      escalate({ kind: 'search', query: q, results: lastTotal, locale: state.locale });
      remember({ type: 'search', query: q, shown: lastShown.slice(0, 8), clicked: '' });
      const id = `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      recorder.record('search', { query: q, results: lastTotal, search_id: id });
      settled = { q, total: lastTotal, id };
    } else if (!q) {
      settled = { q: '', total: 0, id: '' };
    }
    return settled.id;
  }
  input.addEventListener('input', () => {
    runSearch(input.value);
    clearTimeout(settle);
    settle = setTimeout(settleNow, 1200);
  });

  async function startFlow(id) {
    const flow = await loadFlowView();
    show('flow');
    return flow.start(id);
  }

  async function resumeFlow(sessionId) {
    const flow = await loadFlowView();
    show('flow');
    if (!(await flow.resume(sessionId))) showSearch();
  }

  const storedFlow = () => { try { return JSON.parse(sessionStorage.getItem(FLOW_KEY) || 'null'); } catch { return null; } };

  async function openArticle(id) {
    show('article');
    articleView.replaceChildren(el('p', { class: 'status', text: t.loading }));
    let article;
    try {
      const r = await fetch(url(`/api/v1/articles/${encodeURIComponent(id)}`));
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      article = await r.json();
    } catch (e) {
      articleView.replaceChildren(el('p', { class: 'status', text: t.error }));
      return;
    }
    const back = el('button', { class: 'back', type: 'button', onclick: () => showSearch(), text: `‹ ${t.back}` });
    const content = el('div', { class: 'content' });
    setHtml(content, article.html);  // sanitized by the compiler (no script, handlers or javascript: URLs)
    wireLinks(content, { url, openArticle });
    const heading = el('h1', { tabindex: '-1', text: article.title });
    articleView.replaceChildren(back, heading, content, voteBox(id));
    escalate({ kind: 'articleRead' });
    remember({ type: 'article', id, title: article.title });
    body.scrollTop = 0;
    heading.focus();
    emit('articleView', { id, title: article.title });
  }

  function voteBox(id) {
    const box = el('div', { class: 'vote', role: 'group', 'aria-labelledby': 'ff-vote-q' });
    const question = el('p', { id: 'ff-vote-q', text: t.helpful });
    const live = el('p', { role: 'status', 'aria-live': 'polite' });
    let counted = false;
    const record = (helpful, comment) => {
      emit('vote', { id, helpful, comment: comment || '' });
      if (!helpful && !counted) { counted = true; escalate({ kind: 'articleVote', helpful: false, id }); }
      const read = [...trail].reverse().find((e) => e.type === 'article' && e.id === id);
      if (read) read.helpful = helpful;
    };
    const yes = el('button', { type: 'button', 'aria-pressed': 'false', text: t.yes, onclick: () => {
      yes.setAttribute('aria-pressed', 'true'); no.setAttribute('aria-pressed', 'false');
      record(true); live.textContent = t.thanks; form.hidden = true;
    } });
    const no = el('button', { type: 'button', 'aria-pressed': 'false', text: t.no, onclick: () => {
      no.setAttribute('aria-pressed', 'true'); yes.setAttribute('aria-pressed', 'false');
      form.hidden = false; comment.focus();
    } });
    const comment = el('textarea', { id: 'ff-comment', rows: '3', maxlength: '1000' });
    const form = el('form', { hidden: true, onsubmit: (e) => {
      e.preventDefault(); record(false, comment.value.trim()); live.textContent = t.thanks; form.hidden = true;
    } }, el('label', { for: 'ff-comment', text: t.commentLabel }), comment, el('button', { class: 'primary', type: 'submit', text: t.send }));
    box.append(question, el('div', { class: 'buttons' }, yes, no), form, live);
    return box;
  }

  function showSearch() {
    show('search');
    input.focus();
  }

  function open() {
    if (state.open) return;
    state.open = true;
    // The engine starts once the first answer is on screen (or soon after
    // opening): compiling the wasm and loading the index compete for the
    // CPU, and the customer's first result should not wait on them.
    engine.startAfterFirstAnswer(250);
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    // A chat or a flow under way (this tab, before a reload) comes back where it was.
    const chatting = chatView?.active ? null : storedChat();
    const stored = flowView?.active || chatting ? null : storedFlow();
    if (chatting?.conversation) loadChatView().then((chat) => { show('chat'); chat.resume(chatting); });
    else if (chatView?.active) chatView.element.querySelector('textarea')?.focus();
    else if (stored?.session) resumeFlow(stored.session);
    else if (flowView?.active) flowView.element.querySelector('h1')?.focus();
    else {
      if (!input.value) showSuggestions();
      input.focus();
    }
    emit('open', {});
  }

  function close() {
    if (!state.open) return;
    state.open = false;
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
    emit('close', {});
  }

  return {
    open, close,
    preload: () => engine.start(),
    search: (q) => { input.value = q; showSearch(); runSearch(q); clearTimeout(settle); settle = setTimeout(settleNow, 1200); },
    setConsent: (on) => recorder.setConsent(on),
    flushEvents: () => recorder.flush(),
    startFlow: (id) => startFlow(String(id)),
    hasStoredFlow: () => Boolean(storedFlow()?.session),
    setLocale: () => { applyLocale(); if (state.open) runSearch(input.value); },
    engine,
  };
}
