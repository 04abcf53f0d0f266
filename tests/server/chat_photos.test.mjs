// Photos in a chat ("show us the problem"), over real HTTP on loopback:
// checked by their bytes, limited in size and rate, stripped of metadata,
// stored once per Idempotency-Key, shown to the agent as a message, and
// readable only by the conversation's customer and logged-in agents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer } from '../support/server.mjs';
import { flowClient } from '../support/flow_client.mjs';
import { photo, jpegWithExif } from '../support/photos.mjs';

let server, api, agent, cookie;
before(async () => {
  server = await startServer();
  api = flowClient(server);
  const login = await api.call('POST', '/agent/login', { email: 'agent@brightloop.example', password: 'brightloop-agent' });
  cookie = login.headers.get('set-cookie').split(';')[0];
  agent = new WebSocket(server.origin.replace('http', 'ws') + '/agent/ws', { headers: { cookie, origin: server.origin } });
  agent.inbox = [];
  agent.on('message', (d) => agent.inbox.push(JSON.parse(d.toString())));
  await new Promise((resolve, reject) => { agent.once('open', resolve); agent.once('error', reject); });
});
after(async () => { agent?.close(); await server?.stop(); });

const open = async () => {
  const r = await api.call('POST', '/api/v1/chat/conversations', { locale: 'en', trigger: 'request', trail: [] });
  assert.equal(r.status, 201, r.text);
  return r.body;
};
const send = (c, bytes, type, key, auth = `Bearer ${c.key}`) =>
  api.call('POST', `/api/v1/chat/conversations/${c.conversation}/photos`, bytes,
    { 'content-type': type, ...(key ? { 'idempotency-key': key } : {}), ...(auth ? { authorization: auth } : {}) });
async function waitFor(pred, what) {
  for (let i = 0; i < 100; i++) {
    const m = agent.inbox.find(pred);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the agent never got ${what}`);
}

test('a photo reaches the agent without its metadata, upright, and only the right people can read it', async () => {
  const c = await open();
  agent.send(JSON.stringify({ type: 'subscribe', conversation: c.conversation, after: 0 }));
  // Subscribed before the photo is sent: otherwise it may come with the history, not as a live message.
  await waitFor((m) => m.type === 'conversation' && m.conversation === c.conversation, 'the conversation');
  const dirty = jpegWithExif('Ana Lopez, 12 Elm Street');
  assert.ok(dirty.includes('Elm Street'));
  const r = await send(c, dirty, 'image/jpeg', 'p-1');
  assert.equal(r.status, 201, r.text);
  const { photo: meta, sender, seq } = r.body.message;
  assert.equal(sender, 'customer');
  assert.deepEqual([meta.content_type, meta.width, meta.height], ['image/jpeg', 48, 64], 'the size as shown: a quarter turned');

  const seen = await waitFor((m) => m.type === 'message' && m.conversation === c.conversation && m.message.photo, 'the photo message');
  assert.equal(seen.message.seq, seq);
  assert.equal(seen.message.photo.id, meta.id);

  // The agent (cookie) reads the stored bytes: an image, never anything a browser would run.
  const asAgent = await fetch(`${server.origin}/api/v1/agent/photos/${meta.id}`, { headers: { cookie } });
  assert.equal(asAgent.status, 200);
  assert.equal(asAgent.headers.get('content-type'), 'image/jpeg');
  assert.equal(asAgent.headers.get('x-content-type-options'), 'nosniff');
  assert.match(asAgent.headers.get('content-security-policy'), /sandbox/);
  const bytes = Buffer.from(await asAgent.arrayBuffer());
  assert.equal(bytes.length, meta.size);
  assert.ok(!bytes.includes('Elm Street') && !bytes.includes('Ana Lopez'), 'the Exif artist is gone');
  assert.ok(bytes.includes(Buffer.from([0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00])), 'the orientation (6) is kept');
  assert.ok(bytes.length < dirty.length);

  // The customer reads it with the conversation's key; nobody else does.
  const mine = await fetch(`${server.origin}/api/v1/chat/conversations/${c.conversation}/photos/${meta.id}`, { headers: { authorization: `Bearer ${c.key}` } });
  assert.equal(mine.status, 200);
  assert.deepEqual(Buffer.from(await mine.arrayBuffer()), bytes);
  const other = await open();
  for (const [path, headers, status] of [
    [`/api/v1/chat/conversations/${c.conversation}/photos/${meta.id}`, {}, 404],
    [`/api/v1/chat/conversations/${c.conversation}/photos/${meta.id}`, { authorization: `Bearer ${other.key}` }, 404],
    [`/api/v1/chat/conversations/${other.conversation}/photos/${meta.id}`, { authorization: `Bearer ${other.key}` }, 404],
    [`/api/v1/agent/photos/${meta.id}`, {}, 401],
  ]) {
    const res = await api.call('GET', path, undefined, headers);
    assert.equal(res.status, status, `${path}: ${res.text}`);
    assert.ok(res.body.error, 'a JSON reason');
  }
  // Writing into someone else's conversation is refused the same way.
  assert.equal((await send(c, photo('photo.png'), 'image/png', 'p-x', `Bearer ${other.key}`)).status, 404);

  // The photo is part of the history a reconnecting customer gets.
  const history = api.store(`SELECT attachment_id FROM messages WHERE conversation_id = '${c.conversation}' AND sender = 'customer'`);
  assert.deepEqual(history, [{ attachment_id: meta.id }]);
});

test('photos are checked by their bytes and size, with a reason', async () => {
  const c = await open();
  for (const [bytes, type, status, reason] of [
    [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'image/svg+xml', 415, /image\/jpeg, image\/png or image\/webp/],
    [Buffer.from('<html><script>alert(1)</script></html>'), 'image/jpeg', 415, /not a image\/jpeg image/],
    [photo('photo.png'), 'image/jpeg', 415, /not a image\/jpeg image/],
    [photo('photo.jpg').subarray(0, 60), 'image/jpeg', 415, /could not be read/],
    [Buffer.alloc(0), 'image/png', 400, /empty/],
  ]) {
    const r = await send(c, bytes, type, `bad-${status}-${type}`);
    assert.equal(r.status, status, r.text);
    assert.match(r.body.error, reason);
  }
  const huge = Buffer.concat([photo('photo.jpg'), Buffer.alloc(5 * 1024 * 1024)]);
  const tooBig = await send(c, huge, 'image/jpeg', 'huge');
  assert.equal(tooBig.status, 413);
  assert.equal((await send(c, photo('photo.png'), 'image/png', undefined)).status, 400, 'an Idempotency-Key is required');
  assert.deepEqual(api.store(`SELECT count(*) AS n FROM chat_attachments WHERE conversation_id = '${c.conversation}'`), [{ n: 0 }]);
});

test('a resent photo is stored once, and photos are rate limited per conversation', async () => {
  const c = await open();
  const first = await send(c, photo('photo.webp'), 'image/webp', 'same-key');
  assert.equal(first.status, 201, first.text);
  const again = await send(c, photo('photo.webp'), 'image/webp', 'same-key');
  assert.equal(again.status, 200);
  assert.equal(again.body.message.seq, first.body.message.seq);
  for (let i = 2; i <= 5; i++) assert.equal((await send(c, photo('photo.png'), 'image/png', `k-${i}`)).status, 201);
  const limited = await send(c, photo('photo.png'), 'image/png', 'k-6');
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '60');
  assert.match(limited.body.error, /wait a minute/);
  assert.deepEqual(api.store(`SELECT count(*) AS n FROM chat_attachments WHERE conversation_id = '${c.conversation}'`), [{ n: 5 }]);
});
