// Live chat inside the panel: opens a conversation with the hand-off
// context (what the customer searched, read and tried), then talks over a
// WebSocket. Messages are text (never HTML); each carries its own id, so a
// message sent while the connection was down is resent and stored once.
// The conversation's key stays in sessionStorage (this tab), so a reload
// reconnects and gets exactly what was missed. A customer can show the
// problem with a photo (on phones the camera opens); the server checks it,
// strips its metadata and shows it to the agent.
import { el } from './dom.js';

const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

import { CHAT_STRINGS } from './chat_view.strings.js';

export { CHAT_CSS } from './chat_view.css.js';

// `storageKey`: where this tab remembers the conversation (session_keys.js).
// `strings()`: the panel's strings; `locale()`: the current locale, for the view's own.
export function createChatView({ strings, locale, url, emit, onExit, survey, storageKey, photos }) {
  const view = el('div', { class: 'chat', hidden: true });
  const status = el('p', { class: 'chat-status', role: 'status', 'aria-live': 'polite' });
  const list = el('ol', { class: 'chat-log', 'aria-live': 'polite' });
  const typing = el('p', { class: 'chat-typing', 'aria-live': 'polite' });
  const box = el('textarea', { rows: '2', maxlength: '4000', id: 'ff-chat-input' });
  const send = el('button', { type: 'submit', class: 'primary' });
  const label = el('label', { for: 'ff-chat-input', class: 'sr' });
  const photoTypes = photos.types.join(',');  // the server's own rules (its config), checked here before sending
  const pickPhoto = el('input', { type: 'file', accept: photoTypes, class: 'sr', tabindex: '-1', 'aria-hidden': 'true' });
  // Phones get a second button that opens the camera directly.
  const takePhoto = el('input', { type: 'file', accept: photoTypes, capture: 'environment', class: 'sr', tabindex: '-1', 'aria-hidden': 'true' });
  const pickButton = el('button', { type: 'button', class: 'chat-photo', onclick: () => pickPhoto.click() });
  const cameraButton = el('button', { type: 'button', class: 'chat-photo', onclick: () => takePhoto.click() });
  cameraButton.hidden = !globalThis.matchMedia?.('(pointer: coarse)').matches;
  const photoRow = el('div', { class: 'chat-photos' }, pickButton, cameraButton, pickPhoto, takePhoto);
  const composer = el('form', { class: 'chat-composer' }, label, box, send);
  const back = el('button', { type: 'button', class: 'back', onclick: () => onExit() });
  view.append(back, status, list, typing, photoRow, composer);

  let chat = null;     // {conversation, key, last}
  let socket = null;
  let state = '';
  let retry = 0;
  const unsent = new Map();  // client_id -> body, until the server has stored it
  const photoUrls = new Map();  // photo id or client_id -> blob: URL of the picture
  const t = () => ({ ...strings(), ...CHAT_STRINGS.en, ...CHAT_STRINGS[locale()] });

  const save = () => { try { sessionStorage.setItem(storageKey, JSON.stringify(chat)); } catch { /* storage off */ } };
  const wsUrl = (path) => url(path).replace(/^http/, 'ws');

  function label_() {
    const s = t();
    back.textContent = `‹ ${s.backToHelp}`;
    send.textContent = s.send;
    pickButton.textContent = s.addPhoto;
    cameraButton.textContent = s.takePhoto;
    label.textContent = s.chatMessage;
    box.setAttribute('placeholder', s.chatMessage);
  }

  function setState(next, extra = {}) {
    state = next;
    const s = t();
    status.textContent = next === 'queued' ? s.chatQueued(extra.position || 1)
      : next === 'active' ? s.chatActive(extra.agent || '')
      : next === 'ticket' ? (extra.hours ? s.chatClosedHours(extra.hours) : s.chatTicket)
      : next === 'closed' ? s.chatClosed : s.loading;
    composer.hidden = photoRow.hidden = next === 'closed';
    if (next === 'closed' && chat && !chat.closedSeen) {
      chat.closedSeen = true;
      save();
      emit('chatClosed', { conversation: chat.conversation });
      view.append(survey({ about: 'chat', session: chat.conversation }));
    }
  }

  function show(message) {
    if (message.seq <= (chat.last || 0)) return;
    chat.last = message.seq;
    save();
    unsent.delete(message.client_id);
    list.querySelector(`[data-client="${CSS.escape(message.client_id)}"]`)?.remove();
    list.append(el('li', { class: `msg ${message.sender}` },
      message.sender === 'system' ? null : el('span', { class: 'meta', text: message.sender === 'customer' ? t().you : message.author }),
      message.photo ? photoElement(message) : el('p', { text: message.body })));  // text, never HTML
    typing.textContent = '';
    list.lastElementChild.scrollIntoView?.({ block: 'end' });
    if (message.sender === 'agent') emit('chatMessage', { conversation: chat.conversation, seq: message.seq });
  }

  // The picture is read with the conversation's key (never put in a URL)
  // and shown from a blob: URL; a photo sent from this tab shows at once.
  function photoElement(message) {
    const { id, width, height } = message.photo;
    const img = el('img', { class: 'chat-image', alt: t().photoAlt, width: String(width), height: String(height) });
    const local = photoUrls.get(message.client_id);
    if (local) { photoUrls.set(id, local); photoUrls.delete(message.client_id); }
    if (photoUrls.has(id)) img.src = photoUrls.get(id);
    else {
      fetch(url(`/api/v1/chat/conversations/${chat.conversation}/photos/${id}`), { headers: { authorization: `Bearer ${chat.key}` } })
        .then((r) => (r.ok ? r.blob() : null)).then((blob) => {
          if (!blob) return;
          photoUrls.set(id, URL.createObjectURL(blob));
          img.src = photoUrls.get(id);
        }).catch(() => {});
    }
    return img;
  }

  async function sendPhoto(input) {
    const file = input.files?.[0];
    input.value = '';
    if (!file || !chat) return;
    const s = t();
    const client_id = newId();
    const note = el('span', { class: 'meta', text: s.sending });
    const pending = el('li', { class: 'msg customer pending', 'data-client': client_id }, note);
    list.append(pending);
    const fail = (why) => { pending.classList.add('failed'); note.textContent = why; note.setAttribute('role', 'alert'); };
    if (!photoTypes.split(',').includes(file.type)) return fail(s.photoType);
    if (file.size > photos.max_bytes) return fail(s.photoSize);
    const preview = URL.createObjectURL(file);
    photoUrls.set(client_id, preview);
    pending.append(el('img', { class: 'chat-image', alt: s.photoAlt, src: preview }));
    pending.scrollIntoView?.({ block: 'end' });
    // Retried with the same Idempotency-Key: stored once, however often it is sent.
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await fetch(url(`/api/v1/chat/conversations/${chat.conversation}/photos`), {
        method: 'POST', body: file,
        headers: { 'content-type': file.type, authorization: `Bearer ${chat.key}`, 'idempotency-key': client_id },
      }).then(async (x) => ({ status: x.status, body: await x.json().catch(() => ({})) })).catch(() => null);
      if (r && (r.status === 200 || r.status === 201)) return show(r.body.message);
      if (r) return fail({ 413: s.photoSize, 415: s.photoType, 429: s.photoRate }[r.status] || r.body.error || s.error);
      await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
    }
    fail(s.networkError);
  }
  pickPhoto.addEventListener('change', () => sendPhoto(pickPhoto));
  takePhoto.addEventListener('change', () => sendPhoto(takePhoto));

  function connect() {
    const ws = new WebSocket(wsUrl('/api/v1/chat/ws'));
    socket = ws;
    ws.onopen = () => {
      retry = 0;
      ws.send(JSON.stringify({ type: 'hello', conversation: chat.conversation, key: chat.key, after: chat.last || 0 }));
    };
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'welcome') {
        setState(m.state, { position: m.queue_position });
        m.messages.forEach(show);
        // A long conversation comes a page at a time.
        if (m.more) ws.send(JSON.stringify({ type: 'history', after: chat.last || 0 }));
        // Anything typed while the connection was down goes now, under its own id.
        for (const [client_id, body] of unsent) ws.send(JSON.stringify({ type: 'send', client_id, body }));
      } else if (m.type === 'history') {
        m.messages.forEach(show);
        if (m.more) ws.send(JSON.stringify({ type: 'history', after: chat.last || 0 }));
      } else if (m.type === 'message') show(m.message);
      else if (m.type === 'state') setState(m.state, { agent: m.agent });
      else if (m.type === 'queue' && state === 'queued') setState('queued', { position: m.position });
      else if (m.type === 'typing') { typing.textContent = t().agentTyping; setTimeout(() => { typing.textContent = ''; }, 4000); }
      else if (m.type === 'error' && /unknown conversation/.test(m.error)) { forget(); status.textContent = t().error; }
    };
    ws.onclose = () => {
      if (socket !== ws || state === 'closed' || !chat) return;
      setTimeout(() => { if (socket === ws && chat) connect(); }, Math.min(8000, 500 * 2 ** retry++));
    };
  }

  function forget() {
    chat = null;
    for (const u of photoUrls.values()) URL.revokeObjectURL(u);
    photoUrls.clear();
    try { sessionStorage.removeItem(storageKey); } catch { /* storage off */ }
  }

  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = box.value.trim();
    if (!body) return;
    const client_id = newId();
    unsent.set(client_id, body);
    list.append(el('li', { class: 'msg customer pending', 'data-client': client_id }, el('span', { class: 'meta', text: t().sending }), el('p', { text: body })));
    box.value = '';
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'send', client_id, body }));
  });
  box.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); composer.requestSubmit(); } });
  let lastTyping = 0;
  box.addEventListener('input', () => {
    if (Date.now() - lastTyping < 2000 || socket?.readyState !== WebSocket.OPEN) return;
    lastTyping = Date.now();
    socket.send(JSON.stringify({ type: 'typing' }));
  });

  async function start(packet) {
    label_();
    view.hidden = false;
    list.replaceChildren();
    setState('');
    const r = await fetch(url('/api/v1/chat/conversations'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(packet) })
      .then(async (x) => ({ status: x.status, body: await x.json() })).catch(() => null);
    if (!r || r.status !== 201) { status.textContent = r?.body?.error || t().networkError; return; }
    chat = { conversation: r.body.conversation, key: r.body.key, last: 0 };
    save();
    setState(r.body.state, { position: r.body.queue_position, hours: r.body.hours });
    emit('chatStart', { conversation: chat.conversation, state: r.body.state });
    connect();
    box.focus();
  }

  function resume(stored) {
    label_();
    chat = { ...stored, last: 0 };  // the whole history again: the log was not kept
    view.hidden = false;
    list.replaceChildren();
    setState('');
    connect();
  }

  return { element: view, start, resume, relabel: label_, get active() { return !view.hidden; }, hide: () => { view.hidden = true; } };
}
