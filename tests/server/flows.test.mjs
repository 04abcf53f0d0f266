// Every sample flow to its done state over real HTTP on loopback, asserting
// what changed in the demo back office; plus the guarantees around them:
// validation, stale and concurrent answers, idempotency, going back, errors
// that write nothing, and a restart in the middle of a flow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { photo, jpegWithExif } from '../support/photos.mjs';
import { flowClient, weekdayFromToday } from '../support/flow_client.mjs';

let server, api;
before(async () => { server = await startServer(); api = flowClient(server); });
after(async () => { await server?.stop(); });

test('the flow list names every sample flow, filtered by locale', async () => {
  const all = (await api.call('GET', '/api/v1/flows')).body.flows.map((f) => f.id);
  assert.deepEqual(all.sort(), ['appointment-reschedule', 'billing-update', 'cambio-de-contrasena', 'delivery-address-change',
    'order-tracking', 'overcharge-refund', 'password-reset', 'plan-change', 'plus-cancellation', 'return-request', 'seguimiento-de-pedido']);
  const es = (await api.call('GET', '/api/v1/flows?locale=es')).body.flows.map((f) => f.id);
  assert.deepEqual(es.sort(), ['cambio-de-contrasena', 'seguimiento-de-pedido']);
});

test('password reset: a wrong code counts as a failure, the right one lets the password change', async () => {
  const before = api.backOffice("SELECT password_hash FROM customers WHERE email = 'ana@example.com'")[0].password_hash;
  let r = await api.start('password-reset');
  assert.equal(r.step.kind, 'ask');
  // The email check is a sub-flow (verify-email), called as 'verify': its names carry that prefix.
  assert.equal(r.step.id, 'verify/email');
  r = await api.answer(r, { 'verify/email': 'ana@example.com' });
  assert.equal(r.step.id, 'verify/code');
  assert.match(r.step.message_text, /ana@example\.com/);
  r = await api.answer(r, { 'verify/code': '000000' === api.latestCode('ana@example.com') ? '111111' : '000000' });
  assert.equal(r.step.id, 'verify/code', 'a wrong code asks again');
  assert.equal(r.session.failures, 1);
  assert.match(r.notices[0], /didn't match/);
  r = await api.answer(r, { 'verify/code': api.latestCode('ana@example.com') });
  assert.equal(r.step.id, 'new-password');
  r = await api.answer(r, { password: 'short' }, { status: 422 });
  assert.equal(r.errors[0].field, 'password');
  assert.match(r.errors[0].message, /at least 10 characters/);
  r = await api.answer(r, { password: 'correct horse battery staple' });
  assert.equal(r.session.done, true);
  assert.equal(r.session.done_state, 'resolved');
  assert.equal(r.step.kind, 'done');
  assert.match(r.step.message_html, /ana@example\.com/);
  const after = api.backOffice("SELECT password_hash FROM customers WHERE email = 'ana@example.com'")[0].password_hash;
  assert.notEqual(after, before);
  assert.match(after, /^pbkdf2-sha256\$/);
  const [mail] = api.backOffice("SELECT subject FROM outbox WHERE to_addr = 'ana@example.com' ORDER BY id DESC LIMIT 1");
  assert.match(mail.subject, /password was changed/);
  // The audit log has every action, with the code and the password redacted.
  const audit = api.store(`SELECT connector, input, outcome FROM audit_log WHERE session_id = '${r.session.id}' ORDER BY seq`);
  assert.deepEqual(audit.map((a) => `${a.connector}:${a.outcome}`),
    ['demo.send_code:sent', 'demo.verify_code:wrong_code', 'demo.verify_code:verified', 'demo.set_password:changed']);
  assert.ok(!audit.some((a) => /correct horse|"\d{6}"/.test(a.input)), 'no secret in the audit log');
  assert.match(audit[3].input, /"password":"\[redacted\]"/);
});

test('order tracking: not found, then in transit with the carrier and tracking number', async () => {
  let r = await api.start('order-tracking');
  r = await api.answer(r, { order_id: 'BL-99999', email: 'ana@example.com' });
  assert.equal(r.step.id, 'order');
  assert.equal(r.session.failures, 1);
  r = await api.answer(r, { order_id: 'BL-10421', email: 'ben@example.com' });
  assert.equal(r.session.failures, 2, 'an order number with someone else\'s email reveals nothing');
  r = await api.answer(r, { order_id: 'BL-10422', email: 'Ana@Example.com' });
  assert.equal(r.session.done_state, 'resolved');
  assert.match(r.step.message_text, /ParcelNow/);
  assert.match(r.step.message_html, /<strong>PN4488310<\/strong>/);
});

test('order tracking: a parcel marked delivered but missing ends in escalation', async () => {
  let r = await api.start('order-tracking');
  r = await api.answer(r, { order_id: 'BL-10421', email: 'ana@example.com' });
  assert.equal(r.step.kind, 'confirm');
  assert.equal(r.step.labels.no, "No, it's not here");
  r = await api.answer(r, { confirm: false });
  assert.equal(r.session.done_state, 'escalate');
});

test('return: a wrong model is exchanged after the save offer; the back office records it', async () => {
  let r = await api.start('return-request');
  r = await api.answer(r, { order_id: 'BL-10421', email: 'ana@example.com' });
  assert.equal(r.step.id, 'reason');
  assert.match(r.step.message_text, /Thermostat T2/);
  r = await api.answer(r, { reason: 'Wrong model or colour' });
  assert.equal(r.step.kind, 'offer');
  r = await api.answer(r, { accept: true });
  r = await api.answer(r, { variant: 'purple' }, { status: 422 });
  r = await api.answer(r, { variant: 'black' });
  assert.equal(r.session.done_state, 'resolved');
  assert.match(r.step.message_text, /RMA-10421/);
  assert.deepEqual(api.backOffice("SELECT resolution, new_variant, refund_cents FROM returns WHERE order_id = 'BL-10421'"),
    [{ resolution: 'exchange', new_variant: 'black', refund_cents: 0 }]);
  // A second request for the same order finds the first.
  r = await api.start('return-request');
  r = await api.answer(r, { order_id: 'BL-10421', email: 'ana@example.com' });
  assert.equal(r.step.id, 'already');
});

test('return: a faulty item is refunded; an old order is outside the window (unresolved)', async () => {
  let r = await api.start('return-request');
  r = await api.answer(r, { order_id: 'BL-10427', email: 'carmen@example.com' });
  r = await api.answer(r, { reason: "It's faulty", details: 'The screen stays dark' });
  assert.equal(r.step.id, 'confirm-refund');
  r = await api.answer(r, { confirm: true });
  assert.equal(r.session.done_state, 'resolved');
  assert.match(r.step.message_text, /€69\.00/);
  assert.deepEqual(api.backOffice("SELECT resolution, reason, refund_cents FROM returns WHERE order_id = 'BL-10427'"),
    [{ resolution: 'refund', reason: "It's faulty", refund_cents: 6900 }]);
  r = await api.start('return-request');
  r = await api.answer(r, { order_id: 'BL-10424', email: 'ben@example.com' });
  assert.equal(r.session.done_state, 'unresolved');
  assert.equal(r.session.failures, 1);
  assert.match(r.step.message_html, /href="\/articles\/warranty-claim"/);
});

test('reschedule: a booked window is refused with a notice, then the appointment moves', async () => {
  const taken = api.backOffice("SELECT date, time FROM appointments WHERE id = 'AP-2004'")[0];
  let r = await api.start('appointment-reschedule');
  r = await api.answer(r, { booking: 'AP-2001', email: 'ana@example.com' });
  assert.equal(r.step.id, 'when');
  assert.match(r.step.message_text, /Thermostat installation in Lisbon/);
  r = await api.answer(r, { date: 'tomorrow', time: '10:00' }, { status: 422 });
  assert.match(r.errors[0].message, /YYYY-MM-DD/);
  r = await api.answer(r, { date: taken.date, time: taken.time });
  assert.equal(r.step.kind, 'confirm');
  r = await api.answer(r, { confirm: true });
  assert.equal(r.step.id, 'when', 'a taken window asks again');
  assert.match(r.notices[0], /isn't available/);
  assert.equal(r.session.failures, 0, 'a taken window is not a self-service failure');
  assert.match(r.step.message_text, /Thermostat installation in Lisbon/, 'the booking is still shown');
  const date = weekdayFromToday(14, [taken.date]);
  r = await api.answer(r, { date, time: '16:00' });
  r = await api.answer(r, { confirm: true });
  assert.equal(r.session.done_state, 'resolved');
  assert.deepEqual(api.backOffice("SELECT date, time FROM appointments WHERE id = 'AP-2001'"), [{ date, time: '16:00' }]);
});

test('billing: a new address, then a declined card and a good one', async () => {
  let r = await api.start('billing-update');
  r = await api.verify(r, 'ben@example.com');
  assert.equal(r.step.id, 'what');
  r = await api.answer(r, { change: 'Billing address' });
  r = await api.answer(r, { line1: '9 Canal Street', city: 'Leeds', postcode: 'LS2 7EH', country: 'United Kingdom' });
  assert.equal(r.session.done_state, 'resolved');
  assert.deepEqual(api.backOffice("SELECT billing_line1, billing_postcode FROM customers WHERE id = 'C-1002'"),
    [{ billing_line1: '9 Canal Street', billing_postcode: 'LS2 7EH' }]);

  r = await api.start('billing-update');
  r = await api.verify(r, 'ben@example.com');
  r = await api.answer(r, { change: 'Payment card' });
  r = await api.answer(r, { holder: 'Ben Okafor', card_number: '4000 0566 5566 5557', expiry: '09/30' });
  assert.equal(r.step.id, 'card', 'a number that fails the checksum is declined');
  assert.equal(r.session.failures, 1);
  r = await api.answer(r, { holder: 'Ben Okafor', card_number: '4000 0566 5566 5556', expiry: '09/30' });
  assert.equal(r.session.done_state, 'resolved');
  assert.match(r.step.message_html, /Visa ending in <strong>5556<\/strong>/);
  assert.deepEqual(api.backOffice("SELECT brand, last4, expiry FROM payment_methods WHERE customer_id = 'C-1002'"),
    [{ brand: 'Visa', last4: '5556', expiry: '09/30' }]);
  const stored = JSON.stringify(api.store(`SELECT state FROM flow_sessions WHERE id = '${r.session.id}'`));
  assert.ok(stored.includes('4000 0566'), 'the store keeps answers the flow needs (it is the authority)');
  const audit = JSON.stringify(api.store(`SELECT input FROM audit_log WHERE session_id = '${r.session.id}'`));
  assert.ok(!audit.includes('4000 0566'), 'the audit log never holds the card number');
});

test('cancellation: the skip offer saves one plan, a pause another, and a third is cancelled with its reason', async () => {
  let r = await api.start('plus-cancellation');
  r = await api.verify(r, 'ana@example.com');
  assert.equal(r.step.id, 'reason');
  const renewal = api.backOffice("SELECT next_renewal FROM subscriptions WHERE id = 'SUB-3001'")[0].next_renewal;
  r = await api.answer(r, { reason: "It's too expensive" });
  assert.equal(r.step.id, 'skip-offer');
  r = await api.answer(r, { accept: true });
  assert.equal(r.session.done_state, 'resolved');
  const skipped = api.backOffice("SELECT status, next_renewal FROM subscriptions WHERE id = 'SUB-3001'")[0];
  assert.equal(skipped.status, 'active');
  assert.ok(skipped.next_renewal > renewal);

  r = await api.start('plus-cancellation');
  r = await api.verify(r, 'carmen@example.com');
  r = await api.answer(r, { reason: "I'm moving or travelling" });
  assert.equal(r.step.id, 'pause-offer');
  r = await api.answer(r, { accept: true });
  r = await api.answer(r, { months: '2' });
  assert.equal(r.session.done_state, 'resolved');
  assert.equal(api.backOffice("SELECT status FROM subscriptions WHERE id = 'SUB-3003'")[0].status, 'paused');

  r = await api.start('plus-cancellation');
  r = await api.verify(r, 'ben@example.com');
  r = await api.answer(r, { reason: "I'm switching to another service", details: 'Moving to a bundle' });
  assert.equal(r.step.id, 'confirm-cancel');
  r = await api.answer(r, { confirm: true });
  assert.equal(r.session.done_state, 'resolved');
  assert.match(r.step.title, /cancelled/);
  assert.deepEqual(api.backOffice("SELECT status, cancel_reason FROM subscriptions WHERE id = 'SUB-3002'"),
    [{ status: 'cancelled', cancel_reason: "I'm switching to another service" }]);
});

test('delivery address: changed before shipping; escalated once it has shipped', async () => {
  let r = await api.start('delivery-address-change');
  r = await api.answer(r, { order_id: 'BL-10426', email: 'dev@example.com' });
  assert.equal(r.step.id, 'address');
  r = await api.answer(r, { line1: '1 Piccadilly', city: 'Manchester', postcode: 'M1 1RG' });
  r = await api.answer(r, { confirm: true });
  assert.equal(r.session.done_state, 'resolved');
  assert.deepEqual(api.backOffice("SELECT ship_line1 FROM orders WHERE id = 'BL-10426'"), [{ ship_line1: '1 Piccadilly' }]);
  r = await api.start('delivery-address-change');
  r = await api.answer(r, { order_id: 'BL-10425', email: 'carmen@example.com' });
  assert.equal(r.session.done_state, 'escalate');
});

test('Spanish flows: tracking and a password reset', async () => {
  let r = await api.start('seguimiento-de-pedido');
  r = await api.answer(r, { order_id: 'BL-10425', email: 'carmen@example.com' });
  assert.equal(r.session.done_state, 'resolved');
  assert.match(r.step.message_text, /Correos/);
  r = await api.start('cambio-de-contrasena');
  r = await api.verify(r, 'carmen@example.com');
  r = await api.answer(r, { password: 'una frase bastante larga' });
  assert.equal(r.session.done_state, 'resolved');
  assert.equal(r.step.title, 'Contraseña cambiada');
});

test('the same Idempotency-Key replays the first reply; the action runs once', async () => {
  let r = await api.start('delivery-address-change');
  r = await api.answer(r, { order_id: 'BL-10423', email: 'ben@example.com' });
  r = await api.answer(r, { line1: '7 Wharf Street', city: 'Leeds', postcode: 'LS2 7EQ' });
  const mails = () => api.backOffice("SELECT count(*) AS n FROM outbox WHERE subject LIKE 'Order BL-10423%'")[0].n;
  const first = await api.answer(r, { confirm: true }, { key: 'retry-1' });
  const again = await api.answer(r, { confirm: true }, { key: 'retry-1' });
  assert.deepEqual(again, first);
  assert.equal(mails(), 1);
  // The same key with another request is a client bug: refused, not answered with the first reply.
  const reused = await api.call('POST', `/api/v1/sessions/${r.session.id}/answers`, { step: r.step.id, answers: { confirm: false } },
    { 'idempotency-key': 'retry-1' });
  assert.equal(reused.status, 422);
  assert.match(reused.body.error, /Idempotency-Key was used for a different answer/);
  assert.equal(api.store(`SELECT count(*) AS n FROM audit_log WHERE session_id = '${r.session.id}' AND connector = 'demo.change_delivery_address'`)[0].n, 1);
  // Without the key, a repeat is a stale answer: refused, nothing runs.
  const stale = await api.answer(r, { confirm: true }, { status: 409 });
  assert.equal(stale.step.kind, 'done');
  assert.equal(mails(), 1);
});

test('racing answers to the same step, with different bodies: one wins, the connector runs once, in every trial', async () => {
  for (let trial = 0; trial < 10; ++trial) {
    let r = await api.start('appointment-reschedule');
    r = await api.answer(r, { booking: 'AP-2002', email: 'ben@example.com' });
    const dates = [20, 21, 22, 23].map((d) => weekdayFromToday(d + trial * 4));
    const results = await Promise.all(dates.map((date) =>
      api.call('POST', `/api/v1/sessions/${r.session.id}/answers`, { step: r.step.id, answers: { date, time: '12:00' } })));
    const winners = results.filter((x) => x.status === 200);
    assert.equal(winners.length, 1, JSON.stringify(results.map((x) => x.status)));
    assert.ok(results.every((x) => x.status === 200 || x.status === 409));
    r = winners[0].body;
    const confirms = await Promise.all([1, 2, 3, 4].map((i) =>
      api.call('POST', `/api/v1/sessions/${r.session.id}/answers`, { step: r.step.id, answers: { confirm: true } },
        i % 2 ? { 'idempotency-key': `k-${trial}-${i}` } : {})));
    assert.equal(confirms.filter((x) => x.status === 200).length, 1, JSON.stringify(confirms.map((x) => x.status)));
    // The connector ran once: one non-replayed audit line for the move.
    assert.equal(api.store(`SELECT count(*) AS n FROM audit_log WHERE session_id = '${r.session.id}' AND connector = 'demo.reschedule_appointment' AND replayed = false AND error = ''`)[0].n, 1);
  }
});

test('going back is allowed before an action and refused after one', async () => {
  let r = await api.start('return-request');
  r = await api.answer(r, { order_id: 'BL-10427', email: 'carmen@example.com' });
  assert.equal(r.step.can_go_back, false);
  const refused = await api.call('POST', `/api/v1/sessions/${r.session.id}/back`, { step: r.step.id });
  assert.equal(refused.status, 409);
  r = await api.start('billing-update');
  r = await api.verify(r, 'dev@example.com');
  r = await api.answer(r, { change: 'Payment card' });
  assert.equal(r.step.id, 'card');
  assert.equal(r.step.can_go_back, true);
  const back = await api.call('POST', `/api/v1/sessions/${r.session.id}/back`, { step: 'card' });
  assert.equal(back.status, 200);
  assert.equal(back.body.step.id, 'what');
  assert.equal(back.body.step.fields[0].value, 'Payment card');
});

test('bad requests get a 4xx JSON reason and write nothing', async () => {
  const count = () => api.store('SELECT count(*) AS n FROM flow_sessions')[0].n;
  const sessions = count();
  const cases = [
    ['POST', '/api/v1/flows/no-such-flow/sessions', {}, 404],
    ['POST', '/api/v1/flows/order-tracking/sessions', '{"oops', 400],
    ['POST', '/api/v1/flows/order-tracking/sessions', [], 400],
    ['POST', '/api/v1/flows/order-tracking/sessions', { identified: true }, 400],
    ['GET', '/api/v1/flows/order-tracking/sessions', undefined, 405],
    ['GET', '/api/v1/sessions/fs_nope', undefined, 404],
    ['POST', '/api/v1/sessions/fs_nope/answers', { step: 'order', answers: {} }, 404],
  ];
  for (const [method, path, body, status] of cases) {
    const r = await api.call(method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
    assert.equal(typeof r.body.error, 'string');
  }
  const wrongType = await api.call('POST', '/api/v1/flows/order-tracking/sessions', '{}', { 'content-type': 'text/plain' });
  assert.equal(wrongType.status, 415);
  const huge = await api.call('POST', '/api/v1/flows/order-tracking/sessions', { context: 'x'.repeat(70000) });
  assert.equal(huge.status, 413);
  assert.equal(count(), sessions);

  let r = await api.start('order-tracking');
  const stateBefore = api.store(`SELECT state, version FROM flow_sessions WHERE id = '${r.session.id}'`);
  for (const body of [{ answers: {} }, { step: 'order', answers: [] }, { step: 'order', answers: {}, extra: 1 }]) {
    const bad = await api.call('POST', `/api/v1/sessions/${r.session.id}/answers`, body);
    assert.equal(bad.status, 400, bad.text);
  }
  const wrongStep = await api.call('POST', `/api/v1/sessions/${r.session.id}/answers`, { step: 'lookup', answers: {} });
  assert.equal(wrongStep.status, 409);
  const invalid = await api.answer(r, { order_id: '10422', email: 'not-an-email', colour: 'red' }, { status: 422 });
  assert.deepEqual(invalid.errors.map((e) => e.field).sort(), ['colour', 'email', 'order_id']);
  assert.deepEqual(api.store(`SELECT state, version FROM flow_sessions WHERE id = '${r.session.id}'`), stateBefore);
});

test('a flow session survives a server restart in the middle', async () => {
  const first = await startServer();
  let r, restarted;
  try {
    const a = flowClient(first);
    r = await a.start('appointment-reschedule');
    r = await a.answer(r, { booking: 'AP-2003', email: 'carmen@example.com' });
    assert.equal(r.step.id, 'when');
    await first.stop({ keepData: true });
    restarted = await startServer({ data: first.data });
    const b = flowClient(restarted);
    const resumed = await b.get(r);
    assert.equal(resumed.step.id, 'when');
    assert.match(resumed.step.message_text, /Madrid/);
    const date = weekdayFromToday(9);
    r = await b.answer(resumed, { date, time: '08:00' });
    r = await b.answer(r, { confirm: true });
    assert.equal(r.session.done_state, 'resolved');
    assert.deepEqual(b.backOffice("SELECT date, time FROM appointments WHERE id = 'AP-2003'"), [{ date, time: '08:00' }]);
  } finally {
    await restarted?.stop({ keepData: false });
    await first.stop({ keepData: false });
  }
});

test('a photo: checked by its bytes, stripped of metadata, kept with its session, attached to the return', async () => {
  const png = photo('photo.png');
  const jpeg = jpegWithExif('Ana Lopez, 12 Elm Street');
  // A server of its own: the return tests above have already returned this order.
  const own = await startServer();
  try {
  const api = flowClient(own);
  let r = await api.start('return-request');
  const upload = (sid, body, type) => fetch(`${own.origin}/api/v1/sessions/${sid}/uploads`,
    { method: 'POST', headers: { 'content-type': type }, body }).then(async (x) => ({ status: x.status, body: await x.json() }));
  // A photo is taken only by a step that asks for one.
  const early = await upload(r.session.id, png, 'image/png');
  assert.equal(early.status, 409);
  assert.match(early.body.error, /photo/);
  r = await api.answer(r, { order_id: 'BL-10421', email: 'ana@example.com' });
  assert.equal(r.step.id, 'reason');
  assert.equal((await upload(r.session.id, Buffer.from('not an image'), 'image/png')).status, 415);
  assert.equal((await upload(r.session.id, png, 'application/pdf')).status, 415);
  assert.equal((await upload(r.session.id, Buffer.alloc(5 * 1024 * 1024 + 10, 1), 'image/jpeg')).status, 413);
  assert.equal((await upload('fs_00000000000000000000000000000000', png, 'image/png')).status, 404);
  assert.equal((await upload(r.session.id, png.subarray(0, 100), 'image/png')).status, 415, 'a PNG signature, then nothing usable');
  const ok = await upload(r.session.id, jpeg, 'image/jpeg');
  assert.equal(ok.status, 201);
  assert.match(ok.body.upload, /^up_[0-9a-f]{24}$/);
  assert.deepEqual([ok.body.width, ok.body.height], [48, 64]);  // orientation 6: as shown
  assert.ok(ok.body.bytes < jpeg.length);
  const [stored] = api.store(`SELECT ${api.hexOf('data')} AS hex FROM uploads WHERE id = '${ok.body.upload}'`);
  assert.ok(!Buffer.from(stored.hex, 'hex').includes('Elm Street'), 'the Exif artist is not stored');
  // Another session's upload is refused as an answer.
  const other = await api.start('return-request');
  await api.answer(other, { order_id: 'BL-10421', email: 'ana@example.com' });
  const foreign = (await upload(other.session.id, png, 'image/png')).body.upload;
  assert.ok(foreign);
  const refused = await api.answer(r, { reason: "It's faulty", photo: foreign }, { status: 422 });
  assert.match(refused.errors[0].message, /Photo of the problem: attach the photo again/);
  r = await api.answer(r, { reason: "It's faulty", photo: ok.body.upload });
  r = await api.answer(r, { confirm: true });
  assert.equal(r.session.done_state, 'resolved');
  assert.deepEqual(api.backOffice("SELECT photo FROM returns WHERE order_id = 'BL-10421'"), [{ photo: ok.body.upload }]);
  assert.deepEqual(api.store(`SELECT length(data) AS n, session_id FROM uploads WHERE id = '${ok.body.upload}'`),
    [{ n: ok.body.bytes, session_id: r.session.id }]);
  // The other session's photo was never named by an answer: a day later it is deleted (checked at start, then hourly).
  api.store(`UPDATE uploads SET created_ms = created_ms - ${2 * 24 * 3600 * 1000}`);
  await own.stop({ keepData: true });
  const later = await startServer({ data: own.data });
  try {
    for (let i = 0; i < 100 && !/stale_uploads_deleted/.test(later.output()); i++) await new Promise((res) => setTimeout(res, 50));
    assert.match(later.output(), /"count":1.*"event":"stale_uploads_deleted"|"event":"stale_uploads_deleted".*"count":1/);
    assert.deepEqual(api.store('SELECT id FROM uploads ORDER BY id'), [{ id: ok.body.upload }], 'the photo the return names stays');
  } finally {
    await later.stop({ keepData: true });
  }
  } finally {
    await own.stop({ keepData: false });
  }
});

test('overcharge refund: the amount is computed by the flow and capped by policy; above the cap a person reviews the rest', async () => {
  let r = await api.start('overcharge-refund');
  r = await api.answer(r, { order_id: 'BL-10424', email: 'ben@example.com' });
  assert.equal(r.step.id, 'confirm');
  assert.equal(r.step.title, 'Refund €50?');  // charged €209 for a €119 order: €90 over, €50 the instant cap
  r = await api.answer(r, { confirm: true });
  assert.equal(r.session.done_state, 'escalate');
  assert.match(r.step.message_text, /The other €40 is above what we can refund instantly/);
  assert.deepEqual(api.backOffice("SELECT cents FROM credits WHERE order_id = 'BL-10424'"), [{ cents: 5000 }]);
  // Once refunded, the order says so; a correctly charged order is told so, unresolved.
  r = await api.start('overcharge-refund');
  r = await api.answer(r, { order_id: 'BL-10424', email: 'ben@example.com' });
  assert.equal(r.step.title, 'Already refunded');
  assert.match(r.step.message_text, /CR-10424/);
  r = await api.start('overcharge-refund');
  r = await api.answer(r, { order_id: 'BL-10423', email: 'ben@example.com' });
  assert.equal(r.session.done_state, 'unresolved');
  assert.match(r.step.message_text, /which is what it cost/);
});

test('attempts: an order not found three times ends with a person, not a fourth try', async () => {
  let r = await api.start('order-tracking');
  for (let i = 0; i < 3; ++i) {
    assert.equal(r.step.id, 'order');
    r = await api.answer(r, { order_id: 'BL-99999', email: 'ana@example.com' });
  }
  assert.equal(r.session.done_state, 'escalate');
  assert.equal(r.session.failures, 3);
  assert.match(r.step.message_text, /get you to a person/);
});
