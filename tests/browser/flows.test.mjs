// Guided task flows inside the widget, in Debian's Chromium against a real
// `firstfix serve` (the demo site, under its strict CSP): reset a password
// and reschedule an appointment to their done screens, with instant checks
// from the wasm core, a reload in the middle, and going back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { launch, untilInPage } from '../support/browser.mjs';
import { flowClient, weekdayFromToday } from '../support/flow_client.mjs';

let server, browser, api;
before(async () => { [server, browser] = await Promise.all([startServer(), launch()]); api = flowClient(server); });
after(async () => { await browser?.close(); await server?.stop(); });

const widget = (p) => p.locator('firstfix-widget');
const heading = (p) => widget(p).locator('.flow h1');


test('reset a password inside the widget: found by search, checked instantly, resumed after a reload', async () => {
  const context = await browser.newContext();
  const p = await context.newPage();
  const answers = [];
  p.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/answers')) answers.push(r.postDataJSON()); });
  const flowEngine = [];  // the Worker's flow engine module: only once a flow opens
  context.on('request', (r) => { if (/\/assets\/firstfix-flow\.[0-9a-f]+\.wasm$/.test(r.url())) flowEngine.push(r.url()); });
  // Listeners go in the queue before the loader runs, as a host page would add them (and again after the reload).
  await p.addInitScript(() => {
    window.__searches = []; window.__events = [];
    window.firstfix = function () { (window.firstfix.q = window.firstfix.q || []).push(arguments); };
    window.firstfix('on', 'search', (e) => window.__searches.push(e));
    for (const name of ['flowStart', 'flowStep', 'flowDone']) window.firstfix('on', name, (e) => window.__events.push({ name, ...e }));
  });
  await p.goto(server.origin + '/');
  await widget(p).locator('.launcher').click();
  await widget(p).getByRole('searchbox').pressSequentially('forgot my password', { delay: 20 });
  await untilInPage(p, 'forgot my password');  // instant checks need the Worker's engine
  const task = widget(p).locator('ul.results a[data-kind=flow][data-id=password-reset]');
  await task.waitFor();
  assert.match(await task.innerText(), /Do it now/);
  assert.deepEqual(flowEngine, [], 'searching never loads the flow engine');
  await task.click();

  await heading(p).waitFor();
  assert.equal(await heading(p).innerText(), "Let's check it's you");
  assert.equal(await widget(p).getByRole('progressbar').getAttribute('aria-valuenow'), '1');
  // An email that is not one: refused by the core in the Worker, nothing sent.
  await widget(p).getByLabel('Email address').fill('ana@');
  await widget(p).getByRole('button', { name: 'Continue' }).click();
  const emailError = widget(p).locator('#ff-f-verify\\/email-err');  // the email check is the verify-email sub-flow, called as 'verify'
  await emailError.waitFor();
  assert.match(await emailError.innerText(), /must be an email address/);
  assert.equal(await widget(p).getByLabel('Email address').getAttribute('aria-invalid'), 'true');
  assert.equal(answers.length, 0, 'the instant check needs no round trip');
  assert.equal(flowEngine.length, 1, 'the flow engine was loaded once, for the flow');

  await widget(p).getByLabel('Email address').fill('ana@example.com');
  await widget(p).getByRole('button', { name: 'Continue' }).click();
  await p.waitForFunction(() => document.querySelector('firstfix-widget').shadowRoot.querySelector('.flow h1')?.textContent === 'Check your email');

  // A reload in the middle: the widget opens again at the same step.
  await p.reload();
  await heading(p).waitFor({ timeout: 15000 });
  assert.equal(await heading(p).innerText(), 'Check your email');

  await widget(p).getByLabel('6-digit code').fill(api.latestCode('ana@example.com'));
  await widget(p).getByRole('button', { name: 'Continue' }).click();
  await p.waitForFunction(() => document.querySelector('firstfix-widget').shadowRoot.querySelector('.flow h1')?.textContent === 'Choose a new password');
  const password = widget(p).getByLabel('New password');
  assert.equal(await password.getAttribute('type'), 'password');
  await password.fill('too short');
  await widget(p).getByRole('button', { name: 'Continue' }).click();
  await widget(p).locator('#ff-f-password-err').waitFor();
  assert.match(await widget(p).locator('#ff-f-password-err').innerText(), /at least 10 characters/);
  const before = api.backOffice("SELECT password_hash FROM customers WHERE email = 'ana@example.com'")[0].password_hash;
  await password.fill('a much longer passphrase');
  await widget(p).getByRole('button', { name: 'Continue' }).click();

  await p.waitForFunction(() => document.querySelector('firstfix-widget').shadowRoot.querySelector('.flow h1')?.textContent === 'Password changed');
  assert.match(await widget(p).locator('.flow .content').innerText(), /ana@example\.com is changed/);
  assert.notEqual(api.backOffice("SELECT password_hash FROM customers WHERE email = 'ana@example.com'")[0].password_hash, before);
  const events = await p.evaluate(() => window.__events);
  assert.deepEqual(events.map((e) => e.step ?? e.name), ['verify/code', 'new-password', 'flowDone'],
    'after the reload: the resumed step, the next one (the short password was refused in the page), then done');
  const done = events.find((e) => e.name === 'flowDone');
  assert.equal(done.state, 'resolved');
  assert.ok(!JSON.stringify(events).includes('passphrase'), 'events never carry answers');
  assert.ok(answers.every((a) => a.answers.password !== 'too short'), 'the short password never left the page');
  // Back to help clears the flow: a reload no longer resumes it.
  await widget(p).getByRole('button', { name: 'Back to help' }).click();
  assert.equal(await p.evaluate(() => sessionStorage.getItem('firstfix.flow')), null);
  await context.close();
});

test('reschedule an appointment from a page button, with going back before confirming', async () => {
  const context = await browser.newContext();
  const p = await context.newPage();
  await p.goto(server.origin + '/');
  await p.getByRole('button', { name: 'Reschedule an installation appointment' }).click();
  await heading(p).waitFor();
  assert.equal(await heading(p).innerText(), 'Which appointment?');
  await widget(p).getByLabel('Booking reference').fill('AP-2004');
  await widget(p).getByLabel('Email used for the booking').fill('dev@example.com');
  await widget(p).getByRole('button', { name: 'Continue' }).click();
  await p.waitForFunction(() => document.querySelector('firstfix-widget').shadowRoot.querySelector('.flow h1')?.textContent === 'Pick a new time');
  assert.match(await widget(p).locator('.flow .content').innerText(), /Hub installation in Lisbon/);
  const date = weekdayFromToday(12);
  await widget(p).getByLabel('New date').fill(date);
  await widget(p).getByRole('radio', { name: '14:00' }).check();
  await widget(p).getByRole('button', { name: 'Continue' }).click();
  await p.waitForFunction(() => document.querySelector('firstfix-widget').shadowRoot.querySelector('.flow h1')?.textContent === 'Confirm the change');
  // Changed their mind: back is safe here (nothing was carried out since), answers are kept.
  await widget(p).getByRole('button', { name: 'Previous step' }).click();
  await p.waitForFunction(() => document.querySelector('firstfix-widget').shadowRoot.querySelector('.flow h1')?.textContent === 'Pick a new time');
  assert.equal(await widget(p).getByLabel('New date').inputValue(), date);
  assert.equal(await widget(p).getByRole('radio', { name: '14:00' }).isChecked(), true);
  await widget(p).getByRole('radio', { name: '16:00' }).check();
  await widget(p).getByRole('button', { name: 'Continue' }).click();
  await widget(p).getByRole('button', { name: 'Yes, move it' }).click();
  await p.waitForFunction(() => document.querySelector('firstfix-widget').shadowRoot.querySelector('.flow h1')?.textContent === 'Appointment moved');
  assert.match(await widget(p).locator('.flow .content').innerText(), new RegExp(`now on ${date}`));
  assert.deepEqual(api.backOffice("SELECT date, time FROM appointments WHERE id = 'AP-2004'"), [{ date, time: '16:00' }]);
  // The done screen asks whether it solved the problem.
  await widget(p).getByRole('button', { name: 'Yes', exact: true }).click();
  await widget(p).getByText('Thanks for your feedback!').waitFor();
  await context.close();
});

test('axe-core finds no serious or critical violations in flow steps (form with errors, offer, done)', async () => {
  const { readFileSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const { hostPage } = await import('../support/browser.mjs');
  const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const context = await browser.newContext();
  // A host page without a CSP, so axe can be injected.
  const p = await hostPage(context, server.origin, '/host/axe-flow',
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><main><h1>Shop</h1></main>' +
    '<script src="/widget.js" async></script></body></html>');
  await p.addScriptTag({ content: axeSource });
  const scan = async (label) => {
    const results = await p.evaluate(() => window.axe.run(document.querySelector('firstfix-widget'), { resultTypes: ['violations'] }));
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], label);
  };
  await p.evaluate(() => window.firstfix('startFlow', 'return-request'));
  await heading(p).waitFor();
  await widget(p).getByRole('button', { name: 'Continue' }).click();  // empty: the server's errors
  await widget(p).locator('#ff-f-order_id-err').waitFor();
  await scan('ask step with field errors');
  await widget(p).getByLabel('Order number').fill('BL-10427');
  await widget(p).getByLabel('Email used for the order').fill('carmen@example.com');
  await widget(p).getByRole('button', { name: 'Continue' }).click();
  await widget(p).getByRole('radio', { name: 'Wrong model or colour' }).check();
  await widget(p).getByRole('button', { name: 'Continue' }).click();
  await widget(p).getByRole('button', { name: 'Yes, exchange it' }).waitFor();
  await scan('offer step');
  await widget(p).getByRole('button', { name: "No, I'd like a refund" }).click();
  await widget(p).getByRole('button', { name: "No, I'll keep it" }).click();
  await widget(p).locator('.flow-done').waitFor();
  await scan('done step');
  await context.close();
});
