// The help panel: search as you type, articles inside the panel, votes,
// the opening list and an always-visible way to a person. Loaded on idle
// or first open; all search logic lives in the core (Worker or server).
// This file only puts the pieces together, each a module of its own:
// results_view, article_view, search_controller, keyboard, offer, trail,
// recording; the flow and chat views load on first use.
import { EngineClient } from './engine_client.js';
import { CHAT_KEY, FLOW_KEY } from './session_keys.js';
import { PANEL_CSS } from './panel.css.js';
import { createRecorder } from './recorder.js';
import { reportRecords } from './recording.js';
import { surveyBox } from './survey.js';
import { strings } from './strings.js';
import { el } from './dom.js';
import { createTrail } from './trail.js';
import { createOffer } from './offer.js';
import { createResultsView } from './results_view.js';
import { createArticleView } from './article_view.js';
import { createSearchController } from './search_controller.js';
import { wireKeyboard } from './keyboard.js';

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

const stored = (key) => { try { return JSON.parse(sessionStorage.getItem(key) || 'null'); } catch { return null; } };

export function mount({ root, host, launcher, config, url, state, emit: emitPublic }) {
  let t = strings(state.locale);
  const text = () => t;
  const locale = () => state.locale;
  const engine = new EngineClient(config, url);
  // Every search the in-page engine finishes, shown or not (a hedged search
  // may have been answered by the server first): for diagnostics.
  engine.onWorkerSearch = (detail) => emitPublic('engineSearch', detail);
  // Events reach the page (firstfix('on', ...)) and, scrubbed in the Worker, the editors' reports.
  const recorder = createRecorder({ url, state, scrub: (texts) => engine.scrub(texts) });
  const toReports = reportRecords(recorder.record);
  const emit = (event, detail) => { emitPublic(event, detail); toReports(event, detail); };
  const trail = createTrail();

  const adoptStyles = (css) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  };
  adoptStyles(PANEL_CSS);

  const input = el('input', { type: 'search', role: 'searchbox', 'aria-controls': 'ff-results', autocomplete: 'off', spellcheck: 'false' });
  const searchBar = el('div', { class: 'search' }, input);

  // The escalation policy runs in the Worker; its latest decision says why a person is offered.
  let lastDecision = null;
  const offer = createOffer({
    strings: text, emit,
    onAccept: (trigger) => startChat(trigger),
    onDecline: () => {
      engine.escalate({ kind: 'decline' });
      searchBar.hidden ? body.querySelector('h1')?.focus() : input.focus();
    },
  });
  const escalate = (event) => engine.escalate(event).then((d) => { if (d && !d.error) lastDecision = d; offer.consider(d); });

  // The views: search (results or the opening list), an article, a flow, a chat.
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const corrected = el('p', { class: 'corrected', hidden: true });
  const extra = el('div');
  const results = createResultsView({ url, strings: text, onPick: pick });
  const searchView = el('div', {}, corrected, status, results.list, extra);
  const article = createArticleView({
    url, strings: text,
    onBack: () => showSearch(),
    onRead: ({ id, title }) => {
      escalate({ kind: 'articleRead' });
      trail.remember({ type: 'article', id, title });
      body.scrollTop = 0;
      emit('articleView', { id, title });
    },
    onVote: ({ id, helpful, comment }) => {
      emit('vote', { id, helpful, comment });
      const read = trail.latest((e) => e.type === 'article' && e.id === id);
      if (read) read.helpful = helpful;
    },
    onNotHelpful: (id) => escalate({ kind: 'articleVote', helpful: false, id }),
  });
  const survey = ({ about, session }) => surveyBox({ strings: text, onAnswer: (score) => emit('survey', { about, session, score }) });

  // The flow and chat views are modules of their own, loaded on first use
  // (or when the page is idle after the first in-page answer): most visits
  // only search, and the first answer should not wait for them.
  const flowSlot = el('div', { hidden: true });
  const chatSlot = el('div', { hidden: true });
  let flowView = null, chatView = null, flowLoading = null, chatLoading = null;
  const flowFailuresSeen = new Map();  // failures the server counted in a flow session, reported once each
  const flowOptions = {
    url, engine, emit, survey, storageKey: FLOW_KEY, photos: config.photos, strings: text, locale,
    // Flows get only what the host site signed: a claim proves nothing to them.
    identity: () => { const c = customerOf(state.user); return c && (c.token || c.user_hash) ? c : null; },
    identityClaimed: () => Boolean(state.user),
    onReply: (reply) => {
      if (!trail.has((e) => e.type === 'flow' && e.session === reply.session.id)) trail.remember({ type: 'flow', session: reply.session.id });
      const seen = flowFailuresSeen.get(reply.session.id) ?? 0;
      reply.session.failure_reasons.slice(seen).forEach((reason) => escalate({ kind: 'failure', reason: `${reply.session.flow}: ${reason}` }));
      flowFailuresSeen.set(reply.session.id, reply.session.failure_reasons.length);
    },
    onNotSolved: (reply) => escalate({ kind: 'failure', reason: `${reply.session.flow}: the customer said the result did not solve the problem` }),
    onExit: () => showSearch(),
    // From a done screen that did not resolve it: straight to a person, with the flow in the trail.
    onContact: (reply) => el('button', { type: 'button', class: 'primary', text: t.talkToPerson,
      onclick: () => startChat(reply?.session.done_state === 'escalate' || reply?.session.failures ? 'failures' : 'contact') }),
  };
  const loadFlowView = () => (flowLoading ||= import('./flow_view.js').then(({ createFlowView, FLOW_CSS }) => {
    adoptStyles(FLOW_CSS);
    flowView = createFlowView(flowOptions);
    flowSlot.replaceWith(flowView.element);
    return flowView;
  }).catch((e) => { flowLoading = null; throw e; }));
  const loadChatView = () => (chatLoading ||= import('./chat_view.js').then(({ createChatView, CHAT_CSS }) => {
    adoptStyles(CHAT_CSS);
    chatView = createChatView({ url, emit, survey, photos: config.photos, strings: text, locale, onExit: () => showSearch(), storageKey: CHAT_KEY });
    chatSlot.replaceWith(chatView.element);
    return chatView;
  }).catch((e) => { chatLoading = null; throw e; }));

  const body = el('div', { class: 'body' }, searchView, article.element, flowSlot, chatSlot);
  const title = el('h2', { id: 'ff-title' });
  const closeButton = el('button', { class: 'icon', type: 'button', onclick: () => close() }, el('span', { 'aria-hidden': 'true', text: '✕' }));
  const contactLead = el('span');
  const contactLink = el('a', { href: `mailto:${config.site.contact_email}` });
  const personButton = el('button', { type: 'button', class: 'primary person', onclick: () => startChat(lastDecision?.offer ? lastDecision.trigger : 'contact') });
  const panel = el('div', { class: `panel ${state.position}`, role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'ff-title', hidden: true },
    el('header', {}, title, closeButton),
    searchBar,
    offer.element,
    body,
    el('div', { class: 'contact' }, contactLead, el('div', { class: 'buttons' }, personButton, contactLink)));
  root.append(panel);

  const search = createSearchController({
    engine, view: { input, status, corrected, extra, results }, strings: text, locale, contactEmail: config.site.contact_email,
    emit, escalate, trail, record: recorder.record,
    // The first in-page answer is on screen: when the page is idle, the flow and chat views load.
    onFirstInPageAnswer: () => (self.requestIdleCallback || ((cb) => setTimeout(cb, 500)))(() => { loadFlowView(); loadChatView(); }, { timeout: 5000 }),
  });
  wireKeyboard(panel, { root, input, close: () => close(),
    listLinks: () => (searchView.hidden ? [] : [...searchView.querySelectorAll('.results a')]) });

  function show(view) {
    searchBar.hidden = view !== 'search';
    searchView.hidden = view !== 'search';
    article.element.hidden = view !== 'article';
    if (flowView) flowView.element.hidden = view !== 'flow';
    if (view !== 'chat') chatView?.hide();
  }
  function showSearch() {
    show('search');
    input.focus();
  }

  // A result or an opening-list item was chosen.
  function pick(hit, position, fromSearch) {
    emit('resultClick', { id: hit.id, kind: hit.kind, position, query: search.lastQuery });
    if (fromSearch) {
      const sid = search.settleNow();
      if (sid) recorder.record('result_click', { search_id: sid, position: position + 1, target: hit.id, kind: hit.kind });
    }
    const last = trail.latest((e) => e.type === 'search');
    if (last && !last.clicked) last.clicked = hit.id;
    if (hit.kind === 'flow') startFlow(hit.id);
    else { show('article'); article.open(hit.id); }
  }

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
  async function startChat(trigger) {
    offer.hide();
    engine.escalate({ kind: 'accept' });
    recorder.record('escalation_accepted', { outcome: trigger });
    const chat = await loadChatView();
    show('chat');
    return chat.start({
      locale: state.locale, page: location.href, trigger,
      customer: customerOf(state.user),
      failures: lastDecision?.reasons || [], trail: trail.entries,
    });
  }

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
    const chatting = chatView?.active ? null : stored(CHAT_KEY);
    const flowing = flowView?.active || chatting ? null : stored(FLOW_KEY);
    if (chatting?.conversation) loadChatView().then((chat) => { show('chat'); chat.resume(chatting); });
    else if (chatView?.active) chatView.element.querySelector('textarea')?.focus();
    else if (flowing?.session) resumeFlow(flowing.session);
    else if (flowView?.active) flowView.element.querySelector('h1')?.focus();
    else {
      if (!input.value) search.run('');
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
    search: (q) => { showSearch(); search.search(q); },
    setConsent: (on) => recorder.setConsent(on),
    flushEvents: () => recorder.flush(),
    startFlow: (id) => startFlow(String(id)),
    hasStoredFlow: () => Boolean(stored(FLOW_KEY)?.session),
    setLocale: () => { applyLocale(); if (state.open) search.run(input.value); },
    engine,
  };
}
