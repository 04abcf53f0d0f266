// A guided task flow inside the panel: one step at a time, checked as the
// customer types by the core's own rules (in the Worker), decided by the
// server (which re-checks everything and runs the actions), and ending on a
// done screen that says what was done. The session id is kept in
// sessionStorage, once a flow has started, so a reload resumes it.
import { el } from './dom.js';

const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

import { FLOW_STRINGS } from './flow_view.strings.js';

import { setHtml } from './trusted_types.js';
import { wireLinks } from './links.js';
export { FLOW_CSS } from './flow_view.css.js';

// `storageKey`: where this tab remembers the session under way (session_keys.js).
// `strings()`: the panel's strings; `locale()`: the current locale, for the view's own.
export function createFlowView({ strings, locale, url, engine, emit, onExit, onContact, survey, storageKey, photos, identity = () => null, identityClaimed = () => false, onReply = () => {}, onNotSolved = () => {} }) {
  const view = el('div', { class: 'flow', hidden: true });
  let reply = null;        // the server's latest answer: {session, step, notices}
  let definition = null;   // the flow as written, for instant checks in the Worker
  let busy = false;
  let pending = null;      // an answer sent but not confirmed: retried with the same Idempotency-Key
  const t = () => ({ ...strings(), ...FLOW_STRINGS.en, ...FLOW_STRINGS[locale()] });

  const remember = (id) => { try { sessionStorage.setItem(storageKey, JSON.stringify({ session: id })); } catch { /* storage off */ } };
  const forget = () => { try { sessionStorage.removeItem(storageKey); } catch { /* storage off */ } };

  async function call(method, path, body, headers = {}) {
    const init = { method, headers: { ...headers } };
    if (body !== undefined) { init.body = JSON.stringify(body); init.headers['content-type'] = 'application/json'; }
    const r = await fetch(url(path), init);
    const json = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
    return { status: r.status, body: json };
  }

  async function loadDefinition(flowId) {
    if (definition?.id === flowId) return;
    definition = null;
    engine.prepareFlows?.();  // the Worker's flow engine loads while the definition and the first step do
    const r = await call('GET', `/api/v1/flows/${encodeURIComponent(flowId)}`).catch(() => null);
    if (r?.status === 200) definition = { id: flowId, json: JSON.stringify(r.body.definition) };
  }

  function showError(message, retry) {
    const box = el('div', { class: 'flow-error', role: 'alert' }, el('p', { text: message }));
    if (retry) box.append(el('button', { type: 'button', class: 'primary', text: t().retry, onclick: retry }));
    view.querySelector('.flow-error')?.remove();
    view.querySelector('.flow-step')?.prepend(box) ?? view.append(box);
  }

  async function start(flowId) {
    view.hidden = false;
    view.replaceChildren(el('p', { class: 'status', role: 'status', text: t().loading }));
    const [r] = await Promise.all([
      call('POST', `/api/v1/flows/${encodeURIComponent(flowId)}/sessions`, { context: { page: location.pathname }, identity: identity() }).catch(() => null),
      loadDefinition(flowId),
    ]);
    if (!r || r.status !== 201) {
      view.replaceChildren();
      showError(r?.body?.error || t().networkError, () => start(flowId));
      return;
    }
    remember(r.body.session.id);
    // Events name the session by its link: never the id, which is the session's only credential.
    // Who started it, for the reports: verified only when the server verified a signature.
    emit('flowStart', { flow: flowId, session: r.body.session.link, identity: r.body.session.identified ? 'verified' : identityClaimed() ? 'claimed' : 'anonymous' });
    render(r.body);
  }

  async function resume(sessionId) {
    view.hidden = false;
    view.replaceChildren(el('p', { class: 'status', role: 'status', text: t().loading }));
    const r = await call('GET', `/api/v1/sessions/${encodeURIComponent(sessionId)}`).catch(() => null);
    if (!r || r.status !== 200) { forget(); return false; }
    await loadDefinition(r.body.session.flow);
    render(r.body);
    return true;
  }

  // Sends an answer; a network failure keeps it and its key, so "Try again"
  // cannot run an action twice.
  async function send(kind, payload) {
    if (busy || !reply) return;
    const session = reply.session.id;
    const step = reply.step.id;
    if (!pending || pending.step !== step || pending.kind !== kind || JSON.stringify(pending.payload) !== JSON.stringify(payload))
      pending = { kind, step, payload, key: newKey() };
    busy = true;
    view.querySelectorAll('button,input,select,textarea').forEach((n) => { n.disabled = true; });
    view.querySelector('.flow-submit')?.setAttribute('aria-busy', 'true');
    let r = null;
    try {
      if (kind === 'answer') {
        r = await call('POST', `/api/v1/sessions/${session}/answers`, { step, answers: payload }, { 'Idempotency-Key': pending.key });
      } else {
        r = await call('POST', `/api/v1/sessions/${session}/${kind}`, kind === 'back' ? { step } : payload);
      }
    } catch { r = null; }
    busy = false;
    if (!r) {
      view.querySelectorAll('button,input,select,textarea').forEach((n) => { n.disabled = false; });
      showError(t().networkError, () => send(kind, payload));
      return;
    }
    pending = null;
    if (r.status === 422) return render(r.body, r.body.errors);
    if (r.body.session && r.body.step) return render(r.body, [], r.status === 200 ? null : r.body.error);
    render(reply);
    showError(r.body.error || t().error, r.status >= 500 ? () => send(kind, payload) : null);
  }

  function field(f, error) {
    const id = `ff-f-${f.name}`;
    const describedBy = [];
    const wrap = el('div', { class: 'field' });
    const hint = f.hint ? el('p', { class: 'hint', id: `${id}-hint`, text: f.hint }) : null;
    if (hint) describedBy.push(hint.id);
    const err = el('p', { class: 'field-error', id: `${id}-err`, hidden: !error, text: error || '' });
    describedBy.push(err.id);
    const label = f.label + (f.required ? '' : ` ${t().optional}`);
    let control;
    if ((f.type === 'choice' || f.type === 'multi-choice') && f.choices) {
      const multi = f.type === 'multi-choice';
      control = el('fieldset', { class: 'choices', 'aria-describedby': describedBy.join(' '), 'aria-invalid': error ? 'true' : false },
        el('legend', { text: label }),
        f.choices.map((c, i) => {
          const checked = multi ? (f.value || []).includes(c) : f.value === c;
          return el('label', { class: 'choice' },
            el('input', { type: multi ? 'checkbox' : 'radio', name: f.name, value: c, id: i === 0 ? id : false, checked, required: !multi && f.required }),
            el('span', { text: c }));
        }));
      wrap.append(control);
    } else {
      // How it is typed is the core's decision (step view: input), drawn as given.
      const input = f.input || { type: 'text', autocomplete: 'off', inputmode: '' };
      const attrs = { id, name: f.name, type: input.type, required: f.required, 'aria-describedby': describedBy.join(' '),
        'aria-invalid': error ? 'true' : false, autocomplete: input.autocomplete, inputmode: input.inputmode || false };
      if (f.type === 'photo') attrs.accept = photos.types.join(',');
      if (f.min != null) attrs.min = f.min;
      if (f.max != null) attrs.max = f.max;
      if (f.max_length) attrs.maxlength = f.max_length;
      control = el('input', attrs);
      if (f.value != null && f.type !== 'photo') control.value = String(f.value);
      wrap.append(el('label', { for: id, text: label }), control);
      if (f.type === 'photo') {
        const state = el('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
        if (f.value) { control.dataset.upload = f.value; state.textContent = t().photoAttached; }
        control.addEventListener('change', () => { control.uploading = uploadPhoto(control, state); });
        wrap.append(state);
      }
    }
    if (hint) wrap.append(hint);
    wrap.append(err);
    return wrap;
  }

  // A photo goes up as soon as it is chosen; the answer is its upload id.
  async function uploadPhoto(input, state) {
    const file = input.files?.[0];
    delete input.dataset.upload;
    if (!file) { state.textContent = ''; return; }
    const s = t();
    // The server's own rules (its config), checked here before sending.
    if (!photos.types.includes(file.type)) { state.textContent = s.photoType; return; }
    if (file.size > photos.max_bytes) { state.textContent = s.photoSize; return; }
    state.textContent = s.photoUploading;
    try {
      const r = await fetch(url(`/api/v1/sessions/${reply.session.id}/uploads`), { method: 'POST', headers: { 'content-type': file.type }, body: file });
      const body = await r.json();
      if (r.status !== 201) { state.textContent = body.error || s.error; return; }
      input.dataset.upload = body.upload;
      state.textContent = `${s.photoAttached} ${file.name}`;
    } catch {
      state.textContent = s.networkError;
    }
  }

  function answersOf(form, fields) {
    const answers = {};
    for (const f of fields) {
      if (f.type === 'multi-choice') answers[f.name] = [...form.querySelectorAll(`input[name="${f.name}"]:checked`)].map((n) => n.value);
      else if (f.type === 'choice') answers[f.name] = form.querySelector(`input[name="${f.name}"]:checked`)?.value ?? '';
      else if (f.type === 'photo') answers[f.name] = form.querySelector(`input[name="${f.name}"]`).dataset.upload ?? '';
      else answers[f.name] = form.querySelector(`[name="${f.name}"]`).value;
    }
    return answers;
  }

  function showFieldErrors(form, errors) {
    for (const node of form.querySelectorAll('.field-error')) { node.hidden = true; node.textContent = ''; }
    for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
    let first = null;
    for (const e of errors) {
      const err = form.querySelector(`#ff-f-${CSS.escape(e.field)}-err`);
      if (!err) continue;
      err.hidden = false;
      err.textContent = e.message;
      const control = form.querySelector(`#ff-f-${CSS.escape(e.field)}`)?.closest('fieldset') || form.querySelector(`#ff-f-${CSS.escape(e.field)}`);
      control?.setAttribute('aria-invalid', 'true');
      first ??= form.querySelector(`#ff-f-${CSS.escape(e.field)}`);
    }
    first?.focus();
  }

  function render(body, errors = [], problem = null) {
    reply = body;
    onReply(body);
    const { session, step } = body;
    const s = t();
    const container = el('div', { class: 'flow-step' });
    const top = el('div', { class: 'flow-top' },
      el('button', { type: 'button', class: 'back', text: `‹ ${s.stopFlow}`, onclick: () => exit() }),
      el('span', { class: 'flow-name', text: session.flow_title }));
    container.append(top);
    if (!session.done) {
      const { step: n, of } = step.progress;
      container.append(el('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': '1', 'aria-valuemax': String(of),
        'aria-valuenow': String(n), 'aria-label': s.progress(n, of) },
      el('span', { class: 'track' }, el('span', { class: 'bar' })), el('span', { class: 'label', text: s.progress(n, of) })));
      // CSSOM, not a style attribute: allowed under a strict CSP.
      container.querySelector('.bar').style.width = `${Math.round((100 * n) / of)}%`;
    }
    const notices = [...(body.notices || []), ...(problem ? [problem] : [])];
    if (notices.length) container.append(el('div', { class: 'notice', role: 'alert' }, notices.map((n) => el('p', { text: n }))));
    const heading = el('h1', { tabindex: '-1', text: step.title || session.flow_title });
    container.append(heading);
    if (session.done) container.classList.add(`done-${session.done_state}`);
    const message = el('div', { class: 'content' });
    setHtml(message, step.message_html);  // sanitized by the server's Markdown renderer (safe mode)
    wireLinks(message, { url });
    container.append(message);

    const actions = el('div', { class: 'flow-actions' });
    if (step.kind === 'ask') {
      const form = el('form', { novalidate: true, class: 'flow-form' });
      const errorFor = (name) => errors.find((e) => e.field === name)?.message;
      form.append(...step.fields.map((f) => field(f, errorFor(f.name))));
      const general = errors.filter((e) => !step.fields.some((f) => f.name === e.field));
      if (general.length) form.append(el('p', { class: 'field-error', role: 'alert', text: general.map((e) => e.message).join(' ') }));
      form.append(actions);
      actions.append(el('button', { type: 'submit', class: 'primary flow-submit', text: s.continue }));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        await Promise.all([...form.querySelectorAll('input[type=file]')].map((n) => n.uploading));
        const answers = answersOf(form, step.fields);
        // The core's checks, in the Worker: no round trip for a typo.
        const local = definition ? await engine.checkAnswers(definition.json, step.id, answers, session.today) : null;
        if (Array.isArray(local) && local.length) { showFieldErrors(form, local); return; }
        send('answer', answers);
      });
      container.append(form);
    } else if (step.kind === 'confirm' || step.kind === 'offer') {
      const yes = step.kind === 'confirm' ? { confirm: true } : { accept: true };
      const no = step.kind === 'confirm' ? { confirm: false } : { accept: false };
      const labels = step.labels || {};
      actions.append(
        el('button', { type: 'button', class: 'primary', text: labels.yes || labels.accept || (step.kind === 'confirm' ? s.yes : s.accept), onclick: () => send('answer', yes) }),
        el('button', { type: 'button', class: 'secondary', text: labels.no || labels.decline || (step.kind === 'confirm' ? s.no : s.decline), onclick: () => send('answer', no) }));
      container.append(actions);
    } else if (step.kind === 'message') {
      actions.append(el('button', { type: 'button', class: 'primary', text: s.continue, onclick: () => send('answer', {}) }));
      container.append(actions);
    } else if (step.kind === 'done') {
      container.append(doneBox(session));
    }
    if (step.can_go_back && !session.done)
      actions.append(el('button', { type: 'button', class: 'link', text: s.previous, onclick: () => send('back') }));

    view.replaceChildren(container);
    view.hidden = false;
    const firstInvalid = errors.length && container.querySelector('[aria-invalid=true]');
    if (firstInvalid) (firstInvalid.matches('fieldset') ? firstInvalid.querySelector('input') : firstInvalid).focus();
    else heading.focus();
    emit(session.done ? 'flowDone' : 'flowStep', session.done
      ? { flow: session.flow, session: session.link, state: session.done_state, failures: session.failures }
      : { flow: session.flow, session: session.link, step: step.id, kind: step.kind, failures: session.failures, invalid: errors.length > 0 });
  }

  function doneBox(session) {
    const s = t();
    const box = el('div', { class: 'flow-done' });
    const live = el('p', { role: 'status', 'aria-live': 'polite' });
    if (session.done_state === 'resolved') {
      const q = el('p', { text: s.solved });
      const buttons = el('div', { class: 'buttons' },
        el('button', { type: 'button', class: 'secondary', text: s.yes, onclick: () => { buttons.remove(); q.remove(); live.textContent = s.thanks; } }),
        el('button', { type: 'button', class: 'secondary', text: s.no, onclick: async () => {
          buttons.remove(); q.remove();
          await call('POST', `/api/v1/sessions/${session.id}/not-solved`, { reason: 'the customer said the result did not solve the problem' }).catch(() => null);
          emit('flowNotSolved', { flow: session.flow, session: session.link });
          onNotSolved(reply);
          live.textContent = s.sorry;
          box.append(contact());
        } }));
      box.append(q, buttons, live);
    } else {
      box.append(el('p', { text: session.done_state === 'escalate' ? s.escalateLead : s.unresolvedLead }), contact());
    }
    box.append(survey({ about: 'flow', session: session.link }));
    box.append(el('button', { type: 'button', class: 'link', text: s.backToHelp, onclick: () => exit() }));
    return box;
  }

  const contact = () => onContact(reply);

  function exit() {
    forget();
    reply = null;
    pending = null;
    view.hidden = true;
    view.replaceChildren();
    onExit();
  }

  return { element: view, start, resume, exit, get active() { return !view.hidden; } };
}
