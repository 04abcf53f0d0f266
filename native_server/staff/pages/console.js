// The agent console: log in, see the queue with each customer's hand-off
// context, accept, chat (messages are text, never HTML), close with a
// disposition. Served same-origin under a strict CSP; the CSRF token lives
// in memory only.
import { $, el, showLogin, wireLogin } from './staff.js';

let csrf = null;
let agent = null;
let socket = null;
let current = null;       // conversation id shown
const seen = new Map();   // conversation -> last message seq shown
let typingTimer = null;

async function api(method, path, body) {
  const r = await fetch(path, { method, headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}

async function start() {
  const q = await api('GET', '/api/v1/agent/queue');
  if (q.status !== 200) return showLogin(q.status === 403 ? q.body.error : '');
  csrf = q.body.csrf;
  agent = q.body.agent;
  $('#login').hidden = true;
  $('#desk').hidden = false;
  $('#who').textContent = agent.name;
  renderQueue(q.body);
  connect();
}

wireLogin({ role: 'agent', wrongRole: 'This login is for the reports (/reports); the console needs an agent login.', onLogin: () => start() });

function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/agent/ws`);
  socket = ws;
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.type === 'queue') renderQueue(m);
    else if (m.type === 'conversation') renderConversation(m);
    else if (m.type === 'history' && m.conversation === current) { m.messages.forEach(addMessage); nextPage(m); }
    else if (m.type === 'message' && m.conversation === current) addMessage(m.message);
    else if (m.type === 'typing' && m.conversation === current) showTyping();
    else if (m.type === 'error') $('#status').textContent = m.error;
  };
  ws.onopen = () => { $('#status').textContent = 'Online'; if (current) subscribe(current); };
  // Reconnect; the server sends what was missed since the last message shown.
  ws.onclose = () => { $('#status').textContent = 'Reconnecting…'; setTimeout(() => { if (socket === ws) connect(); }, 1000); };
}

function subscribe(id) {
  socket.send(JSON.stringify({ type: 'subscribe', conversation: id, after: seen.get(id) || 0 }));
}

function summary(item) {
  const waited = Math.max(0, Math.round((Date.now() - item.waiting_since) / 60000));
  return `${item.who} · ${item.locale} · ${item.trigger} · ${item.failures} failures · ${waited} min`;
}

function renderQueue(q) {
  const list = (items, empty) => items.length
    ? items.map((item) => el('li', {}, el('button', { type: 'button', class: 'item', 'data-id': item.conversation, onclick: () => open(item.conversation) },
      el('strong', { text: item.first_search || item.page || item.conversation }),
      el('span', { text: summary(item) }))))
    : [el('li', { class: 'empty', text: empty })];
  $('#queue').replaceChildren(...list(q.queued, 'Nobody is waiting.'));
  $('#tickets').replaceChildren(...list(q.tickets, 'No tickets.'));
}

function open(id) {
  current = id;
  seen.delete(id);
  $('#messages').replaceChildren();
  subscribe(id);
}

function trailItem(e) {
  if (e.type === 'search') return el('li', {}, `Searched “${e.query}”`, e.shown.length ? ` → shown ${e.shown.join(', ')}` : ' → nothing found',
    e.clicked ? `; opened ${e.clicked}` : '');
  if (e.type === 'article') return el('li', {}, `Read “${e.title || e.id}”`, e.helpful === false ? ' — voted not helpful' : e.helpful ? ' — helpful' : '');
  if (e.type === 'flow') {
    const f = e.flow;
    return el('li', {}, `Flow “${f.title}” (${f.done_state || `at step ${f.step}`})`,
      el('ul', {}, Object.entries(f.answers).map(([k, v]) => el('li', { text: `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}` })),
        f.failures.map((r) => el('li', { class: 'failure', text: `Failed: ${r}` }))));
  }
  return el('li', { text: JSON.stringify(e) });
}

function renderConversation(m) {
  if (m.conversation !== current) return;
  const p = m.packet;
  const { verified, claimed } = p.customer;
  const who = (c) => `${c.name || ''} ${c.email || ''} ${c.id ? `(${c.id})` : ''}`.replace(/\s+/g, ' ').trim();
  const identity = [
    verified && `${who(verified)}: verified (signed by the site, ${verified.verified_by === 'jwt' ? 'token' : 'user hash'})`,
    claimed && who(claimed) && `${who(claimed)}: claimed by the page, not verified`,
    p.customer.signature_problem && `signature refused: ${p.customer.signature_problem}`,
  ].filter(Boolean).join('; ') || p.customer.anonymous_id;
  $('#context').replaceChildren(
    el('h2', { text: verified?.name || verified?.email || claimed?.name || claimed?.email || 'Anonymous customer' }),
    el('dl', {},
      el('dt', { text: 'Identity' }), el('dd', { class: verified ? 'verified' : 'claimed', text: identity }),
      el('dt', { text: 'Page' }), el('dd', { text: p.page || '—' }),
      el('dt', { text: 'Locale · device' }), el('dd', { text: `${p.locale} · ${p.device}` }),
      el('dt', { text: 'Why' }), el('dd', { text: `${p.trigger}; ${p.failures.length} self-service failures` })),
    el('h3', { text: 'What they tried' }),
    el('ol', { class: 'trail' }, p.trail.map(trailItem)),
    p.failures.length ? el('ul', { class: 'failures' }, p.failures.map((f) => el('li', { text: f }))) : null);
  const mine = m.state === 'active' && m.agent === agent.id;
  $('#accept').hidden = !(m.state === 'queued' || m.state === 'ticket');
  $('#close-form').hidden = !mine;
  $('#composer').hidden = !mine;
  $('#state').textContent = m.state;
  m.messages.forEach(addMessage);
  nextPage(m);
}

// A long conversation comes a page at a time: ask for the next while there is more.
function nextPage(m) {
  if (m.conversation === current && m.more) socket.send(JSON.stringify({ type: 'history', conversation: current, after: seen.get(current) || 0 }));
}

// A customer's photo, stripped of metadata by the server; the session cookie reads it (same origin).
function photo({ id, width, height }) {
  const src = `/api/v1/agent/photos/${encodeURIComponent(id)}`;
  return el('a', { href: src, target: '_blank', rel: 'noopener', class: 'photo' },
    el('img', { src, alt: 'Photo from the customer', width: String(width), height: String(height) }));
}

function addMessage(msg) {
  if ((seen.get(current) || 0) >= msg.seq) return;
  seen.set(current, msg.seq);
  const when = new Date(msg.at).toLocaleTimeString();
  $('#messages').append(el('li', { class: `msg ${msg.sender}` },
    el('span', { class: 'meta', text: `${msg.author || msg.sender} · ${when}` }),
    msg.photo ? photo(msg.photo) : el('p', { text: msg.body })));  // text, never HTML
  $('#messages').lastElementChild.scrollIntoView({ block: 'end' });
  $('#typing').textContent = '';
}

function showTyping() {
  $('#typing').textContent = 'The customer is typing…';
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => { $('#typing').textContent = ''; }, 4000);
}

$('#accept').addEventListener('click', async () => {
  const r = await api('POST', `/api/v1/agent/conversations/${current}/accept`);
  if (r.status !== 200) { $('#status').textContent = r.body.error; return; }
  subscribe(current);
});

let nextId = 1;
$('#composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const body = $('#reply').value.trim();
  if (!body) return;
  socket.send(JSON.stringify({ type: 'send', conversation: current, client_id: `${agent.id}-${Date.now()}-${nextId++}`, body }));
  $('#reply').value = '';
});
let lastTyping = 0;
$('#reply').addEventListener('input', () => {
  if (Date.now() - lastTyping < 2000) return;
  lastTyping = Date.now();
  socket.send(JSON.stringify({ type: 'typing', conversation: current }));
});

$('#close-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await api('POST', `/api/v1/agent/conversations/${current}/close`, { disposition: $('#disposition').value, reason_code: $('#reason').value.trim() });
  $('#status').textContent = r.status === 200 ? 'Closed.' : r.body.error;
  if (r.status === 200) subscribe(current);
});

start();
