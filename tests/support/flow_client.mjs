// A small client for the flow API over real HTTP, and a window into the
// demo back office's SQLite file (the sqlite3 command-line tool), so tests
// can assert what actually changed.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export function flowClient(server) {
  async function call(method, path, body, headers = {}) {
    const init = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      init.headers['content-type'] ??= 'application/json';
    }
    const r = await fetch(server.origin + path, init);
    const text = await r.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, body: json, text, headers: r.headers };
  }
  const sql = (db, query) => {
    const out = execFileSync('sqlite3', ['-json', join(server.data, db), query]).toString().trim();
    return out ? JSON.parse(out) : [];
  };
  // The server's own store, on whichever engine it runs: rows as objects.
  const store = (query) => {
    if (!server.database) return sql('firstfix.db', query);
    const select = /^\s*SELECT/i.test(query);
    const text = select ? `SELECT coalesce(json_agg(t), '[]'::json) FROM (${query}) t` : query;
    const out = execFileSync('psql', [server.database, '-qXAt', '-v', 'ON_ERROR_STOP=1', '-c', text]).toString().trim();
    return select ? JSON.parse(out) : [];
  };
  const client = {
    call,
    async start(flow, body = {}) {
      const r = await call('POST', `/api/v1/flows/${flow}/sessions`, body);
      assert.equal(r.status, 201, r.text);
      return r.body;
    },
    // Answers the step shown in `reply`; asserts the HTTP status.
    async answer(reply, answers = {}, { status = 200, key } = {}) {
      const r = await call('POST', `/api/v1/sessions/${reply.session.id}/answers`, { step: reply.step.id, answers },
        key ? { 'Idempotency-Key': key } : {});
      assert.equal(r.status, status, r.text);
      return r.body;
    },
    async get(reply) {
      const r = await call('GET', `/api/v1/sessions/${reply.session.id}`);
      assert.equal(r.status, 200, r.text);
      return r.body;
    },
    backOffice: (query) => sql('demo-back-office.db', query),
    store,
    // The store's SQL for a blob as hex, for the engine the server runs on.
    hexOf: (column) => (server.database ? `upper(encode(${column}, 'hex'))` : `hex(${column})`),
    // The newest one-time code mailed to `email`, read from the outbox as the customer would.
    latestCode(email) {
      const [mail] = sql('demo-back-office.db',
        `SELECT subject FROM outbox WHERE to_addr = '${email}' AND subject LIKE '%verification code%' ORDER BY id DESC LIMIT 1`);
      assert.ok(mail, `no code was mailed to ${email}`);
      return /(\d{6})/.exec(mail.subject)[1];
    },
  };
  // Runs the one-time-code steps that several flows begin with.
  // (Inline or in a called sub-flow, whose names carry the call's prefix: "verify/email".)
  client.verify = async (reply, email) => {
    assert.match(reply.step.id, /(^|\/)email$/);
    reply = await client.answer(reply, { [reply.step.fields[0].name]: email });
    assert.match(reply.step.id, /(^|\/)code$/);
    return client.answer(reply, { [reply.step.fields[0].name]: client.latestCode(email) });
  };
  return client;
}

// "YYYY-MM-DD" for the first weekday at least `days` from today (UTC, as the server counts).
export function weekdayFromToday(days, skip = []) {
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + days);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6 || skip.includes(d.toISOString().slice(0, 10))) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
